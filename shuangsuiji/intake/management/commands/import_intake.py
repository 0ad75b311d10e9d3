"""``python manage.py import_intake {penalties,complaints,exceedances,key_units,positive_list,clues} FILE``."""

import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuangsuiji.accounts.commands import acting_user
from shuangsuiji.intake.importers import IMPORTERS
from shuangsuiji.intake.services import do_import
from shuangsuiji.tabular.commands import check_paths, describe, write_marked
from shuangsuiji.tabular.importing import ImportRejected


class Command(BaseCommand):
    help = ("导入外部数据（.xlsx 或 .csv，格式同页面上下载的模板）。文件有任何错误时不导入任何数据，"
            "列出每处错误的行、列和原因，并以非零状态退出。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(IMPORTERS), help="数据种类")
        parser.add_argument("file", type=Path, help=".xlsx 或 .csv 文件")
        parser.add_argument("--replace", action="store_true",
                            help="仅 key_units：移出文件中各年度、文件未列出的名录条目")
        parser.add_argument("--user", metavar="USERNAME",
                            help="以该用户身份导入（只能导入其管辖范围内的对象）；不填为系统操作")
        parser.add_argument("--template", action="store_true", help="不导入，而是把导入模板写到 FILE")
        parser.add_argument("--errors-out", type=Path, metavar="XLSX",
                            help="有错误时把原文件标注错误后写入该 .xlsx 文件（出错单元格标红并附批注，"
                                 "另附“错误清单”工作表）")

    def handle(self, *args, kind: str, file: Path, replace: bool, user: str | None, template: bool,
               errors_out: Path | None, verbosity: int, **options) -> None:
        if template:
            if file.is_dir() or not (file.parent.is_dir()):
                raise CommandError(f"无法把模板写到 {file}：请给出已有目录中的文件名")
            file.write_bytes(IMPORTERS[kind]().template())
            self.stdout.write(f"已写出模板：{file}")
            return
        if replace and kind != "key_units":
            raise CommandError("--replace 只用于 key_units")
        check_paths(file, errors_out)
        actor = acting_user(user)
        started = time.perf_counter()
        try:
            with file.open("rb") as handle:
                result = do_import(kind, handle, file.name, acting_user=actor, replace=replace)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(describe(error, file.name))
            if rejected.total > len(rejected.errors):
                self.stderr.write(f"……另有 {rejected.total - len(rejected.errors)} 处错误未列出")
            if errors_out:
                write_marked(errors_out, file, file.name, rejected)
                self.stderr.write(f"已把标注了错误的原文件写入 {errors_out}")
            raise CommandError(f"{file.name} 有 {rejected.total} 处错误，未导入任何数据") from rejected
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stdout.write(self.style.SUCCESS(
                f"已导入 {file.name}（{time.perf_counter() - started:.1f} 秒）：{result.summary()}"))
