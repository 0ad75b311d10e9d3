"""The back-office tables of 两库一单. Scoped like the pages; saves go through the service functions so
the admin never bypasses the history and the audit log; nothing here deletes."""

from django.contrib import admin

from shuangsuiji.audit.models import Event
from shuangsuiji.registry.models import (
    CheckItem,
    Department,
    Inspector,
    Jurisdiction,
    Outlet,
    Recusal,
    Specialty,
    Target,
    TargetHistory,
    WorkdayOverride,
)
from shuangsuiji.registry.services import do_save


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not self.model.objects.editable_by(request.user).filter(pk=obj.pk).exists():
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        do_save(obj, acting_user=request.user, reason="后台管理：" + ("修改" if change else "新增"))

    def save_related(self, request, form, formsets, change):
        # many-to-many fields are set through the service so they are audited too
        m2m = {name: form.cleaned_data[name] for name in form.cleaned_data
               if name in {f.name for f in self.model._meta.many_to_many} and not self._through(name)}
        if m2m:
            do_save(form.instance, acting_user=request.user, reason="后台管理：修改关联", m2m=m2m)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _through(self, name: str) -> bool:
        return not self.model._meta.get_field(name).remote_field.through._meta.auto_created


@admin.register(Jurisdiction)
class JurisdictionAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ("name", "jurisdiction", "has_enforcement_duty", "is_active")
    list_filter = ("has_enforcement_duty", "is_active")
    search_fields = ("name",)


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ("code", "name")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OutletInline(admin.TabularInline):
    model = Outlet
    extra = 0


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    list_display = ("name", "credit_code", "jurisdiction", "category", "positive_list", "status")
    list_filter = ("category", "positive_list", "status")
    search_fields = ("name", "credit_code")
    list_select_related = ("jurisdiction",)
    inlines = [OutletInline]
    show_full_result_count = False


@admin.register(TargetHistory)
class TargetHistoryAdmin(ScopedAdmin):
    list_display = ("target", "field", "old_value", "new_value", "effective_date", "reason", "recorded_by")
    list_filter = ("field",)
    list_select_related = ("target",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Inspector)
class InspectorAdmin(ScopedAdmin):
    list_display = ("name", "certificate_number", "certificate_expiry", "jurisdiction", "department", "status",
                    "is_external")
    list_filter = ("status", "is_external", "specialties")
    search_fields = ("name", "certificate_number")
    list_select_related = ("jurisdiction", "department")
    filter_horizontal = ("specialties",)


@admin.register(Recusal)
class RecusalAdmin(ScopedAdmin):
    list_display = ("inspector", "target", "reason")
    raw_id_fields = ("inspector", "target")

    def has_add_permission(self, request) -> bool:
        return False  # recusals are set on the inspector's page, through their service

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CheckItem)
class CheckItemAdmin(ScopedAdmin):
    list_display = ("code", "name", "responsible_department", "list_level", "specialty", "is_active")
    list_filter = ("list_level", "is_active")
    search_fields = ("code", "name", "legal_basis")
    filter_horizontal = ("cooperating_departments",)


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "note")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The audit log, read-only for everyone: the database refuses changes anyway."""

    list_display = ("occurred_at", "actor_name", "action", "object_repr", "reason")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_name", "reason")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(jurisdiction__path__startswith=request.user.jurisdiction.path) \
            if request.user.jurisdiction_id else queryset.none()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
