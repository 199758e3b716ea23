"""Domain events of the shipments app, recorded with the change and
dispatched by the appliers (performile.events)."""

from performile.events import DomainSignal

# shipment_id
shipment_booked = DomainSignal("shipments.shipment_booked")
# shipment_id, status
shipment_status_changed = DomainSignal("shipments.shipment_status_changed")
