from django.urls import path

from shuangsuiji.fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/changes/", views.task_changes, name="task_changes"),
    path("tasks/<id:pk>/", views.task_brief, name="task_brief"),
    path("tasks/<id:pk>/plan/", views.task_plan, name="task_plan"),
    path("tasks/<id:pk>/start/", views.task_start, name="task_start"),
    path("rechecks/", views.recheck_list, name="recheck_list"),
    path("rechecks/<id:pk>/", views.recheck_detail, name="recheck_detail"),
    path("rechecks/<id:pk>/start/", views.recheck_start, name="recheck_start"),
    path("rechecks/<id:pk>/substitute/", views.recheck_substitute, name="recheck_substitute"),
    path("records/", views.record_list, name="record_list"),
    path("records/<id:pk>/", views.record_detail, name="record_detail"),
    path("records/<id:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<id:pk>/draft/", views.record_draft, name="record_draft"),
    path("records/<id:pk>/sign/", views.record_sign, name="record_sign"),
    path("records/<id:pk>/signatures/<id:signature_pk>.png", views.signature_image, name="signature_image"),
    path("records/<id:pk>/signatures/<id:signature_pk>/delete/", views.signature_delete, name="signature_delete"),
    path("records/<id:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("records/<id:pk>/on-site/", views.record_on_site_request, name="record_on_site_request"),
    path("records/<id:pk>/review/", views.record_review, name="record_review"),
    path("records/<id:pk>/amend/", views.record_amend, name="record_amend"),
    path("records/<id:pk>/record.pdf", views.record_pdf, name="record_pdf"),
    path("attachments/<id:pk>/", views.attachment_file, name="attachment_file"),
    path("attachments/<id:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/amendments/<id:pk>/", views.amendment_decide, name="amendment_decide"),
    path("approvals/on-site/<id:pk>/", views.on_site_decide, name="on_site_decide"),
    path("follow-ups/", views.followup_list, name="followup_list"),
    path("follow-ups/<id:pk>/", views.followup_detail, name="followup_detail"),
    path("follow-ups/<id:pk>/case/", views.followup_case, name="followup_case"),
    path("follow-ups/<id:pk>/penalty/", views.followup_penalty, name="followup_penalty"),
    path("follow-ups/<id:pk>/transfer/", views.followup_transfer, name="followup_transfer"),
    path("follow-ups/<id:pk>/evidence/", views.followup_evidence, name="followup_evidence"),
    path("follow-ups/<id:pk>/close/", views.followup_close, name="followup_close"),
    path("evidence/<id:pk>/", views.evidence_file, name="evidence_file"),
]
