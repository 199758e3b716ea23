"""Renders the state machine as the Markdown table in docs/order-status.md."""

from orders.state_machine import TRANSITIONS, OrderStatus, label


def transition_table() -> str:
    rows = ["| From | Can move to |", "|---|---|"]
    for status in OrderStatus:
        targets = (
            ", ".join(label(target) for target in TRANSITIONS[status]) or "— (final)"
        )
        rows.append(f"| {status.label} (`{status.value}`) | {targets} |")
    return "\n".join(rows)
