"""``python manage.py verify_records``: check every sealed inspection record against its seal.

Rebuilds each record's seal from its rows and files and compares it with what was sealed and with the seal
event in the audit chain; also reports seal events whose record is gone (a deletion the database could not
refuse). Exit status 1 when anything differs.

The records are read in batches (``sealing.verify_batch``): a batch's items, signatures, attachments and seal
events in one query each. ``--no-files`` leaves the attachments' files to ``verify_files``, which reads every
stored file against the same recorded hashes: the nightly job runs both, and reads each file once
(docs/operations.md).
"""

from itertools import batched

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork.models import InspectionRecord
from shuangsuiji.fieldwork.sealing import verify_batch
from shuangsuiji.verification import finish

BATCH = 500
"""Records checked together: their rows and seal events are read in one query each (``verify_batch``)."""


class Command(BaseCommand):
    help = "核验已封存的现场检查记录：内容、签名、附件与封存哈希及审计日志是否一致。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("numbers", nargs="*", help="只核验这些记录编号（默认全部）")
        parser.add_argument("--no-files", action="store_true",
                            help="不读取附件文件（附件的名称、大小和哈希仍与封存比对）；文件本身由 verify_files 核验")

    def handle(self, *args, numbers: list[str], no_files: bool, verbosity: int, **options) -> None:
        records = InspectionRecord.objects.sealed().select_related(
            "task", "recheck", "amends", "sealed_by", "amendment_approved_by", "on_site_approval__decided_by",
            "on_site_clue__decided_by").order_by("pk")
        if numbers:
            records = records.filter(number__in=numbers)
            missing = sorted(set(numbers) - set(records.values_list("number", flat=True)))
            if missing:
                raise CommandError(f"没有这些已封存的记录：{'、'.join(missing)}")
        problems: list[str] = []
        checked = 0
        # the bar's total costs a count of its own; -v 0 (the nightly job) shows no bar
        with tqdm(total=records.count() if verbosity else None, disable=verbosity == 0, desc="核验", unit="份",
                  leave=False) as bar:
            for batch in batched(records.iterator(chunk_size=BATCH), BATCH):
                for found in verify_batch(batch, files=not no_files):
                    problems += found
                checked += len(batch)
                bar.update(len(batch))
        if not numbers:
            present = set(InspectionRecord.objects.sealed().values_list("pk", flat=True))
            for object_id, name, occurred_at in Event.objects.filter(
                    action="record.seal", content_type__app_label="fieldwork").values_list(
                    "object_id", "object_repr", "occurred_at"):
                if int(object_id) not in present:
                    problems.append(f"{name}：{occurred_at:%Y-%m-%d %H:%M} 已封存，但数据库中已没有这份记录")
        files = "（未读取附件文件，请用 verify_files 核验）" if no_files else ""
        finish(self, problems, verbosity, f"已核验 {checked} 份记录，全部与封存一致。{files}")
