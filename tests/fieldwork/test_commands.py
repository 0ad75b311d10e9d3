"""``verify_records`` finds what changed behind a seal, including a record that is gone."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from .conftest import submitted

pytestmark = pytest.mark.django_db


def test_verify_records(task, users):
    record = submitted(task, users["inspector"])
    out = StringIO()
    call_command("verify_records", stdout=out, stderr=StringIO())
    assert "已核验 1 份记录" in out.getvalue()
    call_command("verify_records", record.number, stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="没有这些已封存的记录"):
        call_command("verify_records", "JL-NONE", stdout=StringIO(), stderr=StringIO())
    if connection.vendor == "postgresql":
        return  # PostgreSQL refuses the deletions below outright (test_sealing)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM fieldwork_followup WHERE record_id = %s", [record.pk])
        cursor.execute("DELETE FROM fieldwork_signature WHERE record_id = %s", [record.pk])
        cursor.execute("DELETE FROM fieldwork_itemresult WHERE record_id = %s", [record.pk])
        cursor.execute("DELETE FROM fieldwork_inspectionrecord WHERE id = %s", [record.pk])
    err = StringIO()
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("verify_records", stdout=StringIO(), stderr=err)
    assert f"{record.number}：" in err.getvalue() and "数据库中已没有这份记录" in err.getvalue()
