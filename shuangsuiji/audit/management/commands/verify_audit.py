"""``python manage.py verify_audit``: check the audit log's hash chain from its first event to its head.

Every event's hash covers the hash of the one before it, so an event changed in place, one deleted from the
middle or the newest ones deleted all show. The database itself refuses UPDATE on the log; a deletion or a
restore from a tampered backup is found here. Exit status 1 when anything differs. Run it after every restore
and on a schedule (docs/operations.md).
"""

from django.core.management.base import BaseCommand

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.verification import finish


class Command(BaseCommand):
    help = "核验审计日志的哈希链：每个事件的内容、与前一事件的衔接以及链头是否一致。"

    def handle(self, *args, verbosity: int, **options) -> None:
        finish(self, verify_chain(), verbosity, lambda: f"已核验 {Event.objects.count()} 个审计事件，哈希链完整。")
