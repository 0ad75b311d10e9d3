"""``Draw.dispatched_at``: when a plan went out with the draw's teams, kept when a re-draw supersedes the draw (the
plan's own ``dispatched_at`` is cleared then). ``told_places`` reads it: a superseded draw told its officers only if
it had been dispatched.

Filled here for the draws already stored:

- a live draw of a dispatched plan: the plan's ``dispatched_at``;
- a superseded draw: the time of its plan's ``plan.dispatch`` audit event between the supersession before it (or
  none) and its own — each supersession returns the plan to a draft, so a dispatch in that span was this draw's.
  With no such event it stays null: it was superseded before any dispatch, and its officers were never told.
"""

from django.db import migrations, models


def fill_dispatched_at(apps, schema_editor):
    plan_model, draw_model = apps.get_model("planning", "Plan"), apps.get_model("planning", "Draw")
    for draw in (draw_model.objects.exclude(status="superseded").filter(plan__status="dispatched")
                 .select_related("plan").only("pk", "plan__dispatched_at")):
        if draw.plan.dispatched_at is not None:
            draw_model.objects.filter(pk=draw.pk).update(dispatched_at=draw.plan.dispatched_at)
    superseded = list(draw_model.objects.filter(status="superseded", superseded_at__isnull=False)
                      .order_by("plan_id", "number").values_list("pk", "plan_id", "superseded_at"))
    if not superseded:
        return
    content_type = apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label="planning", model=plan_model._meta.model_name).first()
    if content_type is None:
        return
    event_model = apps.get_model("audit", "Event")
    previous: dict[int, object] = {}
    for pk, plan_id, superseded_at in superseded:
        events = event_model.objects.filter(action="plan.dispatch", content_type=content_type,
                                            object_id=str(plan_id), occurred_at__lte=superseded_at)
        if plan_id in previous:
            events = events.filter(occurred_at__gt=previous[plan_id])
        previous[plan_id] = superseded_at
        dispatched = events.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
        if dispatched is not None:
            draw_model.objects.filter(pk=pk).update(dispatched_at=dispatched)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_append_only"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("planning", "0004_plan_changed_at_h122"),
    ]

    operations = [
        migrations.AddField(
            model_name="draw",
            name="dispatched_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="派发时间"),
        ),
        migrations.RunPython(fill_dispatched_at, migrations.RunPython.noop, elidable=False),
    ]
