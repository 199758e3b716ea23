from pathlib import Path

from orders.docs import transition_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "order-status.md"


def test_documented_transitions_match_the_state_machine():
    """docs/order-status.md shows exactly the table the code enforces."""
    assert transition_table() in DOC.read_text()
