from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True  # this module holds another app's config too
    name = "shuangsuiji.accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from shuangsuiji.accounts import signals  # noqa: F401  (connects the lockout's audit event)


class LoginRecordsConfig(AxesAppConfig):
    """django-axes under a name the admin's index can show in Chinese (its own config has none)."""

    default = False
    verbose_name = _("登录记录")
