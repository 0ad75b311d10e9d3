from django.urls import path

from shuangsuiji.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.home, name="home"),
    path("penalties/", views.penalty_list, name="penalty_list"),
    path("penalties/new/", views.penalty_create, name="penalty_create"),
    path("penalties/<id:pk>/", views.penalty_detail, name="penalty_detail"),
    path("penalties/<id:pk>/edit/", views.penalty_edit, name="penalty_edit"),
    path("penalties/<id:pk>/delete/", views.penalty_delete, name="penalty_delete"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<id:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<id:pk>/edit/", views.complaint_edit, name="complaint_edit"),
    path("complaints/<id:pk>/delete/", views.complaint_delete, name="complaint_delete"),
    path("exceedances/", views.exceedance_list, name="exceedance_list"),
    path("exceedances/new/", views.exceedance_create, name="exceedance_create"),
    path("exceedances/<id:pk>/", views.exceedance_detail, name="exceedance_detail"),
    path("exceedances/<id:pk>/delete/", views.exceedance_delete, name="exceedance_delete"),
    path("exceedances/imports/", views.monitoring_import_list, name="monitoring_import_list"),
    path("key-units/", views.keyunit_list, name="keyunit_list"),
    path("key-units/new/", views.keyunit_create, name="keyunit_create"),
    path("key-units/<id:pk>/", views.keyunit_detail, name="keyunit_detail"),
    path("key-units/<id:pk>/remove/", views.keyunit_remove, name="keyunit_remove"),
    path("positive-list/", views.positive_list, name="positive_list"),
    path("positive-list/new/", views.positive_create, name="positive_create"),
    path("positive-list/<id:pk>/", views.positive_detail, name="positive_detail"),
    path("positive-list/<id:pk>/edit/", views.positive_edit, name="positive_edit"),
    path("clues/", views.clue_list, name="clue_list"),
    path("clues/new/", views.clue_create, name="clue_create"),
    path("clues/<id:pk>/", views.clue_detail, name="clue_detail"),
    path("clues/<id:pk>/decide/", views.clue_decide, name="clue_decide"),
    # Excel in: kind is penalties / complaints / exceedances / key_units / positive_list / clues.
    path("import/<key:kind>/template.xlsx", views.import_template, name="import_template"),
    path("import/<key:kind>/", views.import_upload, name="import_upload"),
    path("import/errors.xlsx", views.import_errors, name="import_errors"),
    path("classification/", views.classification_summary, name="classification_summary"),
    path("classification/run/", views.classification_run, name="classification_run"),
    path("classification/targets/<id:pk>/", views.target_classification, name="target_classification"),
]
