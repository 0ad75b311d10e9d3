"""``manage.py reveal_plan PLAN ... | --year Y --quarter Q (--jurisdiction CODE | --all)``: reveal."""

from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan

from ._plans import PlanCommand, acting_user


class Command(PlanCommand):
    help = "公开密钥（检查完成之后）：此后 export_manifest 写出完整清单，任何人可用 tools/verify_draw.py 复核。"
    step = "公开"

    def handle(self, *args, **options) -> None:
        user = acting_user(options["user"])

        def reveal(plan: Plan) -> str:
            services.do_reveal(plan, acting_user=user)
            return "密钥已公开"

        self.run_each(self.chosen(options), reveal)
