"""The tamper-evident event log.

Every service function writes one event in the same transaction as the change it records. Events are
chained: each carries the SHA-256 of its own content and of the previous event, so deleting or
editing a row breaks the chain at that point (``verify_chain``). The database refuses UPDATE on the
table (triggers installed by migration 0002) on SQLite and PostgreSQL alike.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangsuiji.accounts.scoping import ScopedManager


class Event(models.Model):
    occurred_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_constraint=False,
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    jurisdiction = models.ForeignKey(
        "registry.Jurisdiction", verbose_name=_("行政区"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    # Read through the scoping gate (the 审计日志 page): an event is its jurisdiction's; one recorded with none (an
    # address locked out, the shared reference data, the demo's load) or above a city is the city office's.
    scope_field = "jurisdiction"
    scope_unplaced_above_county = True
    objects = ScopedManager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class ChainHead(models.Model):
    """One row holding the hash of the newest event; locking it serialises writers of the chain."""

    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} events, last {self.last_hash[:12]}"
