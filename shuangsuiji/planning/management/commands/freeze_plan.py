"""``manage.py freeze_plan PLAN ... | --year Y --quarter Q (--jurisdiction CODE | --all)``: approve and freeze."""

from datetime import date

from django.core.management.base import CommandParser

from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan

from ._plans import PlanCommand, acting_user


class Command(PlanCommand):
    help = "审定并冻结计划：冻结抽取的全部输入并计算输入哈希（应立即公布）。"
    step = "冻结"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--draw-date", type=date.fromisoformat, help="公布的抽取日期（YYYY-MM-DD，默认今天）")
        parser.add_argument("--today", type=date.fromisoformat,
                            help="按此日期核对季度和公布的抽取日期（YYYY-MM-DD，默认今天；用于补录或测试）")

    def handle(self, *args, **options) -> None:
        user = acting_user(options["user"])

        def freeze(plan: Plan) -> str:
            draw = services.do_approve_and_freeze(plan, acting_user=user, draw_date=options["draw_date"],
                                                 today=options["today"])
            return f"已冻结，输入哈希 {draw.inputs_hash}"

        self.run_each(self.chosen(options), freeze)
