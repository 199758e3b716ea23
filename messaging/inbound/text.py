"""Turning an email body into the customer's own words: HTML to text, and the
quoted earlier conversation and the signature cut off."""

import logging
import re
from html.parser import HTMLParser

from email_reply_parser import EmailReplyParser

logger = logging.getLogger(__name__)

# email-reply-parser only recognizes these when a blank line stands above them;
# in English, Swedish, Norwegian and Danish.
_MOBILE_SIGNATURE = re.compile(
    r"\n[ \t]*(Sent from my [^\n]{1,40}|Get Outlook for [^\n]{1,30}"
    r"|Skickat från min [^\n]{1,40}|Sendt fra min [^\n]{1,40}"
    r"|Hämta Outlook för [^\n]{1,30}|Få Outlook for [^\n]{1,30}"
    r"|Hent Outlook til [^\n]{1,30})[ \t]*$",
    re.IGNORECASE,
)
# email-reply-parser knows the English "On <date> <name> wrote:" only. A mail
# client's line above the quote in Swedish, Norwegian or Danish says "skrev", has
# the time (10:12, 10.12) and ends with a colon, sometimes wrapped onto two lines:
# "Den 5 dec. 2026 kl. 10:12 skrev Anna Berg <anna@example.com>:".
_WROTE = re.compile(r"\b(skrev|wrote)\b", re.IGNORECASE)
_YEAR_OR_ADDRESS = re.compile(r"\b(19|20)\d\d\b|@")
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
# Outlook's header block ("From:" and "Sent:" within a few lines) and the
# "Original message" rule, in the four languages.
_FROM = re.compile(r"^[ \t*]*(From|Från|Fra)[ \t*]*:", re.IGNORECASE)
_SENT = re.compile(
    r"^[ \t*]*(Sent|Date|Skickat|Datum|Sendt|Dato)[ \t*]*:", re.IGNORECASE
)
_ORIGINAL = re.compile(
    r"^[ \t]*-{2,}[ \t]*(Original Message|Ursprungligt meddelande"
    r"|Opprinnelig melding|Oprindelig meddelelse|Videresendt melding"
    r"|Vidarebefordrat meddelande)[ \t]*-{2,}",
    re.IGNORECASE,
)
_BLOCK_TAGS = {
    "address", "article", "br", "dd", "div", "dl", "dt", "footer", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section",
    "table", "tr", "ul",
}  # fmt: skip
_SKIPPED_TAGS = {"head", "script", "style", "title", "template"}


def strip_reply(text: str) -> str:
    """The new part of a reply: quoted text ("> ...", "On ... wrote:", Outlook's
    "From:/Sent:" block) and a trailing signature removed. When that leaves
    nothing, the whole text is kept rather than an empty message."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    text = _before_quote(text) or text
    try:
        reply = EmailReplyParser.parse_reply(text)
    except Exception:
        logger.exception("could not strip the quoted reply; keeping the whole text")
        return text
    reply = _MOBILE_SIGNATURE.sub("", reply).strip()
    return reply or text


def _before_quote(text: str) -> str:
    """The text above the first line that starts a quoted message in any of our
    languages (see _WROTE, _FROM, _ORIGINAL); all of it when there is none."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index == 0:
            continue  # a message that is nothing but a quote keeps its words
        if _ORIGINAL.match(line):
            return "\n".join(lines[:index]).rstrip()
        if _FROM.match(line) and any(
            _SENT.match(n) for n in lines[index + 1 : index + 5]
        ):
            return "\n".join(lines[:index]).rstrip()
        if _starts_quote(line, lines[index + 1 : index + 2]):
            return "\n".join(lines[:index]).rstrip()
    return text


def _starts_quote(line: str, after: list[str]) -> bool:
    """ "... 10:12 skrev Anna <anna@example.com>:", perhaps wrapped before its
    colon onto the next line."""
    if len(line) > 300 or not (_CLOCK.search(line) and _WROTE.search(line)):
        return False
    span = " ".join([line, *after])
    if not _YEAR_OR_ADDRESS.search(span):
        return False  # "I wrote to you yesterday at 10:30:" is the customer's
    return line.rstrip().endswith(":") or bool(
        after and after[0].rstrip().endswith(":")
    )


def html_to_text(html: str) -> str:
    """Readable text of an HTML email: blocks on their own lines, links kept,
    <blockquote> lines prefixed with "> " so strip_reply() recognizes them."""
    parser = _TextParser()
    try:
        parser.feed(html or "")
        parser.close()
    except Exception:
        logger.exception("could not convert an HTML email body; tags removed")
        return re.sub(r"<[^>]+>", " ", html or "").strip()
    return parser.text()


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.line_depth = 0
        self.skipping = 0
        self.preformatted = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "blockquote":
            self._break()
            self.quote_depth += 1
        elif tag in _BLOCK_TAGS:
            self._break(blank=tag == "p")
            self.preformatted += tag == "pre"
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self._break()
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._break(blank=tag == "p")
            self.preformatted = max(0, self.preformatted - (tag == "pre"))
        elif tag == "a":
            href = getattr(self, "href", "")
            text = "".join(self.current)
            if href.startswith("http") and href not in text:
                self._add(f" ({href})")
            self.href = ""

    def handle_data(self, data):
        if self.skipping:
            return
        if self.preformatted:
            first, *rest = data.split("\n")
            self._add(first)
            for line in rest:
                self._break()
                self._add(line)
            return
        self._add(re.sub(r"\s+", " ", data))

    def _add(self, text: str) -> None:
        if not self.current:
            self.line_depth = self.quote_depth
            text = text.lstrip() if not self.preformatted else text
        if text:
            self.current.append(text)

    def _break(self, blank: bool = False) -> None:
        line = "".join(self.current).rstrip()
        self.current = []
        if line:
            self.lines.append("> " * self.line_depth + line)
        if blank and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def text(self) -> str:
        self._break()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip()
