"""``manage.py export_manifest PLAN [-o FILE] [--sealed]``: the plan's draw manifest as JSON."""

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuangsuiji.planning.models import Plan
from shuangsuiji.planning.services import published_manifest


class Command(BaseCommand):
    help = ("写出计划本次抽取的清单（JSON）。密钥公开之前写出封存清单（输入哈希、密钥承诺、公开随机数、抽取结果哈希），"
            "公开之后写出完整清单，可用 python tools/verify_draw.py FILE 复核。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", type=int, metavar="PLAN", help="计划编号")
        parser.add_argument("-o", "--output", metavar="FILE", help="写入文件（默认标准输出）")
        parser.add_argument("--sealed", action="store_true", help="公开之后也只写出封存清单")
        parser.add_argument("--draw", type=int, metavar="N", help="第 N 次抽取（默认当前有效的一次）")

    def handle(self, *args, plan: int, output: str | None, sealed: bool, draw: int | None, **options) -> None:
        found = Plan.objects.filter(pk=plan).first()
        if found is None:
            raise CommandError(f"没有编号为 {plan} 的计划")
        chosen = found.draws.filter(number=draw).first() if draw else found.current_draw
        if chosen is None or chosen.manifest is None:
            raise CommandError(f"{found}尚未抽取" if draw is None else f"{found}没有第 {draw} 次抽取的清单")
        text, complete = published_manifest(chosen, sealed=sealed)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
        kind = ("完整清单（可用 python tools/verify_draw.py 复核）" if complete
                else "封存清单（密钥公开后可导出完整清单）")
        self.stderr.write(f"{found} 第{chosen.number}次抽取：已写出{kind}" + (f" → {output}" if output else ""))
