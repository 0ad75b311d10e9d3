"""``/healthz``: 200 while the database answers, 503 when it does not, for anyone, showing no data."""

import pytest
from django.db import DatabaseError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_server_and_its_database_answer_without_a_sign_in():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert Client().head("/healthz").status_code == 200
    assert Client().post("/healthz").status_code == 405


def test_a_database_that_does_not_answer_is_503_and_the_reason_stays_in_the_log(monkeypatch, caplog):
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise DatabaseError("connection to server at 10.0.0.5 refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert "10.0.0.5" not in response.content.decode()
    assert "10.0.0.5" in caplog.text
