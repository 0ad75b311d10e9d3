"""What the ceremony's commands share: choosing plans, the acting user, and running one step on each.

Every step command takes either plan numbers (``PLAN ...``, the ids the pages and ``plan_quarter`` show) or
a quarter (``--year Y --quarter Q``) narrowed by ``--jurisdiction CODE`` or ``--all``, ``--level`` and
``--kind``. A step that fails for one plan does not stop the others; the command reports each failure
and exits non-zero at the end.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuangsuiji import params
from shuangsuiji.accounts.commands import acting_user, check_year  # noqa: F401 - the step commands import them here
from shuangsuiji.planning.models import Plan, PlanKind, PlanLevel
from shuangsuiji.registry.models import Jurisdiction


def messages(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)


def numbered(ids: list[int]) -> list[Plan]:
    """The plans of these numbers, in the order given, or CommandError naming the numbers no plan has.

    Every command that takes plan numbers reads them here. A number past a bigint (``params.MAX_ID``, the bound
    of the pages' ``<id:…>``) is no plan's and is not looked up: in ``pk__in`` it overflowed SQLite's integers.
    """
    lookup = [pk for pk in ids if params.number(str(pk)) is not None]
    plans = {plan.pk: plan for plan in Plan.objects.filter(pk__in=lookup).select_related("jurisdiction")}
    missing = [str(pk) for pk in ids if pk not in plans]
    if missing:
        raise CommandError(f"没有编号为 {'、'.join(missing)} 的计划")
    return [plans[pk] for pk in ids]


def check_jurisdiction(code: str | None) -> None:
    """Refuse a jurisdiction code no jurisdiction has, rather than finding no plans for it."""
    if code and not Jurisdiction.objects.filter(code=code).exists():
        raise CommandError(f"没有行政区划代码为 {code} 的行政区")


class PlanCommand(BaseCommand):
    """A command that applies one service function to each chosen plan."""

    step = ""
    """What the step is called in messages, e.g. "冻结"."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plans", nargs="*", type=int, metavar="PLAN", help="计划编号（可多个）")
        parser.add_argument("--year", type=int, help="按季度选择计划：年度")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="按季度选择计划：季度")
        parser.add_argument("--jurisdiction", metavar="CODE", help="只选该行政区（行政区划代码）的计划")
        parser.add_argument("--all", action="store_true", help="选择该季度所有行政区的计划")
        parser.add_argument("--level", choices=PlanLevel.values, help="只选市级或县级计划")
        parser.add_argument("--kind", choices=PlanKind.values, help="只选双随机抽查计划（regular）"
                            "或联合抽查计划（joint）")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份操作（须有相应权限）；不填为系统操作")

    def chosen(self, options: dict) -> list[Plan]:
        ids = options["plans"]
        by_quarter = options["year"] is not None or options["quarter"] is not None
        if ids and by_quarter:
            raise CommandError("请用计划编号，或用 --year/--quarter 选择，不要同时使用")
        if ids:
            return numbered(ids)
        if options["year"] is None or options["quarter"] is None:
            raise CommandError("请给出计划编号，或用 --year 和 --quarter 选择一个季度的计划")
        if bool(options["jurisdiction"]) == bool(options["all"]):
            raise CommandError("按季度选择时请用 --jurisdiction CODE 或 --all 二者之一")
        check_year(options["year"])
        check_jurisdiction(options["jurisdiction"])
        plans = Plan.objects.filter(year=options["year"], quarter=options["quarter"]).select_related("jurisdiction")
        if options["jurisdiction"]:
            plans = plans.filter(jurisdiction__code=options["jurisdiction"])
        if options["level"]:
            plans = plans.filter(level=options["level"])
        if options["kind"]:
            plans = plans.filter(kind=options["kind"])
        plans = list(plans.order_by("jurisdiction__path", "kind", "pk"))
        if not plans:
            raise CommandError(f"{options['year']}年第{options['quarter']}季度没有符合条件的计划")
        return plans

    def run_each(self, plans: list[Plan], step: Callable[[Plan], str]) -> None:
        failures = 0
        for plan in plans:
            try:
                line = step(plan)
            except (ValidationError, PermissionDenied) as error:
                failures += 1
                self.stderr.write(self.style.ERROR(f"[{plan.pk}] {plan}：{self.step}失败：{messages(error)}"))
                continue
            self.stdout.write(f"[{plan.pk}] {plan}：{line}")
        if failures:
            raise CommandError(f"{len(plans)} 个计划中 {failures} 个{self.step}失败")
