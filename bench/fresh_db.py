"""The environment a benchmark's measured phase runs in: a fresh, empty database and DEBUG off.

Shared by the benchmarks that run their phases in child processes (``python bench/x.py --phase …``): each
phase then sees a database nobody else wrote to, and no query log kept in memory, as in production.
"""

import os


def fresh_environment(folder: str) -> dict[str, str]:
    """``os.environ`` with DEBUG off and ``DATABASE_URL`` an empty database: a new SQLite file in ``folder`` by
    default, or the PostgreSQL database the caller named, dropped and created again."""
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    env["DEBUG"] = "False"  # as in production: no query log kept in memory
    if env["DATABASE_URL"].startswith("postgres"):
        import psycopg

        base, name = env["DATABASE_URL"].rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    return env
