"""after_commit: the work runs once the transaction commits, never after a
rollback, and an error in it is logged without reaching the caller."""

import logging

import pytest
from django.db import transaction

from performile.transactions import after_commit

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_work_runs_after_the_commit_and_not_after_a_rollback():
    done = []
    with transaction.atomic():
        after_commit(done.append, "committed")
        assert done == []
    assert done == ["committed"]

    with transaction.atomic():
        after_commit(done.append, "rolled back")
        transaction.set_rollback(True)
    assert done == ["committed"]


def test_an_error_in_it_is_logged_and_the_caller_goes_on(caplog):
    def broken():
        raise ConnectionError("the broker is gone")

    with caplog.at_level(logging.ERROR), transaction.atomic():
        after_commit(broken)

    assert "broken" in caplog.text
    assert "the broker is gone" in caplog.text
