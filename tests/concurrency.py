"""Two people acting on the same object at the same moment, made to collide the same way on every run.

The first action runs in a transaction that stays open after its work is done; the second starts then, and the
first commits only once the second waits on a lock (PostgreSQL's ``pg_stat_activity`` says so) or has finished.
Without the wait, which of two threads reaches the row first is luck, and a race test passes by chance.

PostgreSQL only: on SQLite the IMMEDIATE transaction mode makes the second writer wait for the first at BEGIN,
and the in-memory test database has one connection (tests/planning/test_concurrency.py).
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction

WAIT_SECONDS = 30


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need PostgreSQL; on SQLite the IMMEDIATE transaction mode makes the "
                    "second writer wait for the first at BEGIN, and the in-memory test database has one connection")


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def refused(self) -> str:
        """The message of the refusal (a ValidationError's first message, else the error's text)."""
        messages = getattr(self.error, "messages", None)
        return messages[0] if messages else str(self.error)


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def collide(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Outcome, Outcome]:
    """Run ``first`` and ``second`` as two users would at the same moment; return what each got.

    ``first`` does its work in a transaction left open; ``second`` starts (in its own thread and connection) and
    is let run until it waits on a lock or ends; then ``first`` commits. Each callable's return value or the
    exception it raised is its ``Outcome``."""
    outcomes = (Outcome(), Outcome())
    first_done, release_first = threading.Event(), threading.Event()

    def run_first() -> None:
        try:
            with transaction.atomic():
                try:
                    outcomes[0].value = first()
                finally:
                    first_done.set()
                    release_first.wait(WAIT_SECONDS)
        except Exception as error:  # reported to the test, which asserts on it
            outcomes[0].error = error
        finally:
            connection.close()

    def run_second() -> None:
        try:
            outcomes[1].value = second()
        except Exception as error:
            outcomes[1].error = error
        finally:
            connection.close()

    one = threading.Thread(target=run_first)
    one.start()
    assert first_done.wait(WAIT_SECONDS), "the first action did not finish its work"
    two = threading.Thread(target=run_second)
    two.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while two.is_alive() and not _waiting_on_a_lock():
        assert time.monotonic() < deadline, "the second action neither waited on a lock nor finished"
        time.sleep(0.01)
    release_first.set()
    one.join(WAIT_SECONDS)
    two.join(WAIT_SECONDS)
    assert not one.is_alive() and not two.is_alive(), "an action is still running: a deadlock?"
    return outcomes
