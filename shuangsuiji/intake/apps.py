from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "shuangsuiji.intake"
    verbose_name = _("外部数据与分类")
