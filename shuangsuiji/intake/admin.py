"""The back-office tables of intake, read only: every change goes through the pages (and their
service functions), so the admin cannot bypass permissions, history or the audit log."""

from django.contrib import admin

from shuangsuiji.intake.models import (
    Classification,
    ClassificationRun,
    Clue,
    Complaint,
    Exceedance,
    KeyUnit,
    MonitoringImport,
    Penalty,
    PositiveListEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Penalty)
class PenaltyAdmin(ReadOnlyAdmin):
    list_display = ["decision_number", "decided_on", "target", "department", "amount", "source"]
    list_filter = ["source", "decided_on"]
    search_fields = ["decision_number", "target__name", "target__credit_code"]
    list_select_related = ["target", "department__jurisdiction"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["reference", "received_on", "channel", "target", "verified"]
    list_filter = ["channel", "verified", "received_on"]
    search_fields = ["reference", "target__name", "target__credit_code"]
    list_select_related = ["target"]


@admin.register(MonitoringImport)
class MonitoringImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "jurisdiction", "imported_at", "readings", "within_limit", "exceedances_new"]
    list_select_related = ["jurisdiction"]


@admin.register(Exceedance)
class ExceedanceAdmin(ReadOnlyAdmin):
    list_display = ["measured_at", "target", "outlet", "pollutant", "value", "limit"]
    search_fields = ["target__name", "target__credit_code", "pollutant"]
    list_select_related = ["target", "outlet__target"]


@admin.register(KeyUnit)
class KeyUnitAdmin(ReadOnlyAdmin):
    list_display = ["year", "target", "directory", "kinds"]
    list_filter = ["year"]
    search_fields = ["target__name", "target__credit_code", "directory"]
    list_select_related = ["target"]


@admin.register(PositiveListEntry)
class PositiveListEntryAdmin(ReadOnlyAdmin):
    list_display = ["target", "start", "end", "document_number"]
    search_fields = ["target__name", "target__credit_code", "document_number"]
    list_select_related = ["target"]


@admin.register(Clue)
class ClueAdmin(ReadOnlyAdmin):
    list_display = ["target", "found_on", "source", "status", "decided_at", "applied_year", "applied_quarter"]
    list_filter = ["status", "source"]
    search_fields = ["target__name", "target__credit_code"]
    list_select_related = ["target"]


@admin.register(ClassificationRun)
class ClassificationRunAdmin(ReadOnlyAdmin):
    list_display = ["jurisdiction", "year", "quarter", "targets", "policy_id", "run_at", "run_by"]
    list_filter = ["year", "quarter"]
    list_select_related = ["jurisdiction", "run_by"]


@admin.register(Classification)
class ClassificationAdmin(ReadOnlyAdmin):
    list_display = ["target", "year", "quarter", "category", "positive_list", "on_site_eligible", "must_inspect"]
    list_filter = ["year", "quarter", "category", "positive_list", "must_inspect"]
    search_fields = ["target__name", "target__credit_code"]
    list_select_related = ["target"]
