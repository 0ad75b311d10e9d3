"""``manage.py publish_month --jurisdiction CODE --year Y --month M [--user U] [--review-as R --release]``.

Prepares a county's month of results as a batch waiting for review, as the page does. For scripted use it can
also review it as another person (``--review-as``) and release it (``--release``): the second-person rule still
holds, so the reviewer must not be the preparer.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.commands import acting_user, check_year
from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import Publication, PublicationKind, PublicationStatus
from shuangsuiji.registry.models import Jurisdiction


class Command(BaseCommand):
    help = "生成某县区某月的抽查结果公开批次（可选：由另一人审核并发布）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jurisdiction", required=True, metavar="CODE", help="行政区划代码，如 130608")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, required=True, choices=range(1, 13), metavar="M")
        parser.add_argument("--user", metavar="USERNAME", help="以该用户身份生成（须为该行政区管理员）；不填为系统操作")
        parser.add_argument("--review-as", metavar="USERNAME", help="由该用户审核（不能是生成人）")
        parser.add_argument("--release", action="store_true", help="审核后发布到公开门户（须同时给出 --review-as）")

    def handle(self, *args, **options) -> None:
        check_year(options["year"])
        jurisdiction = Jurisdiction.objects.filter(code=options["jurisdiction"]).first()
        if jurisdiction is None:
            raise CommandError(f"没有行政区划代码为 {options['jurisdiction']} 的行政区")
        if options["release"] and not options["review_as"]:
            raise CommandError("发布前须经另一人审核：请同时给出 --review-as USERNAME")
        preparer, reviewer = acting_user(options["user"]), acting_user(options["review_as"])
        if reviewer is not None and preparer is not None and reviewer.pk == preparer.pk:
            raise CommandError("审核人不能是生成人")
        _refuse_waiting_batch(jurisdiction, options["year"], options["month"])
        try:
            # All or nothing: a batch that fails review or release is not left half-way.
            with transaction.atomic():
                batch = services.do_prepare_results(jurisdiction=jurisdiction, year=options["year"],
                                                    month=options["month"], acting_user=preparer)
                if reviewer is not None:
                    batch = services.do_review(batch, acting_user=reviewer)
                if options["release"]:
                    batch = services.do_release(batch, acting_user=preparer)
        except (ValidationError, PermissionDenied) as error:
            text = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(text) from error
        late = "（晚于公开期限）" if batch.is_released and batch.is_overdue() else ""
        self.stdout.write(f"{batch}：{batch.row_count} 条，其中不予公开 {batch.withheld_count} 条，"
                          f"状态 {batch.get_status_display()}{late}，公开期限 {batch.deadline:%Y-%m-%d}")


def _refuse_waiting_batch(jurisdiction: Jurisdiction, year: int, month: int) -> None:
    """Refuse, naming it, a month whose batch waits for review or release.

    Its snapshot holds the month's results, so preparing again found none and answered "没有已审核通过、尚未公开
    的检查结果": true, but a script re-run after its review step failed (or a batch prepared on the page) left
    the operator with no idea that a batch was waiting, by whom, or what to do with it."""
    waiting = (Publication.objects.select_related("jurisdiction", "prepared_by")
               .filter(jurisdiction=jurisdiction, kind=PublicationKind.RESULTS, year=year, month=month)
               .exclude(status=PublicationStatus.RELEASED).order_by("sequence").first())
    if waiting is None:
        return
    who = waiting.prepared_by.display_name if waiting.prepared_by else "系统（命令行）"
    page = reverse("disclosure:batch_detail", args=[waiting.pk])
    if waiting.status == PublicationStatus.PREPARED:
        todo = (f"请由生成人以外的管理员或局领导在“一公开”页面 {page} 审核，再由管理员发布；"
                "或在该页退回、撤销后重新运行本命令")
    else:
        todo = f"已由 {waiting.reviewed_by.display_name if waiting.reviewed_by else '系统（命令行）'} 审核，" \
               f"请由管理员在“一公开”页面 {page} 发布；或在该页撤销后重新运行本命令"
    raise CommandError(f"{waiting}（批次 {waiting.pk}）已于 {timezone.localtime(waiting.prepared_at):%Y-%m-%d %H:%M} "
                       f"由 {who} 生成，状态“{waiting.get_status_display()}”，尚未公开；"
                       f"它公开或撤销之前，不能再生成本月的新批次。{todo}。")
