"""``verify_records`` finds what changed behind a seal, including a record that is gone; ``verify_files`` every
stored file missing, altered or unknown to the database."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import FollowUp, Handling

from .conftest import photo, submitted

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


def _stored(row) -> Path:
    return Path(settings.MEDIA_ROOT) / row.file.name


def test_verify_files_names_missing_altered_and_unknown_files(task, users):
    """A follow-up's evidence and a draft's photo are stored files too, which verify_records never read: a restore
    that lost or changed them, or a database older than the files, went unnoticed."""
    inspector = users["inspector"]
    record = submitted(task, inspector, problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    evidence = services.do_add_evidence(follow_up, photo("回执.jpg", "red"), acting_user=inspector)
    out = StringIO()
    call_command("verify_files", stdout=out, stderr=StringIO())
    assert "已核验 1 个文件" in out.getvalue()
    call_command("verify_records", stdout=StringIO(), stderr=StringIO())  # the sealed record is intact

    _stored(evidence).write_bytes(b"altered")
    err = StringIO()
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("verify_files", stdout=StringIO(), stderr=err)
    assert f"记录 {record.number} 的问题处置佐证材料“回执.jpg”：文件与上传时记录的SHA-256不符" in err.getvalue()
    _stored(evidence).unlink()
    err = StringIO()
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("verify_files", stdout=StringIO(), stderr=err)
    assert "“回执.jpg”：文件已丢失" in err.getvalue()

    # the files of a later day beside a database restored from an earlier one
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "fieldwork")
    with pytest.raises(CommandError, match="没有 fieldwork/ 目录，而数据库记有 1 个文件"):
        call_command("verify_files", stdout=StringIO(), stderr=StringIO())
    stray = Path(settings.MEDIA_ROOT) / "fieldwork/2026/11/ab/later.jpg"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"a photo uploaded after the database's backup")
    err = StringIO()
    with pytest.raises(CommandError, match="2 处不一致"):
        call_command("verify_files", stdout=StringIO(), stderr=err)
    assert "fieldwork/2026/11/ab/later.jpg：" in err.getvalue()
    assert "存入，数据库中既没有它的记录，也没有它的上传事件（数据库的最后一个审计事件在 " in err.getvalue()
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("verify_files", "--no-strays", stdout=StringIO(), stderr=StringIO())


def test_verify_files_refuses_a_media_volume_not_mounted_even_before_the_first_file(db):
    """The check is /healthz's and sweep_rejected_uploads' (``media.volume_problem``): over an empty mount point it
    said "已核验 0 个文件，全部与上传时一致" and exited 0 while the database held no file yet."""
    mount_point = Path(settings.MEDIA_ROOT)
    mount_point.mkdir(parents=True, exist_ok=True)
    with pytest.raises(CommandError, match=r"下没有 fieldwork/ 目录，而数据库记有 0 个文件：媒体卷没有挂载"):
        call_command("verify_files", verbosity=0, stdout=StringIO(), stderr=StringIO())
    (mount_point / "fieldwork").mkdir()  # what migrate makes on a new install
    out = StringIO()
    call_command("verify_files", stdout=out, stderr=StringIO())
    assert "已核验 0 个文件" in out.getvalue()


def test_verify_files_passes_over_a_photo_removed_from_a_draft(task, users):
    inspector = users["inspector"]
    record = services.do_start_record(task, acting_user=inspector)
    kept = services.do_add_attachment(record, photo("保留.jpg", "blue"), acting_user=inspector)
    removed = services.do_add_attachment(record, photo("删除.jpg", "red"), acting_user=inspector)
    services.do_remove_attachment(removed, acting_user=inspector)
    assert _stored(removed).exists()  # the audit chain names it, so it is no stray
    out = StringIO()
    call_command("verify_files", stdout=out, stderr=StringIO())
    assert "已核验 1 个文件" in out.getvalue() and "另有 1 个已从草稿中删除的附件文件" in out.getvalue()
    _stored(kept).write_bytes(b"x")
    err = StringIO()
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("verify_files", stdout=StringIO(), stderr=err)
    assert f"记录 {record.number} 的附件“保留.jpg”：文件与上传时记录的SHA-256不符" in err.getvalue()


DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_verify_files_names_a_moved_file_and_the_operations_guide_explains_each_message(task, users):
    """A file moved on the disk is missing under its row's path and, at its new path, an upload the audit chain
    knows with no row. docs/operations.md listed three of verify_files' messages: the operator reading the fourth
    found nothing saying what it meant or what to do."""
    inspector = users["inspector"]
    record = services.do_start_record(task, acting_user=inspector)
    attachment = services.do_add_attachment(record, photo("现场.jpg", "green"), acting_user=inspector)
    moved = Path(settings.MEDIA_ROOT) / "fieldwork" / "elsewhere" / Path(attachment.file.name).name
    moved.parent.mkdir(parents=True)
    _stored(attachment).rename(moved)
    err = StringIO()
    with pytest.raises(CommandError, match="2 处不一致"):
        call_command("verify_files", stdout=StringIO(), stderr=err)
    fourth = "审计日志记有这个文件的上传，数据库中却没有它的记录"
    assert f"fieldwork/elsewhere/{moved.name}：{fourth}" in err.getvalue()
    assert "“现场.jpg”：文件已丢失" in err.getvalue()
    guide = DOC.read_text(encoding="utf-8").split("### Backups, and checking a restore")[1].split("\n### ")[0]
    for message in ("下没有 fieldwork/ 目录，而数据库记有", "文件已丢失", "与上传时记录的SHA-256不符，已被改动",
                    "数据库中既没有它的记录，也没有它的上传事件", fourth):
        assert message in guide, message
