"""The decision the system wrote on an amendment request when a review's return opened or answered it becomes data
(``decided_as``), said in the reader's language (``AmendmentRequest.decision_text``), as a follow-up's system
closing became in 0007. Exactly the system's sentence, on a request of a record that was returned in review (the
only time the system wrote it), is converted; anything else was typed by an approver and stays as typed. The
audit events keep their stored reason (their chain is hashed); their display says it in the reader's language
(``systemtext``). Backwards, the sentence is written again in Chinese, as it was."""

from django.db import migrations, models

SENTENCE = "审核退回，更正后重新提交"  # services.do_review_record under system_language when this was written


def sentences_to_codes(apps, schema_editor):
    AmendmentRequest = apps.get_model("fieldwork", "AmendmentRequest")
    RecordReview = apps.get_model("fieldwork", "RecordReview")
    returned = RecordReview.objects.filter(decision="returned").values("record_id")
    (AmendmentRequest.objects.filter(decision=SENTENCE, decided_as="", record_id__in=returned)
     .update(decided_as="review_return", decision=""))


def codes_to_sentences(apps, schema_editor):
    AmendmentRequest = apps.get_model("fieldwork", "AmendmentRequest")
    AmendmentRequest.objects.filter(decided_as="review_return").update(decision=SENTENCE, decided_as="")


class Migration(migrations.Migration):

    dependencies = [
        ('fieldwork', '0007_system_closings_and_recheck_dates'),
    ]

    operations = [
        migrations.AddField(
            model_name='amendmentrequest',
            name='decided_as',
            field=models.CharField(blank=True, choices=[('', '审批人填写'), ('review_return', '审核退回时由系统填写')], max_length=16, verbose_name='审批意见来源'),
        ),
        migrations.RunPython(sentences_to_codes, codes_to_sentences, elidable=False),
    ]
