"""One-page 4x6 inch shipping labels as hand-written PDF 1.4, no dependencies.

The tracking number is drawn as a Code 39 barcode (scannable) and in text. Text
uses the standard Helvetica fonts with WinAnsiEncoding, which covers the Nordic
letters (å, ä, ö, ø, æ); anything else prints as '?'. The output depends only on
the shipment, so the same shipment always gives the same bytes.
"""

from __future__ import annotations

WIDTH, HEIGHT = 288, 432  # 4 x 6 inches in points
MARGIN = 16

# Code 39: per character, 9 elements (bar, space, bar, ...); 1 = wide.
CODE39 = {
    "0": "000110100", "1": "100100001", "2": "001100001", "3": "101100000",
    "4": "000110001", "5": "100110000", "6": "001110000", "7": "000100101",
    "8": "100100100", "9": "001100100", "A": "100001001", "B": "001001001",
    "C": "101001000", "D": "000011001", "E": "100011000", "F": "001011000",
    "G": "000001101", "H": "100001100", "I": "001001100", "J": "000011100",
    "K": "100000011", "L": "001000011", "M": "101000010", "N": "000010011",
    "O": "100010010", "P": "001010010", "Q": "000000111", "R": "100000110",
    "S": "001000110", "T": "000010110", "U": "110000001", "V": "011000001",
    "W": "111000000", "X": "010010001", "Y": "110010000", "Z": "011010000",
    "-": "010000101", ".": "110000100", " ": "011000100", "*": "010010100",
}  # fmt: skip


def render_label(shipment: dict, service_name: str) -> bytes:
    page = _Page()
    number = shipment["tracking_number"]
    page.text(MARGIN, HEIGHT - 32, "SANDBOX COURIER", size=16, bold=True)
    page.text(MARGIN, HEIGHT - 46, service_name, size=9)
    page.text(WIDTH - 100, HEIGHT - 46, shipment["created_at"][:10], size=9)
    page.line(MARGIN, HEIGHT - 54, WIDTH - MARGIN, HEIGHT - 54)

    page.text(MARGIN, HEIGHT - 68, "FROM", size=7, bold=True)
    y = page.address(MARGIN, HEIGHT - 80, shipment["sender"], size=8, leading=10)
    page.line(MARGIN, y - 2, WIDTH - MARGIN, y - 2)
    page.text(MARGIN, y - 16, "TO", size=7, bold=True)
    y = page.address(MARGIN, y - 32, shipment["recipient"], size=12, leading=15)
    page.line(MARGIN, y - 2, WIDTH - MARGIN, y - 2)

    page.barcode(f"*{number}*", y - 82, height=64)
    spaced = _spaced(number)
    # Helvetica-Bold digits are 0.556 em wide; centre by that.
    page.text(
        round((WIDTH - len(spaced) * 0.556 * 11) / 2),
        y - 98,
        spaced,
        size=11,
        bold=True,
    )
    parcels = shipment["parcels"]
    weight = sum(float(p.get("weight_kg", 0)) for p in parcels)
    page.text(MARGIN, y - 122, f"Reference: {shipment['reference']}", size=10)
    page.text(
        MARGIN, y - 136, f"Parcels: {len(parcels)}   Weight: {weight:.1f} kg", size=10
    )
    page.text(MARGIN, 22, "Sandbox label - not valid for real shipping", size=7)
    return page.pdf(title=f"Label {number}")


def _spaced(number: str) -> str:
    return " ".join(number[i : i + 3] for i in range(0, len(number), 3))


class _Page:
    def __init__(self):
        self.ops: list[str] = []

    def text(self, x, y, value: str, *, size=10, bold=False):
        font = "F2" if bold else "F1"
        self.ops.append(f"BT /{font} {size} Tf {x} {y} Td ({_pdf_string(value)}) Tj ET")

    def line(self, x1, y1, x2, y2):
        self.ops.append(f"0.8 w {x1} {y1} m {x2} {y2} l S")

    def address(self, x, y, address: dict, *, size, leading) -> float:
        lines = [
            address.get("name", ""),
            address.get("company", ""),
            address.get("line1", ""),
            address.get("line2", ""),
            f"{address.get('postal_code', '')} {address.get('city', '')}".strip(),
            address.get("country", ""),
        ]
        for index, value in enumerate(line for line in lines if line):
            self.text(x, y, value[:40], size=size, bold=index == 0)
            y -= leading
        return y

    def barcode(self, value: str, y, *, height, narrow=1.0, wide=2.5):
        elements = []
        for char in value:
            pattern = CODE39.get(char.upper(), CODE39["-"])
            elements.extend(wide if bit == "1" else narrow for bit in pattern)
            elements.append(narrow)  # gap between characters
        total = sum(elements[:-1])
        x = (WIDTH - total) / 2
        bars = []
        for index, width in enumerate(elements[:-1]):
            if index % 10 % 2 == 0:  # bars at even positions within a character
                bars.append(f"{x:.2f} {y} {width} {height} re")
            x += width
        self.ops.append("0 g " + " ".join(bars) + " f")

    def pdf(self, *, title: str) -> bytes:
        content = "\n".join(self.ops).encode("latin-1")
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
                "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
            ).encode(),
            _font("Helvetica"),
            _font("Helvetica-Bold"),
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            f"<< /Title ({_pdf_string(title)}) /Producer (Sandbox courier) >>".encode(
                "latin-1"
            ),
        ]
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += (
            b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref)
        )
        return bytes(out)


def _font(name: str) -> bytes:
    return (
        f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} "
        "/Encoding /WinAnsiEncoding >>"
    ).encode()


def _pdf_string(value: str) -> str:
    """A PDF literal string body: WinAnsi bytes, escaped, non-ASCII as octal."""
    out = []
    for byte in value.encode("cp1252", errors="replace"):
        char = chr(byte)
        if char in "()\\":
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)
