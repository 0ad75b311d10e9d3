"""The restore of docs/operations.md ("Backups, and checking a restore"), done as its block says by an application
role that is not a superuser: the DBA's preparation and ``pg_restore``'s options are read from the block, so the
test fails when the document's procedure does. The block said ``pg_restore --no-owner`` alone, which such a role
cannot complete (the dump's CREATE EXTENSION, its owners, its grants and the extension's comment each stop it).

The dump is the test database's, holding the tiny demo as far as its field records (sealed records, their photos,
the audit chain, the draws); the restored database then migrates (nothing to apply) and passes the four checks the
section prescribes. PostgreSQL only; a scratch database and role, made and dropped here as the test database's
superuser; the commands run in child processes, as an operator runs them."""

import os
import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from shuangsuiji.fieldwork.models import InspectionRecord
from tests.pgscratch import PROJECT, Scratch, scratch_database
from tests.seeding import seed_tiny_demo

DOC = PROJECT / "docs" / "operations.md"
CHECKS = ["verify_audit", "verify_records", "verify_published_draws", "verify_files"]
DOC_ROLE = "shuangsuiji"  # the application's role as the block names it

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore"),
              pytest.mark.django_db(transaction=True)]  # committed rows, for pg_dump to see


def _restore_block() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("To restore, into a new, empty database")
    return re.search(r"```sh\n(.*?)```", text[start:], re.S).group(1)


def _dba_statements(block: str) -> list[str]:
    """The SQL the DBA runs in the new database (the block's ``psql … -c '…'``), for the scratch role; none when the
    block has no such line (then pg_restore meets the refusals it would meet)."""
    lines = [line for line in block.splitlines() if line.startswith("psql ")]
    return [statement.replace(DOC_ROLE, "{role}") for line in lines for statement in re.findall(r"-c '([^']*)'", line)]


def _pg_restore_options(block: str) -> list[str]:
    [line] = [line for line in block.splitlines() if line.startswith("pg_restore ")]
    return [word for word in shlex.split(line) if word.startswith("--")]


def _libpq_environment() -> dict[str, str]:
    database = connection.settings_dict
    environment = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database[key]:
            environment[variable] = str(database[key])
    environment.setdefault("PGHOST", "127.0.0.1")
    return environment


@pytest.fixture
def scratch() -> Iterator[Scratch]:
    with scratch_database("restore", grant_public=False) as made:  # the block's createdb; its psql grants
        yield made


def test_the_documented_restore_by_a_role_that_is_not_a_superuser_migrates_and_verifies(scratch, tmp_path):
    seed_tiny_demo(timezone.localdate(), through="fieldwork")
    assert InspectionRecord.objects.filter(sealed_at__isnull=False).exists()
    media = Path(django_settings.MEDIA_ROOT)
    assert any((media / "fieldwork").rglob("*")), "the demo's photos, for verify_files to read after the restore"

    # "Backups": the dump and the files' archive
    dump, archive = tmp_path / "shuangsuiji.dump", tmp_path / "media.tar.gz"
    libpq = _libpq_environment()
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), connection.settings_dict["NAME"]], env=libpq, check=True,
                   timeout=300)
    subprocess.run(["tar", "-czf", str(archive), "-C", str(media), "."], check=True, timeout=300)

    # "To restore": the DBA's preparation, then pg_restore as the application's role, then the files
    block = _restore_block()
    for statement in _dba_statements(block):
        scratch.sql(statement.format(role=scratch.role))
    restored = subprocess.run(["pg_restore", *_pg_restore_options(block), "-d", scratch.url(), str(dump)],
                              env=dict(os.environ), capture_output=True, text=True, timeout=600)
    assert restored.returncode == 0, restored.stderr
    new_media = tmp_path / "restored-media"
    new_media.mkdir()
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(new_media)], check=True, timeout=300)

    assert scratch.sql(f"SELECT rolsuper FROM pg_roles WHERE rolname = '{scratch.role}'") == [(False,)]
    owners = scratch.sql("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
    assert owners == [(scratch.role,)]  # --no-owner: the role restoring owns what it restored
    triggers = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname"
    with connection.cursor() as cursor:
        cursor.execute(triggers)
        assert scratch.sql(triggers) == cursor.fetchall() != []  # the sealed records' and audit log's guards

    checked = scratch.manage(new_media, "migrate", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr  # the dump is of this code's schema
    migrated = scratch.manage(new_media, "migrate", "--no-input")
    assert migrated.returncode == 0 and "No migrations to apply" in migrated.stdout, migrated.stdout + migrated.stderr
    for check in CHECKS:
        verified = scratch.manage(new_media, check, "-v", "0")
        assert verified.returncode == 0, f"{check}: {verified.stdout}{verified.stderr}"
