"""Why a command is refused: the Discord desk's services raise `Refused` with the
text the caller reads, and the command answers it (ephemeral, `replies.error`).

The first three are the guide's error messages (seeds/000), word for word.
"""

from django.utils.translation import gettext_lazy as _

# /trackorder's refusal is read by customers: in their language (the others are the
# staff's commands, English).
NOT_FOUND = _("❌ Order ID not found")
PERMISSION_DENIED = "❌ Permission denied"
UPDATE_FAILED = "❌ Failed to update order"

ORDER_EXISTS = "❌ Order ID already exists"
ADD_FAILED = "❌ Failed to add order"
INVALID_AMOUNT = "❌ Invalid amount"
INVALID_PAYMENT_METHOD = "❌ Invalid payment method"


class Refused(Exception):
    """The command is refused: `text`, and `detail` (what went wrong) when it helps."""

    def __init__(self, text: str, detail: str = ""):
        super().__init__(text)
        self.text = text
        self.detail = detail
