"""The back-office tables of 两库一单. Scoped like the pages; saves go through the service functions so
the admin never bypasses the history and the audit log; nothing here deletes."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shuangsuiji.audit.display import action_label, changes_of
from shuangsuiji.audit.models import Event
from shuangsuiji.registry.forms import ReasonAdminForm
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
from shuangsuiji.registry.services import do_save, do_save_reference, keeps_reference_data


class ScopedAdmin(admin.ModelAdmin):
    form = ReasonAdminForm  # 变更理由 and 生效日期, required for a target's category / positive-list change

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not self.model.objects.editable_by(request.user).filter(pk=obj.pk).exists():
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if hasattr(db_field.related_model.objects, "editable_by"):
            # choices the acting user may file a row under; anything else the service would refuse anyway
            kwargs["queryset"] = db_field.related_model.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if hasattr(db_field.related_model.objects, "editable_by"):
            kwargs["queryset"] = db_field.related_model.objects.editable_by(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @staticmethod
    def _reason(form, change: bool) -> str:
        return form.cleaned_data.get("reason") or ("后台管理：" + ("修改" if change else "新增"))

    def save_model(self, request, obj, form, change):
        do_save(obj, acting_user=request.user, reason=self._reason(form, change),
                effective_date=form.cleaned_data.get("effective_date"))

    def save_related(self, request, form, formsets, change):
        # many-to-many fields are set through the service so they are audited too
        m2m = {name: form.cleaned_data[name] for name in form.cleaned_data
               if name in {f.name for f in self.model._meta.many_to_many} and not self._through(name)}
        if m2m:
            do_save(form.instance, acting_user=request.user, reason=self._reason(form, change), m2m=m2m)
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


class ReferenceAdmin(admin.ModelAdmin):
    """Tables every jurisdiction shares: saved through their service (city office only, audited)."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return self._keeps(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._keeps(request.user) and super().has_change_permission(request, obj)

    @staticmethod
    def _keeps(user) -> bool:
        return keeps_reference_data(user)

    def save_model(self, request, obj, form, change):
        do_save_reference(obj, acting_user=request.user, reason="后台管理：" + ("修改" if change else "新增"))


@admin.register(Specialty)
class SpecialtyAdmin(ReferenceAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class OutletInline(admin.TabularInline):
    """Shown, not edited here: outlets arrive with the registry import, which records them."""

    model = Outlet
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    list_display = ("name", "credit_code", "jurisdiction", "category", "positive_list", "status")
    list_filter = ("category", "positive_list", "status")
    search_fields = ("name", "credit_code")
    list_select_related = ("jurisdiction",)
    inlines = [OutletInline]
    show_full_result_count = False
    # 消亡 and its reversal carry a date and a reason: they are done on the target's page, through their services
    readonly_fields = ("status", "defunct_date", "defunct_reason")


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
    list_display = ("code", "name", "responsible_department", "list_level", "industries", "specialty", "is_active")
    list_filter = ("list_level", "is_active")
    search_fields = ("code", "name", "legal_basis")
    filter_horizontal = ("cooperating_departments",)


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(ReferenceAdmin):
    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The audit log, read-only for everyone: the database refuses changes anyway."""

    list_display = ("occurred_at", "actor_name", "action_text", "object_repr", "reason")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_name", "reason")
    readonly_fields = ("action_text", "changes_text")

    @admin.display(description=_("操作"), ordering="action")
    def action_text(self, event: Event) -> str:
        """The action in words, as the history on the pages says it (the code stays in the filter)."""
        return action_label(event.action)

    @admin.display(description=_("变更内容"))
    def changes_text(self, event: Event) -> str:
        return "\n".join(f"{c.label}：{c.before} → {c.after}" if c.pair else f"{c.label}：{c.after}"
                         for c in changes_of(event)) or "—"

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
