from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from shuangsuiji.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "jurisdiction", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("角色与范围"), {"fields": ("role", "jurisdiction", "department",
                                                                        "inspector", "phone")}))
    raw_id_fields = ("inspector",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if not request.user.jurisdiction_id:
            return queryset.none()
        return queryset.filter(jurisdiction__path__startswith=request.user.jurisdiction.path)
