"""``python manage.py verify_files``: every stored file against the SHA-256 recorded at its upload.

The records' attachments (of drafts as well as sealed records) and the follow-ups' evidence live in
``MEDIA_ROOT``; the database keeps each one's path and hash. ``verify_records`` reads only the sealed
records' attachments, so a follow-up's evidence or a draft's photo lost in a restore went unnoticed. This names
each file that is missing or altered, and each file on the disk that no row names and that the audit chain does
not know was removed from a draft: the mark of a database restored from a backup older than the files. Exit
status 1 when anything is wrong.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork.models import Attachment, FollowUpEvidence, StoredFile
from shuangsuiji.fieldwork.sealing import file_sha256
from shuangsuiji.media import FOLDER, volume_problem
from shuangsuiji.verification import finish


def _rows() -> Iterator[tuple[str, StoredFile]]:
    attachments = Attachment.objects.select_related("record").order_by("pk")
    for attachment in attachments.iterator(chunk_size=500):
        yield f"记录 {attachment.record.number} 的附件“{attachment.original_name}”", attachment
    evidence = FollowUpEvidence.objects.select_related("follow_up__record").order_by("pk")
    for item in evidence.iterator(chunk_size=500):
        yield (f"记录 {item.follow_up.record.number} 的问题处置佐证材料“{item.original_name}”"), item


def _logged_hashes(action: str, side: int) -> set[str]:
    """The SHA-256 of each file the audit chain says was uploaded (side 1) or removed (side 0)."""
    hashes = set()
    for changes in Event.objects.filter(action=action).values_list("changes", flat=True):
        pair = (changes or {}).get("sha256") or [None, None]
        if pair[side]:
            hashes.add(pair[side])
    return hashes


def _last_event() -> str:
    last = Event.objects.order_by("-pk").values_list("occurred_at", flat=True).first()
    return f"{timezone.localtime(last):%Y-%m-%d %H:%M}" if last else "（无）"


class Command(BaseCommand):
    help = "核验所有存储的文件（检查附件、问题处置佐证材料）：是否存在、SHA-256是否与上传时记录的一致，" \
           "以及有无数据库不认识的文件（数据库比文件旧）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-strays", action="store_true",
                            help="不查找数据库中没有记录的文件")

    def handle(self, *args, no_strays: bool, verbosity: int, **options) -> None:
        root = Path(settings.MEDIA_ROOT)
        total = Attachment.objects.count() + FollowUpEvidence.objects.count()
        # The check /healthz and sweep_rejected_uploads make: without the volume's mark there is nothing to verify
        # against, even while the database holds no file (a run that said "0 files, all as uploaded" over an empty
        # mount point would pass a volume that is not mounted).
        problem = volume_problem(f"，而数据库记有 {total} 个文件")
        if problem:
            raise CommandError(problem)
        problems: list[str] = []
        named: set[str] = set()
        for label, row in tqdm(_rows(), total=total, disable=verbosity == 0, desc="核验", unit="个", leave=False):
            named.add(row.file.name)
            try:
                with row.file.open("rb") as handle:
                    actual = file_sha256(handle)
            except OSError:
                problems.append(f"{label}：文件已丢失（{row.file.name}）")
                continue
            if actual != row.sha256:
                problems.append(f"{label}：文件与上传时记录的SHA-256不符，已被改动（{row.file.name}）")
        removed = 0
        if not no_strays:
            strays = sorted(path for path in (root / FOLDER).rglob("*")
                            if path.is_file() and path.relative_to(root).as_posix() not in named)
            detached = _logged_hashes("record.detach", 0) if strays else set()
            uploaded = _logged_hashes("record.attach", 1) | _logged_hashes("followup.evidence", 1) if strays else set()
            for path in strays:
                with path.open("rb") as handle:
                    digest = file_sha256(handle)
                name = path.relative_to(root).as_posix()
                if digest in detached:
                    removed += 1  # a photo removed from a draft: the file stays, the audit chain says so
                elif digest in uploaded:
                    problems.append(f"{name}：审计日志记有这个文件的上传，数据库中却没有它的记录")
                else:
                    # The file's time against the database's last event tells a backup's few minutes (uploads
                    # between pg_dump and tar) from a database restored from the wrong, older day.
                    stored_at = timezone.localtime(datetime.fromtimestamp(path.stat().st_mtime, UTC))
                    problems.append(f"{name}：{stored_at:%Y-%m-%d %H:%M} 存入，数据库中既没有它的记录，也没有它的上传"
                                    f"事件（数据库的最后一个审计事件在 {_last_event()}）：数据库是从比文件更早的备份"
                                    "恢复的，或文件是在备份数据库之后上传的")
        note = f"（另有 {removed} 个已从草稿中删除的附件文件）" if removed else ""
        finish(self, problems, verbosity, f"已核验 {total} 个文件，全部与上传时一致。{note}")
