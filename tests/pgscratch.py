"""A scratch PostgreSQL database and a non-superuser role, as a DBA gives them to the application: the operations
drills (pg_trgm for a user who may not create it, the documented restore) run ``manage.py`` against them in child
processes, as an operator would. Made and dropped as the test database's account, which must be a superuser."""

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import connection

PROJECT = Path(__file__).resolve().parents[1]


def connect(dbname: str) -> psycopg.Connection:
    """``dbname`` on the test database's server, as the test database's account (the DBA), in autocommit."""
    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"],
                           password=settings["PASSWORD"] or None, dbname=dbname, autocommit=True)


class Scratch:
    """An empty database owned by the DBA and the application's role, which owns no database."""

    def __init__(self, name: str, role: str, password: str) -> None:
        self.name, self.role, self.password = name, role, password
        self.query = ""  # DATABASE_URL's query string: "?options=…"

    def url(self) -> str:
        settings = connection.settings_dict
        host = settings["HOST"] or "127.0.0.1"
        return f"postgres://{self.role}:{self.password}@{host}:{settings['PORT'] or 5432}/{self.name}{self.query}"

    def sql(self, query: str) -> list[tuple]:
        """``query`` in the scratch database as the test database's (superuser) account: the DBA."""
        with connect(self.name) as dba:
            cursor = dba.execute(query)
            return cursor.fetchall() if cursor.description else []

    def manage(self, media: Path, *arguments: str) -> subprocess.CompletedProcess:
        """``manage.py *arguments`` as the role, in a child process with its own DATABASE_URL and MEDIA_ROOT."""
        environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DATABASE_URL"}}
        environment.update(DATABASE_URL=self.url(), MEDIA_ROOT=str(media))
        return subprocess.run([sys.executable, "manage.py", *arguments], cwd=PROJECT, env=environment,
                              capture_output=True, text=True, timeout=600)


@contextmanager
def scratch_database(prefix: str, *, grant_public: bool) -> Iterator[Scratch]:
    """A new database and role named ``<prefix>_drill_…`` / ``<prefix>_app_…``, dropped afterwards; with
    ``grant_public`` the role may create tables in ``public`` (PostgreSQL 15 no longer lets everyone)."""
    with connect("postgres") as admin:
        [(superuser,)] = admin.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchall()
        if not superuser:
            pytest.skip("the test database's account cannot create roles and databases")
        suffix = f"{os.getpid()}_{secrets.token_hex(3)}"
        made = Scratch(f"{prefix}_drill_{suffix}", f"{prefix}_app_{suffix}", secrets.token_hex(16))
        admin.execute(f"CREATE ROLE {made.role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{made.password}'")
        try:
            admin.execute(f"CREATE DATABASE {made.name}")  # owned by the DBA: the role has no CREATE on it
            if grant_public:
                made.sql(f"GRANT CREATE ON SCHEMA public TO {made.role}")
            yield made
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {made.name} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {made.role}")
