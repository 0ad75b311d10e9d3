"""``manage.py plan_quarter --year Y --quarter Q (--jurisdiction CODE | --all) [--level county|city]``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuangsuiji.planning import gather, services
from shuangsuiji.planning.models import PlanKind, PlanLevel
from shuangsuiji.registry.models import Jurisdiction

from ._plans import acting_user, check_year, messages


class Command(BaseCommand):
    help = ("编制季度抽查计划：按政策计算每个类别的可抽对象数和最低抽查数，计划抽查数先取最低数"
            "（之后可在页面上调整）。可同时为各行政区编制内部联合抽查计划。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="计划年度")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], required=True, help="计划季度")
        parser.add_argument("--jurisdiction", metavar="CODE", help="行政区划代码，如 130608")
        parser.add_argument("--all", action="store_true", help="所有市级和县级行政区")
        parser.add_argument("--level", choices=PlanLevel.values, help="只编制市级或县级计划")
        parser.add_argument("--joint-by-code", metavar="SUFFIX",
                            help="同时编制内部联合抽查计划：由编码以 -SUFFIX 结尾的科室发起（如 ZF），"
                                 "抽查其负责的事项，编码后缀与事项责任、配合科室相同且有持证执法人员的本级科室参加")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份操作（须为管理员）；不填为系统操作")

    def handle(self, *args, year: int, quarter: int, jurisdiction: str | None, all: bool, level: str | None,
               joint_by_code: str | None, user: str | None, **options) -> None:
        if bool(jurisdiction) == bool(all):
            raise CommandError("请用 --jurisdiction CODE 或 --all 二者之一")
        check_year(year)
        scopes = Jurisdiction.objects.filter(level__in=[level] if level else PlanLevel.values).order_by("path")
        if jurisdiction:
            scopes = scopes.filter(code=jurisdiction)
            if not scopes:
                raise CommandError(f"没有行政区划代码为 {jurisdiction} 的市级或县级行政区")
        actor = acting_user(user)
        failures = 0
        for scope in scopes:
            setups = [dict(kind=PlanKind.REGULAR)]
            if joint_by_code:
                joint = gather.joint_setup_by_code(scope, joint_by_code, gather.quarter_end(year, quarter))
                if joint is None:
                    self.stdout.write(self.style.WARNING(
                        f"{scope.name}：没有编码后缀为 {joint_by_code} 的发起科室、其负责的事项"
                        "或第二个有持证人员的参加科室，"
                        "未编制联合抽查计划"))
                else:
                    department, items, departments = joint
                    setups.append(dict(kind=PlanKind.JOINT, department=department, check_items=items,
                                       departments=departments))
            for setup in setups:
                try:
                    plan = services.do_create_plan(jurisdiction=scope, year=year, quarter=quarter, acting_user=actor,
                                                   **setup)
                except (ValidationError, PermissionDenied) as error:
                    failures += 1
                    self.stderr.write(self.style.ERROR(f"{scope.name}：编制失败：{messages(error)}"))
                    continue
                strata = "，".join(f"{s.get_stratum_display()} {s.requested}/{s.population}（最低 {s.minimum}）"
                                  for s in plan.strata.filter(drawn=True))
                self.stdout.write(self.style.SUCCESS(f"[{plan.pk}] {plan}：{strata}"))
                for warning in plan.warnings:
                    self.stdout.write(self.style.WARNING(f"  提示：{warning}"))
        if failures:
            raise CommandError(f"{failures} 个计划编制失败")
