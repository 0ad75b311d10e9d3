"""``python manage.py sweep_rejected_uploads``: delete the rejected imports' workbooks no session will download.

A rejected import's file waits in ``MEDIA_ROOT/rejected-uploads/`` for its uploader to download it marked
(``tabular.annotate``). A successful import, the next rejection or a logout drops it; a session that simply
expired leaves it behind, and the application swept those only at somebody's next rejection. Run nightly
(docs/operations.md, "Scheduled jobs"): it deletes the files older than a working day or a session's life,
whichever is longer, and nothing else.
"""

from django.core.management.base import BaseCommand

from shuangsuiji.tabular.annotate import sweep_rejected


class Command(BaseCommand):
    help = "删除超过会话有效期（至少一天）仍未被下载的被拒导入文件（MEDIA_ROOT/rejected-uploads/）。"

    def handle(self, *args, verbosity: int, **options) -> None:
        swept = sweep_rejected()
        if verbosity:
            self.stdout.write(f"已删除 {swept} 个过期的被拒导入文件。")
