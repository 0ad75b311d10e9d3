"""``/healthz``: 200 while the database answers and MEDIA_ROOT can store a file, 503 when not, for anyone,
showing no data."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client

from shuangsuiji import media
from shuangsuiji.fieldwork import services
from tests.fieldwork.conftest import items, photo, target, task, team  # noqa: F401

pytestmark = pytest.mark.django_db

OK = {"status": "ok", "database": "ok", "media": "ok"}


@pytest.fixture
def volume(settings, tmp_path) -> Path:
    """A mounted media volume: MEDIA_ROOT with the folder of the records' files, as migrate leaves it."""
    settings.MEDIA_ROOT = tmp_path / "volume"
    (settings.MEDIA_ROOT / media.FOLDER).mkdir(parents=True)
    return settings.MEDIA_ROOT


def test_the_server_and_its_database_answer_without_a_sign_in(volume):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == OK
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert Client().head("/healthz").status_code == 200
    assert Client().post("/healthz").status_code == 405


def test_a_database_that_does_not_answer_is_503_and_the_reason_stays_in_the_log(volume, monkeypatch, caplog):
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise DatabaseError("connection to server at 10.0.0.5 refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "media": "ok"}
    assert "10.0.0.5" not in response.content.decode()
    assert "10.0.0.5" in caplog.text


def _unavailable(caplog, path: Path) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "media": "unavailable"}
    assert str(path) not in response.content.decode() and "/" not in response.content.decode()
    assert str(path) in caplog.text  # the operator's log says which directory and why


def test_a_media_root_that_does_not_exist_is_503(settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path / "not-mounted"
    _unavailable(caplog, settings.MEDIA_ROOT)
    assert "不存在或不是目录" in caplog.text


def test_an_empty_mount_point_is_503_though_it_is_writable(settings, tmp_path, caplog):
    """The volume not mounted: its mount point is an empty directory, which root (or its owner) may write to —
    a photo stored there would be on the wrong disk, and the records' files are not there to print."""
    settings.MEDIA_ROOT = tmp_path / "mount-point"
    settings.MEDIA_ROOT.mkdir()
    _unavailable(caplog, settings.MEDIA_ROOT)
    assert "下没有 fieldwork/ 目录：媒体卷没有挂载" in caplog.text


@pytest.mark.parametrize("read_only", ["root", "folder"])
def test_a_read_only_media_volume_is_503(volume, monkeypatch, caplog, read_only):
    unwritable = volume if read_only == "root" else volume / media.FOLDER
    real_access = os.access

    def erofs(path, mode, **kwargs):  # what access(2) answers on a read-only mount, to root as well
        if Path(path) == unwritable and mode & os.W_OK:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(media.os, "access", erofs)
    _unavailable(caplog, unwritable)
    assert "不可写" in caplog.text


def test_a_media_root_that_is_a_file_is_503(settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path / "media-file"
    settings.MEDIA_ROOT.write_text("not a directory")
    _unavailable(caplog, settings.MEDIA_ROOT)


def test_migrate_creates_the_folder_that_marks_the_volume(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "new-install"
    assert Client().get("/healthz").status_code == 503
    call_command("migrate", verbosity=0)
    assert (settings.MEDIA_ROOT / media.FOLDER).is_dir()
    assert Client().get("/healthz").json() == OK


def test_migrate_does_not_mark_an_empty_mount_point_over_a_database_with_files(settings, tmp_path, capsys, caplog,
                                                                             task, users):  # noqa: F811
    """An upgrade's migrate run while the media volume is not mounted: the database holds the records' files, the
    mount point beneath is empty. A mark made there would make /healthz answer 200 over a disk without them."""
    settings.MEDIA_ROOT = tmp_path / "volume"
    record = services.do_start_record(task, acting_user=users["inspector"])
    services.do_add_attachment(record, photo(), acting_user=users["inspector"])
    for mount_point in (tmp_path / "mount-point", tmp_path / "absent"):
        if mount_point.name == "mount-point":
            mount_point.mkdir()
        settings.MEDIA_ROOT = mount_point
        call_command("migrate", verbosity=0)
        assert not (mount_point / media.FOLDER).exists()
        warning = capsys.readouterr().err
        assert str(mount_point) in warning and "数据库记有 1 个文件" in warning and "挂载媒体卷" in warning
        _unavailable(caplog, mount_point)
    # the volume mounted again: its folder is there, migrate leaves it and says nothing; /healthz is 200
    settings.MEDIA_ROOT = tmp_path / "volume"
    call_command("migrate", verbosity=0)
    assert capsys.readouterr().err == ""
    assert Client().get("/healthz").json() == OK


def test_migrate_marks_the_volume_of_an_installation_without_files_yet(settings, tmp_path, capsys, task):  # noqa: F811
    """Plans and tasks, but no photo yet: nothing the volume could be missing, so migrate makes the mark."""
    settings.MEDIA_ROOT = tmp_path / "empty-volume"
    settings.MEDIA_ROOT.mkdir()
    call_command("migrate", verbosity=0)
    assert (settings.MEDIA_ROOT / media.FOLDER).is_dir()
    assert capsys.readouterr().err == ""
    assert Client().get("/healthz").json() == OK
