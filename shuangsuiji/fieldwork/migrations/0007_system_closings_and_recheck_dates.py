"""What the system wrote on follow-ups and re-checks becomes data, said in the reader's language: a follow-up the
system closed keeps a code (``closed_as``) instead of its Chinese note, the note being said from the record or the
penalty decision it links to; a cancelled re-check's reason is said from its amendment (``cancelled_by_record``),
so the stored reason goes. A note that is not, exactly, the system's sentence with its link's number was typed by
a person and stays as typed. Backwards, the notes and reasons are written again in Chinese, as they were.

An open re-check's dates follow the LATEST deadline among the orders it still carries (``services.recheck_dates``),
and their follow-ups are due with it; before, a re-check whose orders an amendment carried over took the dates of
whichever was processed last. Those dates are set again; backwards they stay (the old ones were an accident of
order)."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models

RECHECK_WITHIN_DAYS = 15  # services.RECHECK_WITHIN_DAYS when this was written

# (code, the Chinese sentence the services wrote under system_language, what its number is)
CLOSINGS = (
    ("amended", "经更正记录{}更正，原认定的问题或处理方式已变更", "closing_record"),
    ("rectified", "复查确认已整改到位（复查记录{}）", "closing_record"),
    ("unrectified", "复查发现仍未整改到位，按复查记录{}的处理方式继续处置", "closing_record"),
    ("penalty", "已作出行政处罚决定（{}）", "penalty"),
)
CANCELLED = "经更正记录{}更正，不再责令整改，无需复查"


def _number(follow_up, link: str) -> str | None:
    if link == "penalty":
        return follow_up.penalty.decision_number if follow_up.penalty_id else None
    return follow_up.closing_record.number if follow_up.closing_record_id else None


def closings_to_codes(apps, schema_editor):
    FollowUp = apps.get_model("fieldwork", "FollowUp")
    closed = (FollowUp.objects.filter(status="closed", closed_as="").exclude(closing_note="")
              .select_related("closing_record", "penalty"))
    for follow_up in closed.iterator():
        for code, sentence, link in CLOSINGS:
            number = _number(follow_up, link)
            if number is not None and follow_up.closing_note == sentence.format(number):
                FollowUp.objects.filter(pk=follow_up.pk).update(closed_as=code, closing_note="")
                break


def codes_to_closings(apps, schema_editor):
    FollowUp = apps.get_model("fieldwork", "FollowUp")
    for follow_up in FollowUp.objects.exclude(closed_as="").select_related("closing_record", "penalty").iterator():
        code, sentence, link = next(c for c in CLOSINGS if c[0] == follow_up.closed_as)
        FollowUp.objects.filter(pk=follow_up.pk).update(closing_note=sentence.format(_number(follow_up, link)))


def cancel_reasons_back(apps, schema_editor):
    Recheck = apps.get_model("fieldwork", "Recheck")
    for recheck in Recheck.objects.filter(status="cancelled").select_related("cancelled_by_record").iterator():
        Recheck.objects.filter(pk=recheck.pk).update(
            cancel_reason=CANCELLED.format(recheck.cancelled_by_record.number))


def align_recheck_dates(apps, schema_editor):
    Recheck = apps.get_model("fieldwork", "Recheck")
    FollowUp = apps.get_model("fieldwork", "FollowUp")
    for recheck in Recheck.objects.filter(status="open").iterator():
        orders = FollowUp.objects.filter(recheck=recheck, status="open")
        deadlines = [d for d in orders.values_list("problem__deadline", flat=True) if d is not None]
        if not deadlines:
            continue
        latest = max(deadlines)
        due = latest + timedelta(days=RECHECK_WITHIN_DAYS)
        Recheck.objects.filter(pk=recheck.pk).update(not_before=latest, due_date=due)
        orders.update(due_date=due)


class Migration(migrations.Migration):

    dependencies = [
        ('fieldwork', '0006_recheck_substitution'),
        ('intake', '0003_past_days'),
        ('registry', '0005_checkitem_industries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, cancel_reasons_back, elidable=False),
        migrations.RemoveField(
            model_name='recheck',
            name='cancel_reason',
        ),
        migrations.AddField(
            model_name='followup',
            name='closed_as',
            field=models.CharField(blank=True, choices=[('', '办结人填写'), ('amended', '更正后不再处置'), ('rectified', '复查确认已整改'), ('unrectified', '复查发现仍未整改'), ('penalty', '作出处罚决定')], max_length=12, verbose_name='办结方式'),
        ),
        migrations.RunPython(closings_to_codes, codes_to_closings, elidable=False),
        migrations.AddConstraint(
            model_name='followup',
            constraint=models.CheckConstraint(condition=models.Q(('closed_as', ''), models.Q(('closed_as', 'penalty'), ('penalty__isnull', False)), models.Q(('closed_as__in', ['amended', 'rectified', 'unrectified']), ('closing_record__isnull', False)), _connector='OR'), name='followup_system_closing_has_link'),
        ),
        migrations.AddConstraint(
            model_name='recheck',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'cancelled'), _negated=True), ('cancelled_by_record__isnull', False), _connector='OR'), name='recheck_cancelled_has_record'),
        ),
        migrations.RunPython(align_recheck_dates, migrations.RunPython.noop, elidable=False),
    ]
