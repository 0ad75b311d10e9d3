from django.urls import path

from shuangsuiji.registry import views, views_calendar, views_excel

app_name = "registry"

urlpatterns = [
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/<id:pk>/", views.target_detail, name="target_detail"),
    path("targets/<id:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<id:pk>/defunct/", views.target_defunct, name="target_defunct"),
    path("targets/<id:pk>/reactivate/", views.target_reactivate, name="target_reactivate"),
    path("inspectors/", views.inspector_list, name="inspector_list"),
    path("inspectors/new/", views.inspector_create, name="inspector_create"),
    path("inspectors/<id:pk>/", views.inspector_detail, name="inspector_detail"),
    path("inspectors/<id:pk>/edit/", views.inspector_edit, name="inspector_edit"),
    path("inspectors/<id:pk>/recusals/", views.inspector_recusal, name="inspector_recusal"),
    path("items/", views.checkitem_list, name="checkitem_list"),
    path("items/new/", views.checkitem_create, name="checkitem_create"),
    path("items/<id:pk>/", views.checkitem_detail, name="checkitem_detail"),
    path("items/<id:pk>/edit/", views.checkitem_edit, name="checkitem_edit"),
    path("jurisdictions/", views.jurisdiction_list, name="jurisdiction_list"),
    path("jurisdictions/<id:pk>/", views.jurisdiction_detail, name="jurisdiction_detail"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<id:pk>/", views.department_detail, name="department_detail"),
    path("departments/<id:pk>/edit/", views.department_edit, name="department_edit"),
    # 工作日安排: the calendar's years and the State Council's schedule for a year the package lacks.
    path("workdays/", views_calendar.workdays, name="workdays"),
    # 动态管理: the quarterly list of new and defunct targets (due by the 20th of Mar/Jun/Sep/Dec).
    path("dynamic/", views_excel.dynamic_report, name="dynamic_report"),
    path("dynamic/export.xlsx", views_excel.dynamic_report_export, name="dynamic_report_export"),
    # Excel in and out (两库一单 arrive and leave as .xlsx); kind is targets / inspectors / items.
    path("<key:kind>/template.xlsx", views_excel.download_template, name="excel_template"),
    path("<key:kind>/import/", views_excel.import_workbook, name="excel_import"),
    path("<key:kind>/export.xlsx", views_excel.export_list, name="excel_export"),
]
