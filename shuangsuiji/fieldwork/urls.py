from django.urls import path

from shuangsuiji.fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/", views.task_brief, name="task_brief"),
    path("tasks/<int:pk>/plan/", views.task_plan, name="task_plan"),
    path("tasks/<int:pk>/start/", views.task_start, name="task_start"),
    path("rechecks/", views.recheck_list, name="recheck_list"),
    path("rechecks/<int:pk>/", views.recheck_detail, name="recheck_detail"),
    path("rechecks/<int:pk>/start/", views.recheck_start, name="recheck_start"),
    path("records/", views.record_list, name="record_list"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:pk>/draft/", views.record_draft, name="record_draft"),
    path("records/<int:pk>/sign/", views.record_sign, name="record_sign"),
    path("records/<int:pk>/signatures/<int:signature_pk>.png", views.signature_image, name="signature_image"),
    path("records/<int:pk>/signatures/<int:signature_pk>/delete/", views.signature_delete, name="signature_delete"),
    path("records/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("records/<int:pk>/on-site/", views.record_on_site_request, name="record_on_site_request"),
    path("records/<int:pk>/review/", views.record_review, name="record_review"),
    path("records/<int:pk>/amend/", views.record_amend, name="record_amend"),
    path("records/<int:pk>/record.pdf", views.record_pdf, name="record_pdf"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/amendments/<int:pk>/", views.amendment_decide, name="amendment_decide"),
    path("approvals/on-site/<int:pk>/", views.on_site_decide, name="on_site_decide"),
    path("follow-ups/", views.followup_list, name="followup_list"),
    path("follow-ups/<int:pk>/", views.followup_detail, name="followup_detail"),
    path("follow-ups/<int:pk>/case/", views.followup_case, name="followup_case"),
    path("follow-ups/<int:pk>/penalty/", views.followup_penalty, name="followup_penalty"),
    path("follow-ups/<int:pk>/transfer/", views.followup_transfer, name="followup_transfer"),
    path("follow-ups/<int:pk>/evidence/", views.followup_evidence, name="followup_evidence"),
    path("follow-ups/<int:pk>/close/", views.followup_close, name="followup_close"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
]
