"""The language a message is written in, for its full-text search: English,
Swedish, Norwegian (Bokmål) or Danish, the languages of our merchants' customers.

Read from the share of each language's most common words, a fast and dependable
guess for support messages; English when nothing stands out (a short "ok", an
order number). Each language is searched with its own PostgreSQL configuration,
so "paketet" finds "paket" in Swedish as "parcels" finds "parcel" in English.
"""

import re

# PostgreSQL's text search configuration of each language.
CONFIGS = {"en": "english", "sv": "swedish", "nb": "norwegian", "da": "danish"}
DEFAULT = "en"
COMMON_WORDS = {
    "en": "the and is to my of it you for not have this that with was order where"
    " when please thanks hi hello can will",
    "sv": "och är jag att det inte en på för med har som min mitt mina var när tack"
    " hej kan ni vad ska",
    "nb": "og er jeg at det ikke en på for med har som min mitt mine hvor når takk"
    " hei kan dere hva skal",
    "da": "og er jeg at det ikke en på for med har som min mit mine hvor hvornår tak"
    " hej kan i hvad skal",
}
_WORDS = {code: frozenset(words.split()) for code, words in COMMON_WORDS.items()}
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
# Letters only some of the languages use: a tie-breaker between close neighbours.
_LETTERS = {"sv": set("äö"), "nb": set("æø"), "da": set("æø")}


def detect(text: str) -> str:
    """The language code of `text` (one of CONFIGS)."""
    words = [word.lower() for word in _TOKEN.findall(text or "")[:200]]
    if not words:
        return DEFAULT
    letters = set("".join(words))
    scores = {}
    for code, common in _WORDS.items():
        score = sum(word in common for word in words)
        score += 2 * len(letters & _LETTERS.get(code, set()))
        scores[code] = score
    best = max(scores, key=lambda code: (scores[code], code == DEFAULT))
    return best if scores[best] >= 2 else DEFAULT
