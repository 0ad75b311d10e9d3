"""What happens around signing in and out: the audit chain learns of a lockout from django-axes (which decides it
inside ``authenticate``), a user who signs in hears what he should know at once, and one who signs out leaves no
rejected upload behind."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shuangsuiji.accounts.services import failures_since, password_expires_at, previous_sign_in, record_lockout
from shuangsuiji.tabular.annotate import forget_at_logout

# a rejected import's workbook (enterprises' data) kept for its uploader goes when he signs out, not at the sweep
user_logged_out.connect(forget_at_logout, dispatch_uid="shuangsuiji.tabular.forget_at_logout")


@receiver(user_locked_out, dispatch_uid="shuangsuiji.accounts.audit_lockout")
def audit_lockout(sender, request, username: str | None, ip_address: str | None = None, **kwargs) -> None:
    # axes signals again on every attempt refused during the lockout; only the failure that locked the
    # name (from the address it came from: AXES_LOCKOUT_PARAMETERS) has its count on the request
    failures = getattr(request, "axes_failures_since_start", None)
    if username and failures is not None and failures >= settings.AXES_FAILURE_LIMIT:
        record_lockout(username, ip_address or "", failures, timezone.now() + settings.AXES_COOLOFF_TIME)


@receiver(user_logged_in, dispatch_uid="shuangsuiji.accounts.sign_in_notices")
def sign_in_notices(sender, request, user, **kwargs) -> None:
    """Tell the user at once of failed sign-ins under his name since he last signed in (someone may be
    guessing his password), and of a password that expires within a fortnight."""
    if request is None or not hasattr(request, "_messages"):
        return
    previous = previous_sign_in(user)
    failures = failures_since(user, previous.attempt_time if previous else None)
    if failures:
        messages.warning(request, _("自上次登录以来，有%(n)d次使用您用户名的登录失败。"
                                    "如不是您本人所为，请立即修改密码。") % {"n": failures})
    expires = password_expires_at(user)
    if expires is not None and not user.must_change_password:
        days = (expires - timezone.now()).days
        if 0 <= days < 14:
            messages.info(request, ngettext("您的密码将在%(days)d天后过期，请在“账号与密码”中修改。",
                                            "您的密码将在%(days)d天后过期，请在“账号与密码”中修改。",
                                            days) % {"days": days})
