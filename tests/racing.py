"""Running code in threads released at once, for tests of races."""

import threading
from contextlib import contextmanager

from django.db import connection, transaction


def race(targets) -> list[Exception]:
    """Run the targets in threads released at once; returns the errors raised."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@contextmanager
def rows_locked_elsewhere(queryset):
    """While the block runs, another connection holds `SELECT ... FOR UPDATE` on the
    queryset's rows (as another worker's open transaction would)."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(queryset.select_for_update())
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30), "the rows were never locked"
        yield
    finally:
        release.set()
        holder.join()
