"""python manage.py import_registry {targets,inspectors,items,recusals} FILE — the Excel import, unattended."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shuangsuiji.accounts.models import User
from shuangsuiji.registry.excel import IMPORTERS
from shuangsuiji.registry.services import do_import_registry
from shuangsuiji.tabular.annotate import annotated_workbook
from shuangsuiji.tabular.importing import ImportRejected


class Command(BaseCommand):
    help = "导入名录库 Excel：全部行校验无误才导入；已存在的记录按主键更新并记入变更历史。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file")
        parser.add_argument("--user", help="以该用户的身份与管辖范围导入（默认：系统，不限范围）")
        parser.add_argument("--errors-out", help="有错误时把原文件标注错误后写入该 .xlsx 文件"
                                                 "（出错单元格标红并附批注，另附“错误清单”工作表）")

    def handle(self, *args, kind, file, user, errors_out, **options):
        acting_user = None
        if user:
            acting_user = User.objects.filter(username=user).first()
            if acting_user is None:
                raise CommandError(f"没有用户 {user}")
        if os.path.isdir(file):
            raise CommandError(f"{file} 是一个目录，请给出要导入的文件")
        if not os.path.isfile(file):
            raise CommandError(f"文件不存在：{file}")
        if errors_out:  # checked before the import: a rejected file's marks must have somewhere to go
            if os.path.isdir(errors_out):
                raise CommandError(f"--errors-out {errors_out} 是一个目录，请给出要写入的文件名")
            folder = os.path.dirname(errors_out) or "."
            if not os.path.isdir(folder):
                raise CommandError(f"--errors-out 无法写入 {errors_out}：目录 {folder} 不存在")
        size = os.path.getsize(file)
        with open(file, "rb") as raw, tqdm.wrapattr(raw, "read", total=size, desc="读取并校验", unit="B",
                                                   unit_scale=True, file=sys.stderr,
                                                   disable=options["verbosity"] == 0) as handle:
            try:
                summary = do_import_registry(kind, handle, os.path.basename(file), acting_user=acting_user)
            except ImportRejected as rejected:
                name = os.path.basename(file)
                for error in rejected.errors:
                    # A problem of the whole file (not a workbook, empty) comes as row 1 of no column whose
                    # value is the file's name: it is no row's, and "第1行" sent the user to the header.
                    if not error.column and error.row <= 1 and error.value == name:
                        self.stderr.write(f"{name}: {error.message}")
                        continue
                    column = f"“{error.column}”列" if error.column else ""
                    self.stderr.write(f"第{error.row}行 {column} {error.value!r}: {error.message}")
                if errors_out:
                    try:
                        with open(file, "rb") as original, open(errors_out, "wb") as out:
                            out.write(annotated_workbook(original.read(), name, rejected))
                    except OSError as error:  # e.g. no permission: checked only by trying
                        raise CommandError(f"--errors-out 无法写入 {errors_out}：{error.strerror}") from None
                    self.stderr.write(f"已把标注了错误的原文件写入 {errors_out}")
                raise CommandError(f"{rejected.total} 处错误，未导入任何数据") from None
        self.stdout.write(self.style.SUCCESS(
            "导入完成：共 {rows} 行，新增 {created}，更新 {updated}，未变 {unchanged}".format(**summary)))
