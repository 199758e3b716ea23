"""Turning an email body into the customer's own words: HTML to text, and the
quoted earlier conversation and the signature cut off."""

import logging
import re
from html.parser import HTMLParser

from email_reply_parser import EmailReplyParser

logger = logging.getLogger(__name__)

# email-reply-parser only recognizes these when a blank line stands above them.
_MOBILE_SIGNATURE = re.compile(
    r"\n[ \t]*(Sent from my [^\n]{1,40}|Get Outlook for [^\n]{1,30})[ \t]*$",
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
    try:
        reply = EmailReplyParser.parse_reply(text)
    except Exception:
        logger.exception("could not strip the quoted reply; keeping the whole text")
        return text
    reply = _MOBILE_SIGNATURE.sub("", reply).strip()
    return reply or text


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
