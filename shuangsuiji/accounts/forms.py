"""Forms for managing users. They only collect input; ``accounts.services`` checks and saves it.

The forms run the service's own checks (``validate_user``) before they are valid, so a role that does not
fit its jurisdiction, a user outside the acting admin's scope or a missing reason shows up next to the
field instead of as an error page.
"""

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.services import validate_user


def reason_field() -> forms.CharField:
    return forms.CharField(label=_("变更理由"), required=False, max_length=500,
                           help_text=_("修改角色、所属行政区、科室、执法人员档案或账号状态时必填"))


class ServiceCheckedMixin:
    """Runs ``validate_user`` once the instance carries the form's values (forms using it declare
    ``reason = reason_field()``)."""

    acting_user: User | None = None
    """Set per request by the admin (``UserAdmin.get_form``)."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return  # the service's checks read the instance, which is only whole when every field is
        try:
            validate_user(self.instance, acting_user=self.acting_user,
                          reason=self.cleaned_data.get("reason") or "")
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        except PermissionDenied as error:
            self.add_error(None, str(error))


class UserAddForm(ServiceCheckedMixin, AdminUserCreationForm):
    reason = reason_field()

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "last_name", "first_name", "phone", "email", "role", "jurisdiction", "department",
                  "inspector")


class UserEditForm(ServiceCheckedMixin, UserChangeForm):
    reason = reason_field()

    class Meta(UserChangeForm.Meta):
        model = User
