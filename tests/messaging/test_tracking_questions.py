"""Which messages ask where the order is, in the four languages of our customers."""

import pytest

from messaging import tracking_questions


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hi, where is my order? It's been a week.", "en"),
        ("Where's my parcel??", "en"),
        ("Can I get a tracking number please", "en"),
        ("When will my package arrive?", "en"),
        ("My order still hasn't arrived", "en"),
        ("Hello, is order #1042 on its way? Thanks", "en"),
        ("Hi! Any news on ORD-10042? I need it before Friday", "en"),
        ("Hej! Var är mitt paket?", "sv"),
        ("När kommer min beställning?", "sv"),
        ("Jag har inte fått min order än", "sv"),
        ("Hei, hvor er pakken min?", "no"),
        ("Når kommer bestillingen min?", "no"),
        ("Hvornår kommer min ordre?", "da"),
        ("Hvor er min pakke henne?", "no"),  # Norwegian and Danish share it
    ],
)
def test_asks_where_the_order_is(text, language):
    question = tracking_questions.read(text)

    assert question.asks_where
    assert question.language == language
    assert not question.other


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, the mug is lovely!",
        "Can I pay by invoice next time?",
        "Tack för snabb leverans!",
        "Kan jeg få en faktura?",
        "This is the best shop, it has left me speechless",
        "",
    ],
)
def test_other_messages_do_not(text):
    assert not tracking_questions.read(text).asks_where


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order? And I want a refund for the broken mug.",
        "Var är mitt paket? Jag vill returnera tröjan.",
        "Hvor er pakken min? Den forrige var ødelagt.",
        "Where is my order? " + "I need it for the party on Saturday. " * 12,
    ],
)
def test_a_question_with_more_in_it_still_needs_a_person(text):
    question = tracking_questions.read(text)

    assert question.asks_where
    assert question.other


def test_the_quoted_text_of_a_reply_is_not_read():
    text = (
        "Thanks, that's all!\n\n"
        "On Mon, 7 Dec 2026 at 10:02, Nordic Goods <support@nordic.example> wrote:\n"
        "> Where is my order? Track it here: https://track.example/1"
    )

    assert not tracking_questions.read(text).asks_where
