"""Domain events of the orders app, recorded with the change and
dispatched by the appliers (performile.events).

Higher apps subscribe in their AppConfig.ready(); every receiver gets
`order_id` and, where it applies, the values named below.
"""

from django.dispatch import Signal

from performile.events import DomainSignal

# order_id, source, tracking_number (the new order's, "" if none)
order_created = DomainSignal("orders.order_created")
# order_id, from_status, to_status, actor_id, note
order_status_changed = DomainSignal("orders.order_status_changed")
# order_id, changed (list of field names)
order_updated = DomainSignal("orders.order_updated")
# order_id
order_deleted = DomainSignal("orders.order_deleted")
# order_id, amount (Decimal), currency, method (the order's payment method, e.g.
# "stripe", "crypto"), reference: a payment someone verified and logged on the
# order (the Discord desk's /addorder); invoices records it.
order_payment_logged = DomainSignal("orders.order_payment_logged")
# order_id, money (orders.ingestion.incoming.IncomingMoney), source: what a webshop
# says about the order's money (payments, refunds, a cancellation); invoices
# records it idempotently by the webshop's own ids.
order_webshop_money = DomainSignal("orders.order_webshop_money")
# customer_id, into_id: sent INSIDE the merging transaction (unlike the others), so
# that higher apps move their rows of the customer in the same transaction
# (orders.customers.customer_merge).
customer_merging = Signal()
