"""``python manage.py lift_address_lock ADDRESS --reason "…"``: the server's operator lifts the cap on a network
address locked for every name after too many failed sign-ins (``LOGIN_ADDRESS_FAILURE_LIMIT``), as the city office
does on the 审计日志 page. Through ``accounts.services.do_lift_address_lock``, so the lift is in the audit chain
(with no actor: the operator) — django-axes' own ``axes_reset_ip`` forgets the same failures without a trace.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuangsuiji.accounts.services import do_lift_address_lock

ARGUMENTS = {"address": "ADDRESS", "reason": "--reason"}
"""The service's fields as the command line names them, to say where an error is."""


class Command(BaseCommand):
    help = "解除某网络地址因登录失败过多（不论用户名）而受的登录锁定，并记入审计日志。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("address", help="被锁定的网络地址（IPv4 或 IPv6）")
        parser.add_argument("--reason", required=True, help="解除理由（记入审计日志），如：经核实为本单位办公网出口")

    def handle(self, *args, address: str, reason: str, verbosity: int, **options) -> None:
        try:
            lock = do_lift_address_lock(address, acting_user=None, reason=reason)
        except ValidationError as error:
            raise CommandError("；".join(f"{ARGUMENTS.get(field, field)}：{message}"
                                        for field, messages in error.message_dict.items()
                                        for message in messages)) from None
        if verbosity:
            accounts = f"；其中账号 {'、'.join(lock.locked_accounts)} 从该地址的锁定一并解除" \
                if lock.locked_accounts else ""
            self.stdout.write(self.style.SUCCESS(
                f"已解除网络地址 {lock.address} 的登录锁定（原锁定至 "
                f"{timezone.localtime(lock.until):%Y-%m-%d %H:%M}，清除 {lock.failures} 次登录失败{accounts}），"
                "已记入审计日志。"))
