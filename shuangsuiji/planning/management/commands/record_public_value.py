"""``manage.py record_public_value PLAN --source dice --value 3,5,1,6 --witness 张三 --witness 李四``."""

from datetime import date

from django.core.management.base import CommandParser

from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan, PublicSource

from ._plans import PlanCommand, acting_user


class Command(PlanCommand):
    help = ("录入公开随机数（须在密钥承诺之后）：见证人在场掷骰（--source dice --value 3,5,1,6 --witness 姓名 …），"
            "事先公布日期的彩票开奖号码（--source lottery --value 号码 --lottery-name 名称 --lottery-date 日期），"
            "或 drand 信标（--source drand --drand-round 轮次 --value 随机数）。")
    step = "录入公开随机数"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--source", choices=PublicSource.values, required=True, help="公开随机数来源")
        parser.add_argument("--value", required=True, help="骰子点数、开奖号码（按公布原样）"
                            "或 drand 随机数（64位十六进制）")
        parser.add_argument("--witness", action="append", default=[], help="见证人姓名（掷骰时至少两人，可重复）")
        parser.add_argument("--lottery-name", default="", help="彩票名称，如 中国福利彩票双色球")
        parser.add_argument("--lottery-date", type=date.fromisoformat, help="开奖日期（YYYY-MM-DD）")
        parser.add_argument("--drand-round", type=int, help="drand 轮次")
        parser.add_argument("--drand-chain", default="", help="drand 链哈希（默认 quicknet）")

    def handle(self, *args, **options) -> None:
        user = acting_user(options["user"])

        def record(plan: Plan) -> str:
            draw = services.do_record_public_value(
                plan, source=options["source"], value=options["value"], witnesses=options["witness"],
                lottery_name=options["lottery_name"], lottery_date=options["lottery_date"],
                drand_chain=options["drand_chain"], drand_round=options["drand_round"], acting_user=user)
            return f"已录入公开随机数 {draw.public_value}"

        self.run_each(self.chosen(options), record)
