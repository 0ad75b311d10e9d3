"""``python manage.py verify_records``: check every sealed inspection record against its seal.

Rebuilds each record's seal from its rows and files and compares it with what was sealed and with the seal
event in the audit chain; also reports seal events whose record is gone (a deletion the database could not
refuse). Exit status 1 when anything differs.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork.models import InspectionRecord
from shuangsuiji.fieldwork.sealing import verify


class Command(BaseCommand):
    help = "核验已封存的现场检查记录：内容、签名、附件与封存哈希及审计日志是否一致。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("numbers", nargs="*", help="只核验这些记录编号（默认全部）")

    def handle(self, *args, numbers: list[str], verbosity: int, **options) -> None:
        records = InspectionRecord.objects.sealed().select_related(
            "task", "recheck", "amends", "sealed_by", "amendment_approved_by", "on_site_approval__decided_by",
            "on_site_clue__decided_by").order_by("pk")
        if numbers:
            records = records.filter(number__in=numbers)
            missing = sorted(set(numbers) - set(records.values_list("number", flat=True)))
            if missing:
                raise CommandError(f"没有这些已封存的记录：{'、'.join(missing)}")
        problems: list[str] = []
        for record in tqdm(records.iterator(chunk_size=500), total=records.count(), disable=verbosity == 0,
                           desc="核验", unit="份", leave=False):
            problems += verify(record)
        if not numbers:
            present = set(InspectionRecord.objects.sealed().values_list("pk", flat=True))
            for event in Event.objects.filter(action="record.seal", content_type__app_label="fieldwork"):
                if int(event.object_id) not in present:
                    problems.append(f"{event.object_repr}：{event.occurred_at:%Y-%m-%d %H:%M} 已封存，"
                                    "但数据库中已没有这份记录")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} 处不一致")
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"已核验 {records.count()} 份记录，全部与封存一致。"))
