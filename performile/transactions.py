"""Work that must wait for the current transaction to commit: a broadcast, a task
queued, a file deleted. Outside a transaction it runs at once.

Every such call goes through `after_commit`, so each is robust the same way: an
error in it is logged (Django's `robust` on_commit) and neither undoes the change
that committed nor reaches the caller, whose sweep or retry picks the work up.
"""

from functools import wraps

from django.db import transaction


def after_commit(function, *args, **kwargs) -> None:
    """`function(*args, **kwargs)` once the current transaction commits."""

    @wraps(function)  # Django names it when it logs an error in it
    def run():
        return function(*args, **kwargs)

    transaction.on_commit(run, robust=True)


def delete_files_after_commit(storage, names) -> None:
    """Delete the stored files `names` once the rows that named them are changed
    for good (a rollback keeps them)."""
    after_commit(_delete_files, storage, list(names))


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)
