"""The back-office tables of 一公开, read only: what the public sees changes through the services (prepare,
review, release, correct, redaction decisions), each with its audit event, never by editing a row here."""

from django.contrib import admin

from shuangsuiji.disclosure.models import (
    Correction,
    DrawVerification,
    ListedTarget,
    Publication,
    PublishedResult,
    RedactionCase,
    RedactionRule,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False
    scope_path = ""
    """Where the row's jurisdiction is, to keep an admin user inside his scope ("" = no scoping)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_superuser or not self.scope_path:
            return queryset
        if user.jurisdiction_id is None:
            return queryset.none()
        return queryset.filter(**{f"{self.scope_path}__path__startswith": user.jurisdiction.path})


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "status", "deadline", "row_count", "withheld_count", "released_at"]
    list_filter = ["kind", "status", "year"]
    scope_path = "jurisdiction"


@admin.register(ListedTarget)
class ListedTargetAdmin(ReadOnlyAdmin):
    list_display = ["credit_code", "name", "jurisdiction_name", "publication"]
    search_fields = ["credit_code", "name"]
    exclude = ["target"]
    scope_path = "publication__jurisdiction"


@admin.register(PublishedResult)
class PublishedResultAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "target_name", "jurisdiction_name", "inspected_on", "outcome", "publication"]
    list_filter = ["outcome"]
    search_fields = ["public_id", "credit_code", "target_name"]
    exclude = ["record", "target"]
    scope_path = "jurisdiction"


@admin.register(RedactionRule)
class RedactionRuleAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "jurisdiction", "industry_prefix", "target", "active", "created_at"]
    list_filter = ["active", "action", "basis"]
    scope_path = "jurisdiction"


@admin.register(RedactionCase)
class RedactionCaseAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "record", "decided_at", "decided_by"]
    scope_path = "record__target__jurisdiction"


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "reason", "corrected_by"]
    scope_path = "result__jurisdiction"


@admin.register(DrawVerification)
class DrawVerificationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "ok", "checked_at"]
    list_filter = ["ok"]
    scope_path = "draw__plan__jurisdiction"
