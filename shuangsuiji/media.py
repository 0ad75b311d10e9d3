"""Whether ``MEDIA_ROOT`` is the volume the records' files live on and can take one more, and whether one stored
file can be read.

The field records' attachments and the follow-ups' evidence are stored under ``MEDIA_ROOT/fieldwork/``
(``fieldwork.models.attachment_path``). That folder is the mark of the real volume: ``migrate`` creates it
(``ensure_media_folder``) while the database has no stored file yet, a new install's, and the backups carry it,
so a ``MEDIA_ROOT`` without it is an empty mount point (the volume not mounted) or a wrong path — even when that
directory is writable, a file stored there would land on the wrong disk. ``verify_files`` reads the same mark
against the database's rows.
"""

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.apps.registry import Apps

    from shuangsuiji.fieldwork.models import StoredFile

logger = logging.getLogger(__name__)

FOLDER = "fieldwork"
"""The folder of ``MEDIA_ROOT`` that holds every attachment and piece of evidence; rejected uploads live beside it,
are no evidence and are swept (``sweep_rejected_uploads``)."""


def volume_problem(context: str = "") -> str | None:
    """Why ``MEDIA_ROOT`` is not the media volume, naming it and the missing mark, or None when it is.

    The one check of the mark: ``/healthz`` (through ``media_problem``), ``verify_files`` and
    ``sweep_rejected_uploads`` ask it before they look at a file, so that a command run while the volume is not
    mounted refuses, rather than take an empty mount point for an empty volume ("0 deleted", exit status 0).
    ``context`` follows the fact (``，而数据库记有 N 个文件``). In Chinese, like the commands' other output: the
    operator reads it there as well as in the log.
    """
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        fact = f"MEDIA_ROOT（{root}）不存在或不是目录"
    elif not (root / FOLDER).is_dir():
        fact = f"MEDIA_ROOT（{root}）下没有 {FOLDER}/ 目录"
    else:
        return None
    return (f"{fact}{context}：媒体卷没有挂载（或没有恢复），或 MEDIA_ROOT 指错了目录"
            f"（{FOLDER}/ 是媒体卷的标记，新安装时由 manage.py migrate 创建，备份带着它；不要手工创建）")


def media_problem() -> str | None:
    """Why ``MEDIA_ROOT`` cannot store a file now (for the log: it names paths), or None when it can.

    A handful of stat and access calls, no listing: ``/healthz`` asks it every few seconds. Both the root (rejected
    uploads go to ``rejected-uploads/`` there) and the folder must be writable: a volume mounted read-only, or
    remounted read-only after disk errors, fails ``os.access`` with EROFS.
    """
    problem = volume_problem()
    if problem:
        return problem
    root = Path(settings.MEDIA_ROOT)
    for path in (root, root / FOLDER):
        if not os.access(path, os.W_OK | os.X_OK):
            return f"{path} 不可写：媒体卷以只读方式挂载，或目录属于另一个用户"
    return None


def ensure_media_folder(**kwargs) -> None:
    """Create ``MEDIA_ROOT/fieldwork/`` after ``migrate`` (a ``post_migrate`` receiver): a new install's mark.

    Not created by the server itself, at start or at an upload: on an empty mount point that would put the mark
    where the health check must not find it. Nor by ``migrate`` when the database already holds stored files:
    the folder is then missing because the volume is not mounted (or ``MEDIA_ROOT`` names the wrong directory),
    and a mark made there would make ``/healthz`` answer 200 over a disk without the records' files — so it
    says so on stderr and leaves ``/healthz`` at 503. A folder that cannot be made is logged, not raised:
    ``migrate`` is about the database, and ``/healthz`` then says the media volume is unavailable.
    """
    folder = Path(settings.MEDIA_ROOT) / FOLDER
    if folder.is_dir():
        return
    stored = _stored_files(kwargs.get("apps"), kwargs.get("using") or DEFAULT_DB_ALIAS)
    if stored:
        sys.stderr.write(
            f"警告：MEDIA_ROOT（{settings.MEDIA_ROOT}）下没有 {FOLDER}/ 目录，而数据库记有 {stored} 个文件，"
            f"因此没有创建它：媒体卷没有挂载，或 MEDIA_ROOT 指错了目录。/healthz 在此之前一直返回 503。"
            f"请挂载媒体卷（或改正 MEDIA_ROOT），再运行 manage.py verify_files；不要手工创建 {FOLDER}/ 目录。\n")
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        logger.warning("could not create the media folder %s: /healthz answers 503 until it exists", folder,
                       exc_info=True)


def _stored_files(migration_apps: "Apps | None", using: str) -> int:
    """How many files (attachments, follow-ups' evidence) the database says are stored, by the migrated state's
    models (a ``migrate`` to an older state, or ``flush``, passes no state, or one without the tables: 0)."""
    registry = migration_apps or global_apps
    count = 0
    for name in ("Attachment", "FollowUpEvidence"):
        try:
            model = registry.get_model("fieldwork", name)
        except LookupError:
            continue
        if model._meta.db_table not in connections[using].introspection.table_names():
            continue
        count += model._default_manager.using(using).count()
    return count


def file_problem(stored: "StoredFile") -> str | None:
    """Why a stored file cannot be read (missing, unreadable), or None; logged at ERROR, with the path.

    The record's page and its PDF say so at the place of the photo: a sealed record's PDF is evidence, and a photo
    silently left out of it reads as a record with fewer photos. A missing file means the media volume lost it
    (a restore without the files, a disk fault): ``verify_files`` names every such file.
    """
    try:
        with stored.file.open("rb"):
            return None
    except FileNotFoundError:
        logger.error("the file %s (SHA-256 %s) of %s is missing: run manage.py verify_files",
                     stored.file.name, stored.sha256, stored)
        return _("文件缺失")
    except OSError:
        logger.exception("the file %s (SHA-256 %s) of %s cannot be read", stored.file.name, stored.sha256, stored)
        return _("文件无法读取")
