"""The demo: data seeders for development, demos and the tests (`make run` loads it
with `manage.py demo`).

The top of the import order: the demo may import every app (it writes through their
services), and no app imports it. Modules by what they seed: `demo.orders` (the
cast and two months of orders), `demo.messaging`, `demo.invoices`,
`demo.shipments` (sandbox courier accounts and a delivery history), `demo.portal`,
and `demo.sandbox` (our parcels into the sandbox courier's state file).
"""
