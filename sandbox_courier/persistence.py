"""The sandbox's state file (--state): parcels survive a restart.

Journeys are not stored; they are replanned from each tracking number. While the
sandbox is stopped its parcels stand still, and they carry on from where they
were when it starts again.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from sandbox_courier import validation
from sandbox_courier.shipment import Shipment
from sandbox_courier.store import Store

logger = logging.getLogger("sandbox")
VERSION = 1
# What a state file we cannot read raises in `load`.
UNREADABLE = (AttributeError, KeyError, TypeError, ValueError)


def load(store: Store, path: Path) -> None:
    data = json.loads(path.read_text())
    with store.cond:
        for row in data.get("shipments", []):
            shipment = Shipment(**row)
            store.add(shipment, store.account(shipment.account))
        for key, entries in data.get("idempotency", {}).items():
            store.account(key).idempotency.update(
                {entry: tuple(value) for entry, value in entries.items()}
            )
        for shipment in store.shipments.values():
            store.schedule(shipment)
        store.dirty = False


def save(store: Store, path: Path) -> float:
    """Write the state atomically (a temporary file, then a rename); seconds taken."""
    started = time.monotonic()
    with store.cond:
        data = {
            "version": VERSION,
            "shipments": [s.to_json() for s in store.shipments.values()],
            "idempotency": {
                key: dict(account.idempotency)
                for key, account in store.accounts.items()
                if account.idempotency
            },
        }
        store.dirty = False
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False))
    os.replace(temporary, path)
    return time.monotonic() - started


def run_saver(store: Store, path: Path) -> None:
    """Save when something changed, at most every 5 s, and never spending more
    than ~5% of the time on it (100,000 parcels take about a second to write)."""
    interval = 5.0
    while not store.stopping:
        with store.cond:
            store.cond.wait_for(lambda: store.stopping, timeout=interval)
        if store.dirty and not store.stopping:
            interval = max(5.0, save(store, path) * 20)


def set_aside(path: Path, error: Exception) -> Path:
    """Move a state file we cannot read out of the way (it must not keep the
    sandbox from starting); where it went."""
    aside = path.with_name(path.name + ".unreadable")
    path.replace(aside)
    logger.warning("could not read %s (%r); moved it to %s", path, error, aside)
    return aside


def add_travelled(path: Path, parcels: list[dict]) -> int:
    """Add parcels booked elsewhere that have travelled already to the state file of
    a stopped sandbox, which carries each on from its last event when it starts.
    A parcel is a registration (the body of POST /v1/tracking) with `api_key` and
    `moves`: the times its first events happened. Numbers the file holds are left
    as they are; returns how many parcels were added."""
    store = Store()
    if path.exists():
        try:
            load(store, path)
        except UNREADABLE as exc:
            set_aside(path, exc)
            store = Store()
    added = 0
    for parcel in parcels:
        registration = validation.registration(dict(parcel))
        account = store.account(parcel["api_key"])
        added += store.add_travelled(account, registration, parcel["moves"]) is not None
    if added:
        path.parent.mkdir(parents=True, exist_ok=True)
        save(store, path)
    return added
