"""``manage.py draw_plan PLAN ... | --year Y --quarter Q (--jurisdiction CODE | --all)``: draw."""

from datetime import date

from django.core.management.base import CommandParser

from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan

from ._plans import PlanCommand, acting_user


class Command(PlanCommand):
    help = "抽取：由种子先抽检查对象、再抽执法人员，生成抽查任务。抽取日不在规定抽取期内时给出提示。"
    step = "抽取"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--today", type=date.fromisoformat,
                            help="按此日期核对抽取期（YYYY-MM-DD，默认今天；用于补录或测试）")

    def handle(self, *args, **options) -> None:
        user = acting_user(options["user"])

        def draw(plan: Plan) -> str:
            done = services.do_draw(plan, acting_user=user, today=options["today"])
            result = (done.manifest.get("assignment") or {}).get("result") or {}
            strata = "，".join(f"{s['name']} {len(s['selected'])}" for s in done.manifest["strata"])
            line = f"已抽取，种子 {done.seed}；{strata}；检查组 {len(result.get('teams', []))} 个"
            for binding in result.get("bindings", []):
                self.stderr.write(self.style.WARNING(f"  无法分配检查组：{binding['zh']}"))
            if done.window_warning:
                self.stdout.write(self.style.WARNING(f"  提示：{done.window_warning}"))
            return line

        self.run_each(self.chosen(options), draw)
