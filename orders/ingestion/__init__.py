"""Webshop payloads turned into one shape (`IncomingOrder`) for the orders services.

One module per source: it parses and validates a provider's payload and raises
`MalformedPayload` naming what is wrong. Nothing here writes.
"""
