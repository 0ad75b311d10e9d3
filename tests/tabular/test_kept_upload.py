"""Where a rejected upload waits for its download: a file of the default storage, its name in the session."""

import io
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.storage import default_storage
from django.core.management.base import CommandError

from shuangsuiji.media import FOLDER
from shuangsuiji.tabular.annotate import STORE, forget_rejected, keep_rejected, rejected_download
from shuangsuiji.tabular.importing import CellError, ImportRejected

REJECTED = ImportRejected([CellError(2, "单位名称", None, "必填")], total=1, rows=1)


def _upload(content: bytes) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.read()  # the import has read it to its end
    return upload


def _csv(name: str) -> bytes:
    return f"统一社会信用代码,单位名称\n91130623000000001X,{name}\n".encode()


def test_the_session_holds_the_name_of_the_kept_file_not_its_bytes(db):
    session = SessionStore()
    keep_rejected(session, "intake", _upload(_csv("甲公司")), "名录.csv", REJECTED)
    kept = session["tabular-rejected-upload"]
    assert kept["content"].startswith(f"{STORE}/") and "甲公司" not in repr(kept)
    with default_storage.open(kept["content"], "rb") as handle:
        assert handle.read() == _csv("甲公司")
    book, name = rejected_download(session, "intake")
    assert name == "名录（错误标注）.xlsx" and book[:2] == b"PK"
    assert rejected_download(session, "registry:targets") is None  # another page's upload is not offered


def test_the_next_upload_or_a_successful_import_deletes_the_kept_file(db):
    session = SessionStore()
    keep_rejected(session, "intake", _upload(_csv("甲公司")), "一.csv", REJECTED)
    first = session["tabular-rejected-upload"]["content"]
    keep_rejected(session, "intake", _upload(_csv("乙公司")), "二.csv", REJECTED)
    second = session["tabular-rejected-upload"]["content"]
    assert not default_storage.exists(first) and default_storage.exists(second)
    forget_rejected(session)
    assert not default_storage.exists(second) and "tabular-rejected-upload" not in session


def test_uploads_older_than_a_session_are_swept_and_a_swept_one_comes_back_as_the_list(db, settings):
    settings.SESSION_COOKIE_AGE = 3 * 86400
    abandoned, current = SessionStore(), SessionStore()
    keep_rejected(abandoned, "intake", _upload(_csv("甲公司")), "旧.csv", REJECTED)
    old = abandoned["tabular-rejected-upload"]["content"]
    four_days_ago = time.time() - 4 * 86400
    os.utime(default_storage.path(old), (four_days_ago, four_days_ago))
    keep_rejected(current, "intake", _upload(_csv("乙公司")), "新.csv", REJECTED)
    assert not default_storage.exists(old)
    assert default_storage.exists(current["tabular-rejected-upload"]["content"])
    book, _name = rejected_download(abandoned, "intake")  # its file is gone: the list alone
    assert book[:2] == b"PK"


def test_a_short_idle_timeout_does_not_sweep_an_upload_of_the_same_working_day(db, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60  # sessions slide: one in use outlives its idle timeout
    earlier, current = SessionStore(), SessionStore()
    keep_rejected(earlier, "intake", _upload(_csv("甲公司")), "旧.csv", REJECTED)
    kept = earlier["tabular-rejected-upload"]["content"]
    two_hours_ago = time.time() - 7200
    os.utime(default_storage.path(kept), (two_hours_ago, two_hours_ago))
    keep_rejected(current, "intake", _upload(_csv("乙公司")), "新.csv", REJECTED)
    assert default_storage.exists(kept)


# --- swept nightly, and at logout --------------------------------------------------------------------------------


def _age(name: str, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(default_storage.path(name), (then, then))


def _mounted() -> None:
    """The media volume's mark, as ``migrate`` makes it on a new install (``media.ensure_media_folder``)."""
    (Path(settings.MEDIA_ROOT) / FOLDER).mkdir(parents=True, exist_ok=True)


def test_the_nightly_command_sweeps_only_the_old_rejected_uploads(db):
    """Nobody's import is rejected again: without the command the abandoned workbook stayed for ever."""
    from django.core.management import call_command

    _mounted()
    abandoned, current = SessionStore(), SessionStore()
    keep_rejected(abandoned, "intake", _upload(_csv("甲公司")), "旧.csv", REJECTED)
    keep_rejected(current, "intake", _upload(_csv("乙公司")), "新.csv", REJECTED)
    old, young = abandoned["tabular-rejected-upload"]["content"], current["tabular-rejected-upload"]["content"]
    _age(old, 2)
    _age(young, 0.5)  # rejected this morning: its uploader may still download it
    evidence = default_storage.save("fieldwork/2020/01/ab/photo.jpg", io.BytesIO(b"evidence"))
    _age(evidence, 2000)  # the sweep is of rejected uploads alone
    out = io.StringIO()
    call_command("sweep_rejected_uploads", stdout=out)
    assert not default_storage.exists(old)
    assert default_storage.exists(young) and default_storage.exists(evidence)
    assert "已删除 1 个" in out.getvalue()
    quiet = io.StringIO()
    call_command("sweep_rejected_uploads", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == "" and default_storage.exists(young)


def test_the_command_runs_on_a_storage_with_no_rejected_upload_yet(db):
    from django.core.management import call_command

    _mounted()
    out = io.StringIO()
    call_command("sweep_rejected_uploads", stdout=out)
    assert "已删除 0 个" in out.getvalue()


@pytest.mark.parametrize("mount_point", ["empty", "missing"])
def test_the_command_refuses_a_media_volume_that_is_not_mounted_and_deletes_nothing(db, mount_point):
    """The volume not mounted, its mount point empty (or MEDIA_ROOT naming a directory that is not there): the
    command said "已删除 0 个" and exited 0, so neither the nightly mail nor the scheduler told of it. It now
    refuses with /healthz's and verify_files' check (``media.volume_problem``), naming MEDIA_ROOT and the mark."""
    from django.core.management import call_command

    root = Path(settings.MEDIA_ROOT)
    left = root / STORE / "left-on-the-mount-point.xlsx"
    if mount_point == "empty":
        left.parent.mkdir(parents=True)
        left.write_bytes(b"a workbook written while the volume was not mounted")
        _age(f"{STORE}/{left.name}", 30)
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("sweep_rejected_uploads", verbosity=0, stdout=out)
    message = str(refused.value)
    assert f"MEDIA_ROOT（{root}）" in message and "媒体卷没有挂载" in message and "没有删除任何文件" in message
    assert (f"下没有 {FOLDER}/ 目录" if mount_point == "empty" else "不存在") in message
    assert out.getvalue() == ""
    assert left.exists() == (mount_point == "empty")  # nothing deleted


@pytest.mark.parametrize("role", ["county_admin", "city_admin", "department_user", "inspector", "leader"])
def test_logging_out_deletes_the_sessions_kept_upload_and_no_one_elses(users, role):
    """Every role signs out the same way; the county and city admins are the ones who import."""
    from django.test import Client

    other = SessionStore()
    keep_rejected(other, "intake", _upload(_csv("乙公司")), "别人的.csv", REJECTED)
    client = Client()
    client.force_login(users[role])
    session = client.session
    keep_rejected(session, "registry:targets", _upload(_csv("甲公司")), "名录.csv", REJECTED)
    session.save()
    mine = session["tabular-rejected-upload"]["content"]
    assert default_storage.exists(mine)
    assert client.post("/logout/").status_code == 302
    assert not default_storage.exists(mine)  # at once, not at the nightly sweep
    assert default_storage.exists(other["tabular-rejected-upload"]["content"])


def test_logging_out_without_a_kept_upload_is_fine(users):
    from django.test import Client

    client = Client()
    client.force_login(users["county_admin"])
    assert client.post("/logout/").status_code == 302
