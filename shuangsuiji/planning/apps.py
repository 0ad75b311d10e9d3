from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "shuangsuiji.planning"
    verbose_name = _("抽查计划与抽取")
