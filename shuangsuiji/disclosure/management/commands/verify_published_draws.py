"""``manage.py verify_published_draws``: check every revealed draw again, as the public would.

Each check is kept (``DrawVerification``) for the portal's status page. Failures are printed with what
differs, and the command exits non-zero if any draw fails — suitable for a nightly job.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.disclosure import services
from shuangsuiji.planning.models import Draw


class Command(BaseCommand):
    help = "重新验证所有已公开密钥的抽取；有验证不通过的，列出原因并以非零状态退出。"

    def handle(self, *args, verbosity: int, **options) -> None:
        draws = (Draw.objects.filter(plan__revealed_at__isnull=False, manifest__isnull=False)
                 .select_related("plan__jurisdiction").order_by("plan__year", "plan__quarter", "plan_id", "number"))
        total = failed = 0
        for draw in draws.iterator(chunk_size=100):
            total += 1
            label = f"计划{draw.plan_id} 第{draw.number}次抽取（{draw.plan}）"
            try:
                check = services.do_verify_draw(draw)
            except ValidationError as error:
                failed += 1
                self.stderr.write(f"不通过 {label}：{'；'.join(error.messages)}")
                continue
            if not check.ok:
                failed += 1
                self.stderr.write(f"不通过 {label}：\n{check.report}")
        # -v 0 (the nightly job's) keeps the scheduler's mail to failures, as with verify_audit and verify_records
        if verbosity:
            self.stdout.write(f"已验证 {total} 次抽取，通过 {total - failed} 次，不通过 {failed} 次")
        if failed:
            raise CommandError(f"{failed} 次抽取验证不通过")
