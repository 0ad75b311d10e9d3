"""The back-office tables of fieldwork, read only. Records change through the team's pages and the service
functions, and a sealed record not at all — the admin may not even try (the database would refuse)."""

from django.contrib import admin

from shuangsuiji.fieldwork.models import (
    AmendmentRequest,
    Attachment,
    FollowUp,
    InspectionRecord,
    ItemResult,
    OnSiteApproval,
    Recheck,
    RecordReview,
    Signature,
)


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class ItemInline(ReadOnly, admin.TabularInline):
    model = ItemResult
    fields = ["order", "code", "name", "outcome", "notes", "handling", "deadline", "transfer_to"]
    extra = 0


class SignatureInline(ReadOnly, admin.TabularInline):
    model = Signature
    fields = ["role", "name", "certificate_number", "signed_at", "image_hash", "revision"]
    extra = 0


class AttachmentInline(ReadOnly, admin.TabularInline):
    model = Attachment
    fields = ["original_name", "size", "sha256", "taken_at", "uploaded_at"]
    extra = 0


@admin.register(InspectionRecord)
class InspectionRecordAdmin(ReadOnlyAdmin):
    list_display = ["number", "target", "mode", "ended_at", "sealed_at", "seal_hash"]
    list_filter = ["mode", "positive_list"]
    search_fields = ["number", "target__name", "target__credit_code"]
    list_select_related = ["target"]
    exclude = ["sealed_content"]
    inlines = [ItemInline, SignatureInline, AttachmentInline]


@admin.register(RecordReview)
class RecordReviewAdmin(ReadOnlyAdmin):
    list_display = ["record", "decision", "reviewed_by", "reviewed_at"]
    list_filter = ["decision"]
    list_select_related = ["record", "reviewed_by"]


@admin.register(AmendmentRequest)
class AmendmentRequestAdmin(ReadOnlyAdmin):
    list_display = ["record", "state", "via_review", "requested_by", "requested_at", "decided_by", "decided_as",
                    "amendment"]
    list_filter = ["state", "via_review"]
    list_select_related = ["record", "requested_by", "decided_by", "amendment"]


@admin.register(OnSiteApproval)
class OnSiteApprovalAdmin(ReadOnlyAdmin):
    list_display = ["target", "record", "state", "requested_by", "decided_by", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["target", "record", "requested_by", "decided_by"]


@admin.register(Recheck)
class RecheckAdmin(ReadOnlyAdmin):
    list_display = ["number", "target", "not_before", "due_date", "status"]
    list_filter = ["status"]
    search_fields = ["number", "target__name", "target__credit_code"]
    list_select_related = ["target"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["record", "target", "handling", "due_date", "status", "case_number", "penalty"]
    list_filter = ["status", "handling"]
    search_fields = ["record__number", "target__name", "target__credit_code", "case_number"]
    list_select_related = ["record", "target", "penalty"]
