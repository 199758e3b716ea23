"""The customer's own words of an email reply, in the four languages our
merchants' customers write in: the quoted conversation (the mail client's "On …
wrote:" line in English, Swedish, Norwegian or Danish, Outlook's header block,
an "Original message" rule) and a phone's signature are cut off."""

import pytest

from messaging.inbound.text import strip_reply

QUOTED = "> Hej Anna,\n> ditt paket är på väg.\n"


@pytest.mark.parametrize(
    "header",
    [
        "On Mon, 7 Dec 2026 at 10:12, Nordic Goods <support@nordic.example> wrote:",
        "Den mån 7 dec. 2026 kl 10:12 skrev Nordic Goods <support@nordic.example>:",
        "Den 7. des. 2026 kl. 10:12 skrev Nordic Goods <support@nordic.example>:",
        "Den 7. dec. 2026 kl. 10.12 skrev Nordic Goods <support@nordic.example>:",
        # Wrapped by the mail client before the address's end.
        "Den mån 7 dec. 2026 kl 10:12 skrev Nordic Goods <\nsupport@nordic.example>:",
    ],
)
def test_the_quote_under_a_mail_clients_line_is_cut_off(header):
    text = f"Tack, men paketet har inte kommit.\n\n{header}\n{QUOTED}"
    assert strip_reply(text) == "Tack, men paketet har inte kommit."


@pytest.mark.parametrize(
    "block",
    [
        "Från: Nordic Goods <support@nordic.example>\nSkickat: den 7 december 2026"
        " 10:12\nTill: anna@example.com\nÄmne: Din order ORD-1",
        "Fra: Nordic Goods <support@nordic.example>\nSendt: 7. desember 2026"
        " 10:12\nTil: ola@example.no\nEmne: Din ordre ORD-1",
        "-----Oprindelig meddelelse-----\nFra: Nordic Goods",
        "-----Ursprungligt meddelande-----\nFrån: Nordic Goods",
    ],
)
def test_outlooks_header_block_and_the_original_message_rule_cut_it_off(block):
    text = f"Hvor er pakken min?\n\n{block}\n\nHej, din order är skickad."
    assert strip_reply(text) == "Hvor er pakken min?"


@pytest.mark.parametrize(
    "signature",
    ["Skickat från min iPhone", "Sendt fra min iPad", "Hämta Outlook för iOS"],
)
def test_a_phones_signature_is_cut_off(signature):
    assert strip_reply(f"Var är mitt paket?\n\n{signature}") == "Var är mitt paket?"


def test_the_customers_own_words_with_a_time_and_a_colon_stay():
    """Only the client's header line starts a quote: the customer's sentence
    about when they wrote stays with what follows it."""
    text = "Hej!\nJag skrev till er i går kl. 10:30 om detta:\nPaketet är skadat."
    assert strip_reply(text) == text


def test_a_message_that_is_only_a_quote_keeps_its_words():
    text = "Den 7 dec. 2026 kl. 10:12 skrev Anna:\n> Var är mitt paket?"
    assert strip_reply(text)
