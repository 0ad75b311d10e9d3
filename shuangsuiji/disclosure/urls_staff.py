"""The bureau's publication pages under /disclosure/ (namespace ``disclosure``)."""

from django.urls import path

from shuangsuiji.disclosure import views_objections
from shuangsuiji.disclosure import views_staff as views

app_name = "disclosure"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("prepare/", views.prepare, name="prepare"),
    path("batches/<id:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<id:pk>/review/", views.review, name="review"),
    path("batches/<id:pk>/release/", views.release, name="release"),
    path("batches/<id:pk>/discard/", views.discard, name="discard"),
    path("batches/<id:pk>/return/", views.return_batch, name="return_batch"),
    path("redaction/", views.redaction, name="redaction"),
    path("redaction/rules/add/", views.rule_add, name="rule_add"),
    path("redaction/rules/<id:pk>/deactivate/", views.rule_deactivate, name="rule_deactivate"),
    path("redaction/cases/add/", views.case_add, name="case_add"),
    path("reports/", views.report_page, name="reports"),
    path("reports/download.xlsx", views.report_download, name="report_download"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/<id:pk>/republish/", views.republish, name="republish"),
    path("results/<key:public_id>/correct/", views.correct, name="correct"),
    path("objections/", views_objections.objection_list, name="objections"),
    path("objections/<id:pk>/", views_objections.objection_detail, name="objection_detail"),
]
