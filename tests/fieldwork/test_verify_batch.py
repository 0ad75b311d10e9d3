"""``verify_records`` checks the sealed records in batches (``sealing.verify_batch``: each batch's items,
signatures, attachments and seal events in one query each). Every kind of change behind a seal is still found,
and named for its own record only; the command's queries do not grow with the number of records."""

import importlib
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import sealing, services
from shuangsuiji.fieldwork.models import InspectionRecord
from shuangsuiji.planning.models import MemberRole
from shuangsuiji.registry.models import Target

from .conftest import code_for, fill, make_task, photo, sign_all, signature_png

pytestmark = pytest.mark.django_db

GUARDS = importlib.import_module("shuangsuiji.fieldwork.migrations.0002_sealed_records")


@contextmanager
def seal_guards_off():
    """Write behind the seal as someone with the database's own rights would (a tampered backup restored)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # no triggers fire
            try:
                yield cursor
            finally:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        else:
            for statement in GUARDS.SQLITE_REVERSE:
                cursor.execute(statement)
            try:
                yield cursor
            finally:
                for statement in GUARDS.SQLITE:
                    cursor.execute(statement)


def sealed_records(count: int, users, target, items, team) -> list[InspectionRecord]:
    """``count`` sealed records of as many tasks (and targets), each with a photo."""
    user = users["inspector"]
    records = []
    for n in range(count):
        visited = target if n == 0 else Target.objects.create(
            credit_code=code_for("130623", 100 + n), name=f"涞水县第{n}化工有限公司", jurisdiction=target.jurisdiction,
            address="涞水县经济开发区创业路9号", legal_representative="孙一", contact_name="李经理",
            contact_phone="0312-4500002")
        task = make_task(visited, items, [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)])
        record = fill(services.do_start_record(task, acting_user=user), user)
        services.do_add_attachment(record, photo(f"照片{n}.jpg", color=("green", "red", "blue")[n % 3]),
                                   acting_user=user)
        sign_all(record, user)
        records.append(services.do_submit_record(record, acting_user=user))
    return records


def run(*numbers: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_records", *numbers, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_each_change_behind_a_seal_is_named_for_its_own_record(users, target, items, team):
    records = sealed_records(7, users, target, items, team)
    intact_first, item_changed, signature_changed, photo_lost, photo_changed, event_gone, intact_last = records
    officer = signature_changed.signatures.get(role="officer", inspector=team["first"])
    with seal_guards_off() as cursor:
        cursor.execute("UPDATE fieldwork_itemresult SET notes = %s WHERE id = %s",
                       ["补记：设施运行正常", item_changed.items.order_by("order").first().pk])
        cursor.execute("UPDATE fieldwork_signature SET image = %s WHERE id = %s", [signature_png(7), officer.pk])
    (Path(settings.MEDIA_ROOT) / photo_lost.attachments.get().file.name).unlink()
    with open(Path(settings.MEDIA_ROOT) / photo_changed.attachments.get().file.name, "ab") as handle:
        handle.write(b"tampered")
    Event.objects.filter(action="record.seal", object_id=str(event_gone.pk)).delete()

    expected = [
        f"{item_changed.number}：记录现有内容与封存时不一致",
        f"{signature_changed.number}：{officer.name} 的签名与其哈希不符",
        f"{photo_lost.number}：附件“照片3.jpg”已丢失",
        f"{photo_changed.number}：附件“照片4.jpg”与其哈希不符",
        f"{event_gone.number}：审计日志中没有该封存哈希的封存事件",
    ]
    with pytest.raises(CommandError, match=r"^5 处不一致$"):
        run()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_records", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == expected
    # the one-record path names the same, record by record; the intact neighbours stay intact
    assert [problem for record in records for problem in sealing.verify(record)] == expected
    assert sealing.verify(intact_first) == [] and sealing.verify(intact_last) == []
    assert sealing.verify_batch(records) == [[], expected[0:1], expected[1:2], expected[2:3], expected[3:4],
                                             expected[4:5], []]
    out, err_text = run(intact_first.number, intact_last.number)
    assert "已核验 2 份记录，全部与封存一致。" in out and err_text == ""


def test_a_seal_event_of_another_record_does_not_stand_in(users, target, items, team):
    """Each record's seal hash is looked for among its own events only, though they are read for the batch."""
    first, second = sealed_records(2, users, target, items, team)
    event = Event.objects.get(action="record.seal", object_id=str(second.pk))
    # the second's seal hash, logged against the first record; the second's own event gone
    Event.objects.create(action="record.seal", content_type=event.content_type, object_id=str(first.pk),
                         object_repr=first.number, changes={"seal_hash": [None, second.seal_hash]},
                         hash="0" * 64, prev_hash="0" * 64)
    event.delete()
    assert sealing.verify_batch([first, second]) == [
        [], [f"{second.number}：审计日志中没有该封存哈希的封存事件"]]


def _queries(numbers: list[str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        call_command("verify_records", *(numbers or []), stdout=StringIO(), stderr=StringIO())
    return len(queries)


def test_the_queries_do_not_grow_with_the_records(users, target, items, team):
    records = sealed_records(5, users, target, items, team)
    one, all_five = _queries([records[0].number]), _queries([r.number for r in records])
    assert one == all_five, (one, all_five)
    assert _queries() <= 10  # the whole run: records, their batch's four, the seal events, the count
    batch = list(InspectionRecord.objects.sealed().select_related(
        "task", "recheck", "amends", "sealed_by", "amendment_approved_by", "on_site_approval__decided_by",
        "on_site_clue__decided_by"))
    with CaptureQueriesContext(connection) as queries:
        assert sealing.verify_batch(batch) == [[]] * 5
    assert len(queries) == 4  # items, attachments, signatures, seal events


def test_no_files_compares_the_attachments_rows_and_leaves_their_files_to_verify_files(users, target, items, team):
    """The nightly job runs ``verify_records --no-files`` and ``verify_files``: each file read once, nothing left."""
    row_changed, photo_lost = sealed_records(2, users, target, items, team)
    recorded = row_changed.attachments.get().sha256
    with seal_guards_off() as cursor:
        cursor.execute("UPDATE fieldwork_attachment SET sha256 = %s WHERE record_id = %s", ["0" * 64, row_changed.pk])
    lost = photo_lost.attachments.get()
    (Path(settings.MEDIA_ROOT) / lost.file.name).unlink()

    err = StringIO()
    with pytest.raises(CommandError, match=r"^1 处不一致$"):
        call_command("verify_records", "--no-files", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [f"{row_changed.number}：记录现有内容与封存时不一致"]
    err = StringIO()
    with pytest.raises(CommandError, match=r"^3 处不一致$"):  # the default still reads every file
        call_command("verify_records", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [f"{row_changed.number}：记录现有内容与封存时不一致",
                                           f"{row_changed.number}：附件“照片0.jpg”与其哈希不符",
                                           f"{photo_lost.number}：附件“照片1.jpg”已丢失"]
    err = StringIO()
    with pytest.raises(CommandError, match=r"^2 处不一致$"):
        call_command("verify_files", "--no-strays", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        f"记录 {row_changed.number} 的附件“照片0.jpg”：文件与上传时记录的SHA-256不符，已被改动（"
        f"{row_changed.attachments.get().file.name}）",
        f"记录 {photo_lost.number} 的附件“照片1.jpg”：文件已丢失（{lost.file.name}）"]

    with seal_guards_off() as cursor:  # put the row back: rows-only is then clean, and says what it left out
        cursor.execute("UPDATE fieldwork_attachment SET sha256 = %s WHERE record_id = %s",
                       [recorded, row_changed.pk])
    out = StringIO()
    call_command("verify_records", row_changed.number, "--no-files", stdout=out, stderr=StringIO())
    assert "已核验 1 份记录，全部与封存一致。（未读取附件文件，请用 verify_files 核验）" in out.getvalue()
