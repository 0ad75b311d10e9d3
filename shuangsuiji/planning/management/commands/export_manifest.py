"""``manage.py export_manifest PLAN [-o FILE] [--sealed]``: the plan's draw manifest as JSON."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuangsuiji.planning.services import published_manifest

from ._plans import numbered


class Command(BaseCommand):
    help = ("写出计划本次抽取的清单（JSON）。密钥公开之前写出封存清单（输入哈希、密钥承诺、公开随机数、抽取结果哈希），"
            "公开之后写出完整清单，可用 python tools/verify_draw.py FILE 复核。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", type=int, metavar="PLAN", help="计划编号")
        parser.add_argument("-o", "--output", metavar="FILE", help="写入文件（默认标准输出）")
        parser.add_argument("--sealed", action="store_true", help="公开之后也只写出封存清单")
        parser.add_argument("--draw", type=int, metavar="N", help="第 N 次抽取（默认当前有效的一次）")

    def handle(self, *args, plan: int, output: str | None, sealed: bool, draw: int | None, **options) -> None:
        if output:
            writable(output)
        found = numbered([plan])[0]
        chosen = found.draws.filter(number=draw).first() if draw else found.current_draw
        if chosen is None or chosen.manifest is None:
            raise CommandError(f"{found}尚未抽取" if draw is None else f"{found}没有第 {draw} 次抽取的清单")
        text, complete = published_manifest(chosen, sealed=sealed)
        if output:
            try:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as error:  # e.g. no permission: checked only by trying
                raise CommandError(f"无法写入 {output}：{error.strerror}") from error
        else:
            sys.stdout.write(text)
        kind = ("完整清单（可用 python tools/verify_draw.py 复核）" if complete
                else "封存清单（密钥公开后可导出完整清单）")
        self.stderr.write(f"{found} 第{chosen.number}次抽取：已写出{kind}" + (f" → {output}" if output else ""))


def writable(output: str) -> None:
    """Refuse, before anything is read or written, an output path that names a folder or lies in a folder
    that does not exist: open() said so as a traceback (IsADirectoryError, FileNotFoundError)."""
    path = Path(output)
    if path.is_dir():
        raise CommandError(f"{output} 是一个目录，请给出要写入的文件名")
    if not path.parent.is_dir():
        raise CommandError(f"无法写入 {output}：目录 {path.parent} 不存在")
