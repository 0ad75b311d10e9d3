"""``manage.py commit_plan PLAN ... | --year Y --quarter Q (--jurisdiction CODE | --all)``: commit the secret."""

from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan

from ._plans import PlanCommand, acting_user


class Command(PlanCommand):
    help = "生成密钥（操作系统随机数）并公布其 SHA-256 承诺；密钥本身在公开之前不显示。"
    step = "承诺密钥"

    def handle(self, *args, **options) -> None:
        user = acting_user(options["user"])

        def commit(plan: Plan) -> str:
            return f"密钥承诺 {services.do_commit_secret(plan, acting_user=user).commitment}"

        self.run_each(self.chosen(options), commit)
