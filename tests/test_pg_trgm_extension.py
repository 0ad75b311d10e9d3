"""The migrations' ``pg_trgm`` as a bureau's database user, who is not a superuser (docs/operations.md, "Running it
for a bureau"): without the extension and without the right to create it, ``migrate`` says what the DBA must do;
once the DBA has created it, the same user migrates.

The second test: the extension created by the DBA in a schema off the role's search_path, where migrate must name
the schema and the cure (ALTER EXTENSION pg_trgm SET SCHEMA public) instead of failing on gin_trgm_ops.

The others: a user whose search_path was set — as the role's default, as the role's default in the database, in
DATABASE_URL's options — keeps his tables in a schema of his own, not in the DBA's ``public``. The messages name that
schema and where the path was set, so the DBA's CREATE EXTENSION (or the path's cure) goes where the user looks.

PostgreSQL only (SQLite has no extensions). A scratch database and a role of its own, made and dropped here as the
test database's superuser; ``migrate`` runs in a child process as that role, up to registry 0003 (the first
migration that needs the extension; disclosure 0002 and 0003 call the same function), so the test stays within
a minute. The whole migration as such a user is the drill recorded in docs/operations.md."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.pgscratch import Scratch, scratch_database

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's extensions")


@pytest.fixture
def scratch() -> Iterator[Scratch]:
    with scratch_database("trgm", grant_public=True) as made:
        yield made


def _migrate(scratch: Scratch, tmp_path: Path, *targets: str) -> subprocess.CompletedProcess:
    return scratch.manage(tmp_path / "media", "migrate", "--no-input", *targets)


def test_a_user_who_may_not_create_pg_trgm_is_told_what_to_do_and_migrates_once_the_dba_has(scratch, tmp_path):
    refused = _migrate(scratch, tmp_path, "registry", "0003")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    message = refused.stderr
    assert "Traceback" not in message, message  # the reason alone, not a stack to read it from
    assert "CREATE EXTENSION pg_trgm" in message and "docs/operations.md" in message, message
    assert scratch.name in message and scratch.role in message and "permission denied" in message, message
    applied = {name for (name,) in scratch.sql("SELECT name FROM django_migrations WHERE app = 'registry'")}
    assert "0002_validated_phones_and_coordinates" in applied and "0003_target_search_indexes" not in applied
    assert scratch.sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'") == []

    scratch.sql("CREATE EXTENSION pg_trgm")  # what docs/operations.md tells the DBA to do
    migrated = _migrate(scratch, tmp_path, "registry", "0003")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert scratch.sql(f"SELECT rolsuper FROM pg_roles WHERE rolname = '{scratch.role}'") == [(False,)]
    indexes = {name for (name,) in scratch.sql("SELECT indexname FROM pg_indexes WHERE tablename = 'registry_target'")}
    assert {"registry_target_name_trgm", "registry_target_address_trgm"} <= indexes


def test_pg_trgm_in_a_schema_off_the_users_search_path_is_named_with_the_dbas_cure(scratch, tmp_path):
    """The DBA created the extension, but in a schema of its own the application's user does not search: the
    index would fail with "operator class gin_trgm_ops does not exist"; migrate names the schema and the cure."""
    scratch.sql("CREATE SCHEMA trgm_ext")
    scratch.sql("CREATE EXTENSION pg_trgm SCHEMA trgm_ext")
    refused = _migrate(scratch, tmp_path, "registry", "0003")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    message = refused.stderr
    assert "Traceback" not in message and "gin_trgm_ops\" does not exist" not in message, message
    assert "trgm_ext" in message and "ALTER EXTENSION pg_trgm SET SCHEMA public" in message, message
    assert "search_path" in message and scratch.role in message and scratch.name in message, message
    applied = {name for (name,) in scratch.sql("SELECT name FROM django_migrations WHERE app = 'registry'")}
    assert "0002_validated_phones_and_coordinates" in applied and "0003_target_search_indexes" not in applied

    scratch.sql("ALTER EXTENSION pg_trgm SET SCHEMA public")  # what the message tells the DBA to do
    migrated = _migrate(scratch, tmp_path, "registry", "0003")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    indexes = {name for (name,) in scratch.sql("SELECT indexname FROM pg_indexes WHERE tablename = 'registry_target'")}
    assert {"registry_target_name_trgm", "registry_target_address_trgm"} <= indexes


def _own_schema(scratch: Scratch) -> None:
    """A schema the role owns, as a DBA gives an application that shares its database with others."""
    scratch.sql(f"CREATE SCHEMA app AUTHORIZATION {scratch.role}")


def _applied(scratch: Scratch, schema: str) -> set[str]:
    query = f"SELECT name FROM {schema}.django_migrations WHERE app = 'registry'"
    return {name for (name,) in scratch.sql(query)}


def _trigram_indexes(scratch: Scratch, schema: str) -> set[str]:
    query = f"SELECT indexname FROM pg_indexes WHERE schemaname = '{schema}' AND tablename = 'registry_target'"
    return {name for (name,) in scratch.sql(query)} & {"registry_target_name_trgm", "registry_target_address_trgm"}


def test_a_role_default_search_path_is_named_and_the_extension_goes_into_the_users_schema(scratch, tmp_path):
    """The role's tables are in app (ALTER ROLE … SET search_path): a DBA's plain CREATE EXTENSION would put
    pg_trgm in his own public, off the role's path; the message says SCHEMA app, and that is enough."""
    _own_schema(scratch)
    scratch.sql(f"ALTER ROLE {scratch.role} SET search_path = app")
    refused = _migrate(scratch, tmp_path, "registry", "0003")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    message = refused.stderr
    assert "Traceback" not in message and "permission denied" in message, message
    assert "CREATE EXTENSION pg_trgm SCHEMA app;" in message and "应用的表建在模式 app 中" in message, message
    assert f"角色的默认设置（ALTER ROLE {scratch.role} SET search_path）" in message, message
    assert "0002_validated_phones_and_coordinates" in _applied(scratch, "app")

    scratch.sql("CREATE EXTENSION pg_trgm SCHEMA app")  # what the message tells the DBA to do
    migrated = _migrate(scratch, tmp_path, "registry", "0003")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert len(_trigram_indexes(scratch, "app")) == 2


def test_a_search_path_set_for_the_role_in_the_database_is_named_over_the_roles_own(scratch, tmp_path):
    """ALTER ROLE … IN DATABASE … prevails over the role's default: the message names the one in force."""
    _own_schema(scratch)
    scratch.sql(f"ALTER ROLE {scratch.role} SET search_path = public")
    scratch.sql(f"ALTER ROLE {scratch.role} IN DATABASE {scratch.name} SET search_path = app")
    refused = _migrate(scratch, tmp_path, "registry", "0003")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    message = refused.stderr
    assert "CREATE EXTENSION pg_trgm SCHEMA app;" in message and "搜索路径（search_path）为 app" in message, message
    assert f"ALTER ROLE {scratch.role} IN DATABASE {scratch.name} SET search_path" in message, message
    assert "0002_validated_phones_and_coordinates" in _applied(scratch, "app")


def test_a_search_path_in_the_database_urls_options_is_named(scratch, tmp_path):
    """``?options=-c search_path=app`` in DATABASE_URL prevails over every ALTER ROLE: the message says so."""
    _own_schema(scratch)
    scratch.sql(f"ALTER ROLE {scratch.role} IN DATABASE {scratch.name} SET search_path = public")
    scratch.query = "?options=-c%20search_path%3Dapp"
    refused = _migrate(scratch, tmp_path, "registry", "0003")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    message = refused.stderr
    assert "CREATE EXTENSION pg_trgm SCHEMA app;" in message and "DATABASE_URL 的 options" in message, message
    assert "0002_validated_phones_and_coordinates" in _applied(scratch, "app")

    scratch.sql("CREATE EXTENSION pg_trgm SCHEMA app")
    migrated = _migrate(scratch, tmp_path, "registry", "0003")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert len(_trigram_indexes(scratch, "app")) == 2 and _trigram_indexes(scratch, "public") == set()


def test_the_path_cure_for_an_extension_off_the_path_changes_the_path_where_it_was_set(scratch, tmp_path):
    """The path came from ALTER ROLE … IN DATABASE: a cure by plain ALTER ROLE … SET would change nothing, so the
    message gives the IN DATABASE form, and that form (with the USAGE grant) lets the migration through."""
    _own_schema(scratch)
    scratch.sql(f"ALTER ROLE {scratch.role} IN DATABASE {scratch.name} SET search_path = app")
    scratch.sql("CREATE SCHEMA trgm_ext")
    scratch.sql("CREATE EXTENSION pg_trgm SCHEMA trgm_ext")
    refused = _migrate(scratch, tmp_path, "registry", "0003")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    message = refused.stderr
    assert "装在模式 trgm_ext 中" in message and "ALTER EXTENSION pg_trgm SET SCHEMA app;" in message, message
    cure = f"ALTER ROLE {scratch.role} IN DATABASE {scratch.name} SET search_path = app, trgm_ext;"
    grant = f"GRANT USAGE ON SCHEMA trgm_ext TO {scratch.role};"
    assert cure in message and grant in message, message

    scratch.sql(grant)
    scratch.sql(cure)
    migrated = _migrate(scratch, tmp_path, "registry", "0003")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert len(_trigram_indexes(scratch, "app")) == 2
