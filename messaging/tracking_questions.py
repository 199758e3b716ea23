"""Does a customer's message ask where their order is? ("Where is my parcel?",
"Var är mitt paket?", "Hvor er pakken min?", "Hvornår kommer min ordre?")

Read from the words, per language (English, Swedish, Norwegian, Danish: the
languages of our merchants' customers), after the quoted text of a reply is gone.
A message that also asks for something the order's status cannot answer (a refund,
a return, a broken item, a changed address, an invoice) or that is long enough to
say more than one thing is `other`: it may be answered automatically, but it still
waits for a person (docs/inbox.md, "Automatic answers").
"""

import re
from dataclasses import dataclass

# Longer than this, a message says more than "where is it?": a person reads it.
LONG_MESSAGE = 400

_ORDER = r"(order|parcel|package|delivery|shipment|items?|stuff|purchase)"
ASKS_WHERE = {
    "en": [
        rf"\bwhere('?s| is| are)\b.{{0,20}}\b{_ORDER}",
        r"\btrack(ing)?\b",
        r"\bwhen\b.{0,40}\b(arrive|come|get here|be delivered|deliver|ship|be sent)",
        r"\b(hasn'?t|has not|haven'?t|have not|didn'?t|did not|not yet|still not)\b"
        r".{0,30}\b(arrived|come|received|been delivered|got(ten)?|shipped)",
        rf"\b(status|update)\b.{{0,15}}\b{_ORDER}",
        r"\b(delivery|shipping) (status|date|time|estimate)\b",
        rf"\b(is|has) (it|((my|the|this) )?{_ORDER}( \S+)?|order \S+) "
        r"(on (its|the) way|shipped|been (sent|shipped|dispatched)|left)\b",
        r"\bany (news|updates?)\b",
    ],
    "sv": [
        r"\bvar (är|e)\b.{0,20}\b(paket(et)?|order(n)?|beställning(en)?|"
        r"leverans(en)?|försändelse(n)?|grejer(na)?)",
        r"\bspår(ning(en)?|a|ningsnummer)\b",
        r"\bnär\b.{0,30}\b(kommer|levereras|skickas|får jag|anländer)",
        r"\b(har )?(inte|ej)\b.{0,20}\b(kommit|fått|levererats|skickats)",
        r"\b(leveranstid|leveransdatum|leveransstatus)\b",
        r"\bstatus (på|för)\b",
    ],
    "no": [
        r"\bhvor (er|e)\b.{0,20}\b(pakke(n|a)?|bestilling(en)?|ordre(n)?|"
        r"levering(en)?|sending(en)?|varene?)",
        r"\bsporing(snummer)?\b",
        r"\bnår\b.{0,30}\b(kommer|blir|leveres|sendes|får jeg)",
        r"\bikke\b.{0,20}\b(kommet|fått|mottatt|levert|sendt)",
        r"\b(leveringstid|leveringsdato|leveringsstatus)\b",
        r"\bstatus (på|for)\b",
    ],
    "da": [
        r"\bhvor (er|bliver)\b.{0,20}\b(pakke(n)?|bestilling(en)?|ordre(n)?|"
        r"levering(en)?|forsendelse(n)?|varer(ne)?)",
        r"\bsporing(snummer)?\b",
        r"\bhvornår\b.{0,30}\b(kommer|bliver|leveres|sendes|får jeg)",
        r"\bikke\b.{0,20}\b(kommet|fået|modtaget|leveret|sendt)",
        r"\b(leveringstid|leveringsdato|leveringsstatus)\b",
        r"\bstatus (på|for)\b",
    ],
}
# What an order's status cannot settle.
OTHER_ASKS = {
    "en": r"\b(refund|money back|return|cancel|broken|damaged|wrong|missing item|"
    r"change (the |my )?address|invoice|receipt|complain|exchange|discount)",
    "sv": r"\b(återbetal|pengarna tillbaka|retur|returnera|avbryt|ångra|trasig|"
    r"skadad|fel (vara|storlek|färg)|saknas|ändra (min )?adress|faktura|kvitto|"
    r"reklamation|byta)",
    "no": r"\b(refusjon|pengene tilbake|retur|returnere|kanseller|avbestill|"
    r"ødelagt|skadet|feil (vare|størrelse|farge)|mangler|endre (min )?adresse|"
    r"faktura|kvittering|reklamasjon|bytte)",
    "da": r"\b(refusion|pengene tilbage|retur|returnere|annuller|fortryd|ødelagt|"
    r"beskadiget|forkert (vare|størrelse|farve)|mangler|ændre (min )?adresse|"
    r"faktura|kvittering|reklamation|bytte)",
}
_ASKS = {
    language: [re.compile(pattern, re.IGNORECASE) for pattern in patterns]
    for language, patterns in ASKS_WHERE.items()
}
_OTHER = {
    language: re.compile(pattern, re.IGNORECASE)
    for language, pattern in OTHER_ASKS.items()
}
_QUOTE_START = re.compile(
    r"^(>|On .{0,200} wrote:|Den .{0,200} skrev:|.{0,200} skrev .{0,100}:|"
    r"-{2,} ?(Original Message|Ursprungligt meddelande|Opprinnelig melding|"
    r"Oprindelig meddelelse)|From: )",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class Question:
    asks_where: bool
    language: str = ""  # the language whose words asked it
    other: bool = False  # asks for more than the status can answer


def read(text: str) -> Question:
    """What the message asks, as far as an automatic answer is concerned."""
    own = _own_words(text or "")
    language = next(
        (
            language
            for language, patterns in _ASKS.items()
            if any(pattern.search(own) for pattern in patterns)
        ),
        "",
    )
    if not language:
        return Question(asks_where=False)
    other = len(own) > LONG_MESSAGE or any(
        pattern.search(own) for pattern in _OTHER.values()
    )
    return Question(asks_where=True, language=language, other=other)


def _own_words(text: str) -> str:
    """The message without the quoted text of what it answers."""
    quote = _QUOTE_START.search(text)
    return (text[: quote.start()] if quote else text).strip()
