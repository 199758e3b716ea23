"""The sandbox courier: a small, standalone courier service shipped for development,
tests, demos and benchmarks.

    python -m sandbox_courier --port 8090 [--speed N] [--state FILE]

It plays another company's API (no Django in here): books shipments with generated
tracking numbers and PDF labels, moves parcels through realistic events over time,
and posts signed webhooks. docs/couriers.md ("Sandbox courier") describes its API;
`shipments.couriers.sandbox` is our adapter for it, and `sandbox_courier.harness`
starts it from tests and benchmarks.
"""
