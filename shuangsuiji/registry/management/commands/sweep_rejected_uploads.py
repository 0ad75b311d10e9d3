"""``python manage.py sweep_rejected_uploads``: delete the rejected imports' workbooks no session will download.

A rejected import's file waits in ``MEDIA_ROOT/rejected-uploads/`` for its uploader to download it marked
(``tabular.annotate``). A successful import, the next rejection or a logout drops it; a session that simply
expired leaves it behind, and the application swept those only at somebody's next rejection. Run nightly
(docs/operations.md, "Scheduled jobs"): it deletes the files older than a working day or a session's life,
whichever is longer, and nothing else.

It refuses when ``MEDIA_ROOT`` is not the media volume (``media.volume_problem``, the check of ``/healthz`` and
``verify_files``): on an empty mount point it found no ``rejected-uploads/`` and said "0 deleted" with exit
status 0, so the nightly mail and the scheduler heard nothing of a volume that was not mounted.
"""

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.media import volume_problem
from shuangsuiji.tabular.annotate import sweep_rejected


class Command(BaseCommand):
    help = "删除超过会话有效期（至少一天）仍未被下载的被拒导入文件（MEDIA_ROOT/rejected-uploads/）。"

    def handle(self, *args, verbosity: int, **options) -> None:
        problem = volume_problem()
        if problem:
            raise CommandError(f"{problem}。没有删除任何文件。")
        swept = sweep_rejected()
        if verbosity:
            self.stdout.write(f"已删除 {swept} 个过期的被拒导入文件。")
