from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "shuangsuiji.fieldwork"
    verbose_name = _("现场检查与问题处置")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from shuangsuiji.media import ensure_media_folder

        # the mark of the media volume (shuangsuiji/media.py), made by a deliberate migrate, never by the server
        post_migrate.connect(ensure_media_folder, sender=self, dispatch_uid="shuangsuiji.media.folder")
