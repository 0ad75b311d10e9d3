"""When what the public reads of each plan last changed, for the open-data API's sync of plans
(``/api/public/plans/?changed_since=…``).

- ``Plan.changed_at``: set by every service that changes a plan's public fields from now on; filled here for the
  published plans already stored (those with a frozen draw) from the times they already keep, in one UPDATE: the
  latest step of each draw (its steps are in order, so the first of superseded, drawn, public value, commitment,
  freeze that is set), the latest substitution, the dispatch and the reveal. Unpublished plans stay empty until
  their freeze dates them.
- ``plan_change_order``: (changed_at, id), the sync listing's order.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest


def fill_changed_at(apps, schema_editor):
    plan, draw = apps.get_model("planning", "Plan"), apps.get_model("planning", "Draw")
    substitution = apps.get_model("planning", "Substitution")
    step = Coalesce("superseded_at", "drawn_at", "public_recorded_at", "committed_at", "frozen_at")
    latest_step = Subquery(draw.objects.filter(plan=OuterRef("pk")).exclude(inputs_hash="").order_by()
                           .values("plan").annotate(at=Max(step)).values("at")[:1])
    latest_substitution = Subquery(substitution.objects.filter(draw__plan=OuterRef("pk")).order_by()
                                   .values("draw__plan").annotate(at=Max("acted_at")).values("at")[:1])
    # Greatest is NULL on SQLite when any argument is: each time falls back to the draw's, which a published plan has.
    base = Coalesce(latest_step, "created_at")
    frozen = draw.objects.filter(plan=OuterRef("pk")).exclude(inputs_hash="")
    plan.objects.filter(models.Exists(frozen)).update(changed_at=Greatest(
        base, Coalesce(latest_substitution, base), Coalesce("dispatched_at", base), Coalesce("revealed_at", base)))


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0003_past_days'),
        ('planning', '0003_cross_department'),
        ('registry', '0005_checkitem_industries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='plan',
            name='changed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='最近变更时间'),
        ),
        migrations.RunPython(fill_changed_at, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name='plan',
            index=models.Index(fields=['changed_at', 'id'], name='plan_change_order'),
        ),
    ]
