"""``manage.py dispatch_plan PLAN ... | --year Y --quarter Q (--jurisdiction CODE | --all)``: dispatch."""

from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan

from ._plans import PlanCommand, acting_user


class Command(PlanCommand):
    help = "派发：执法人员随即在“现场检查”中看到各自的任务和完成期限。"
    step = "派发"

    def handle(self, *args, **options) -> None:
        user = acting_user(options["user"])

        def dispatch(plan: Plan) -> str:
            facts = services.do_dispatch(plan, acting_user=user)
            shared = facts.get("already_dispatched")
            return f"已派发 {facts['tasks']} 项任务" + (f"（另有 {shared} 项已随其他计划派发）" if shared else "")

        self.run_each(self.chosen(options), dispatch)
