from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shuangsuiji.registry"
    verbose_name = _("两库一单")
