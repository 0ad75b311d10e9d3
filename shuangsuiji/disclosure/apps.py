from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "shuangsuiji.disclosure"
    label = "disclosure"
    verbose_name = _("一公开")
