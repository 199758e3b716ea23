"""Domain events of the shipments app, sent after commit (performile.events)."""

from django.dispatch import Signal

# shipment_id
shipment_booked = Signal()
# shipment_id, status
shipment_status_changed = Signal()
