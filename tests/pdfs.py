"""Reading PDFs in tests: every piece of text and where it is on the page as a
viewer shows it (the crop box, turned by the page's /Rotate), from pypdf's text
visitor."""

import io
from dataclasses import dataclass

from pypdf import PdfReader, Transformation


@dataclass(frozen=True)
class Run:
    page: int
    text: str
    x: float  # from the shown page's left edge
    y: float  # from the shown page's foot
    upright: bool  # reads left to right, letters standing on the baseline
    width: float  # of the shown page
    height: float


def text_runs(content: bytes) -> list[Run]:
    runs = []
    for number, page in enumerate(PdfReader(io.BytesIO(content)).pages):
        shown = _shown(page)

        def visit(text, cm, tm, font, size, number=number, shown=shown):
            if text.strip():
                runs.append(_run(number, text.strip(), cm, tm, shown))

        page.extract_text(visitor_text=visit)
    return runs


def _shown(page):
    """How a point and a direction of the page's user space land on the shown
    page: (point, vector, width, height)."""
    box = page.cropbox
    left, bottom = float(box.left), float(box.bottom)
    w, h = float(box.width), float(box.height)
    turn = page.rotation % 360
    vector = {
        0: lambda x, y: (x, y),
        90: lambda x, y: (y, -x),
        180: lambda x, y: (-x, -y),
        270: lambda x, y: (-y, x),
    }[turn]
    offset = {0: (0, 0), 90: (0, w), 180: (w, h), 270: (h, 0)}[turn]

    def point(x, y):
        dx, dy = vector(x - left, y - bottom)
        return dx + offset[0], dy + offset[1]

    size = (h, w) if turn in (90, 270) else (w, h)
    return point, vector, *size


def _run(number, text, cm, tm, shown) -> Run:
    point, vector, width, height = shown
    a, b, c, d, e, f = (
        Transformation(tuple(tm)).transform(Transformation(tuple(cm))).ctm
    )
    x, y = point(e, f)
    along, up = vector(a, b), vector(c, d)
    upright = along[0] > 0 and abs(along[1]) < 1e-6 and up[1] > 0 and abs(up[0]) < 1e-6
    return Run(number, text, round(x, 2), round(y, 2), upright, width, height)
