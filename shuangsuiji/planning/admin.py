"""The back-office tables of planning, read only: plans, draws and tasks change through the ceremony's
service functions (pages and commands), so the admin can never bypass a lock, a permission or the audit log."""

from django.contrib import admin

from shuangsuiji.planning.models import Draw, Plan, PlanStratum, RedrawRequest, Substitution, Task, TaskMember


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


class StratumInline(admin.TabularInline):
    model = PlanStratum
    fields = ["stratum", "population", "minimum", "must_include", "requested", "shortfall_state", "shortfall_reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["id", "jurisdiction", "year", "quarter", "kind", "department", "status", "revealed_at"]
    list_filter = ["year", "quarter", "kind", "status", "level"]
    search_fields = ["jurisdiction__name", "jurisdiction__code"]
    list_select_related = ["jurisdiction", "department"]
    inlines = [StratumInline]


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "status", "inputs_hash", "commitment", "drawn_at"]
    list_filter = ["status"]
    list_select_related = ["plan__jurisdiction", "plan__department"]
    # The secret, and the complete manifest that contains it, stay off every page until the plan is revealed.
    exclude = ["secret", "manifest"]


@admin.register(RedrawRequest)
class RedrawRequestAdmin(ReadOnlyAdmin):
    list_display = ["plan", "state", "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["state"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["target", "year", "quarter", "category", "is_joint", "deadline", "status"]
    list_filter = ["year", "quarter", "status", "is_joint", "category"]
    search_fields = ["target__name", "target__credit_code"]
    list_select_related = ["target"]


@admin.register(TaskMember)
class TaskMemberAdmin(ReadOnlyAdmin):
    list_display = ["task", "inspector", "role", "slot_kind", "requirement", "active"]
    list_filter = ["role", "active"]
    list_select_related = ["task__target", "inspector"]


@admin.register(Substitution)
class SubstitutionAdmin(ReadOnlyAdmin):
    list_display = ["draw", "kind", "task", "new_task", "old_inspector", "new_inspector", "acted_at"]
    list_filter = ["kind"]
