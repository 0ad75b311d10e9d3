"""``python manage.py classify --year 2021 --quarter 2 [--jurisdiction 130623]``: the quarterly classification."""

import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from shuangsuiji.accounts.commands import acting_user, check_year
from shuangsuiji.intake.models import ClassificationRun
from shuangsuiji.intake.services import do_classify
from shuangsuiji.registry.models import Jurisdiction


class Command(BaseCommand):
    help = ("按政策对检查对象进行季度分类（特殊监管对象、重点排污单位、一般排污单位，正面清单与必查），"
            "保存每家的分类理由和依据，并更新检查对象的类别。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="分类的年度，如 2021")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], required=True,
                            help="分类的季度（依据上一季度的处罚、举报和超标）")
        parser.add_argument("--jurisdiction", metavar="CODE",
                            help="行政区划代码（如 130623）；不填则对每个顶级行政区分别分类")
        parser.add_argument("--user", metavar="USERNAME",
                            help="以该用户身份操作（须为该行政区的管理员）；不填为系统操作")

    def handle(self, *args, year: int, quarter: int, jurisdiction: str | None, user: str | None, verbosity: int,
               **options) -> None:
        check_year(year)
        actor = acting_user(user)
        if jurisdiction:
            scopes = list(Jurisdiction.objects.filter(code=jurisdiction))
            if not scopes:
                raise CommandError(f"没有行政区划代码为 {jurisdiction} 的行政区")
        else:
            scopes = list(Jurisdiction.objects.filter(parent__isnull=True).order_by("code"))
            if not scopes:
                raise CommandError("数据库中还没有行政区")

        def progress(iterable, **kwargs):
            return tqdm(iterable, disable=verbosity == 0, leave=False, mininterval=0.2, **kwargs)

        for scope in scopes:
            started = time.perf_counter()
            try:
                run = do_classify(year=year, quarter=quarter, jurisdiction=scope, acting_user=actor,
                                  progress=progress)
            except (PermissionDenied, ValidationError) as error:
                raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
            if verbosity:
                self._report(run, scope.name, time.perf_counter() - started)

    def _report(self, run: ClassificationRun, name: str, seconds: float) -> None:
        counts, by = run.counts, run.counts["special_by"]
        period = f"{run.year}年第{run.quarter}季度"
        self.stdout.write(self.style.SUCCESS(f"{name} {period}：{run.targets} 家，用时 {seconds:.1f} 秒"))
        self.stdout.write(
            f"  特殊监管对象 {counts['special']}（处罚 {by['administrative_penalty']}、"
            f"举报 {by['public_complaint']}、超标 {by['exceedances_at_one_outlet']}），"
            f"重点排污单位 {counts['key']}，一般排污单位 {counts['general']}\n"
            f"  正面清单 {counts['positive_list']}（不参加现场抽查 {counts['exempt']}，"
            f"经批准线索必查 {counts['must_inspect']}）\n"
            f"  与上季度相比类别变化 {counts['changed']} 家，上季度未分类 {counts['new']} 家；"
            f"已更新检查对象 {counts['applied']} 家\n"
            f"  政策 {run.policy_id} v{run.policy_version}（{run.policy_fingerprint[:12]}）")
        for warning in run.warnings:
            self.stdout.write(self.style.WARNING(f"  提示：{warning}"))
