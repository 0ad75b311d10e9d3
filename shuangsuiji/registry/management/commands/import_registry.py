"""python manage.py import_registry {targets,inspectors,items,recusals} FILE — the Excel import, unattended."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shuangsuiji.accounts.models import User
from shuangsuiji.registry.excel import IMPORTERS
from shuangsuiji.registry.services import do_import_registry
from shuangsuiji.tabular.commands import check_paths, describe, write_marked
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
        check_paths(file, errors_out)
        size = os.path.getsize(file)
        with open(file, "rb") as raw, tqdm.wrapattr(raw, "read", total=size, desc="读取并校验", unit="B",
                                                   unit_scale=True, file=sys.stderr,
                                                   disable=options["verbosity"] == 0) as handle:
            try:
                summary = do_import_registry(kind, handle, os.path.basename(file), acting_user=acting_user)
            except ImportRejected as rejected:
                name = os.path.basename(file)
                for error in rejected.errors:
                    self.stderr.write(describe(error, name))
                if errors_out:
                    write_marked(errors_out, file, name, rejected)
                    self.stderr.write(f"已把标注了错误的原文件写入 {errors_out}")
                raise CommandError(f"{rejected.total} 处错误，未导入任何数据") from None
        self.stdout.write(self.style.SUCCESS(
            "导入完成：共 {rows} 行，新增 {created}，更新 {updated}，未变 {unchanged}".format(**summary)))
