"""What the apps above privacy (the portal) add to an export and an erasure.

`customer_exporting` is sent while the export reads the customer's records;
`customer_erasing` INSIDE the erasure's transaction, like
`orders.signals.customer_merging`, so a receiver's rows are erased in the same
commit. Receivers take `customer` and return a dict: the export's sections
(JSON-ready), or the erasure's counts.
"""

from django.dispatch import Signal

# customer -> {"section": [...], ...}
customer_exporting = Signal()
# customer, actor -> {"what": count, ...}
customer_erasing = Signal()
