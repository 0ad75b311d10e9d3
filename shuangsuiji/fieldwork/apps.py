from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "shuangsuiji.fieldwork"
    verbose_name = _("现场检查与问题处置")
