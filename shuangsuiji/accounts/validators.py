"""Password rules beyond Django's own validators: 等保 asks that passwords be "of some complexity", which
Chinese government systems read as characters of at least three of four kinds, and that a password an admin set
be replaced by its owner with one of his own."""

from django.contrib.auth.hashers import check_password, is_password_usable
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("upper", lambda c: c.isascii() and c.isupper()),
    ("lower", lambda c: c.isascii() and c.islower()),
    ("digit", lambda c: c.isascii() and c.isdigit()),
    # anything else counts as a symbol: punctuation, spaces, Chinese characters
    ("symbol", lambda c: not (c.isascii() and c.isalnum())),
)


class CharacterClassesValidator:
    """Require characters of at least ``min_classes`` of: capital letters, small letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        found = sum(any(test(c) for c in password) for _name, test in CLASSES)
        if found < self.min_classes:
            raise ValidationError(self._message(), code="password_too_simple")

    def _message(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类") % {"n": self.min_classes}

    def get_help_text(self) -> str:
        return self._message()


class DifferentFromCurrentValidator:
    """Refuse the password the user has now. A temporary password an admin set must be replaced by one only its
    owner knows (等保 8.1.4.1; the sign-in sends him to 账号与密码 until he has): "changing" it to itself would
    leave the admin knowing it and clear the must-change mark, and re-entering the current one at the 90-day
    change would restart its age without changing it."""

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return  # a new account has no password yet to compare with
        # The stored password, not the instance's: a form may already have set the new one on the instance it
        # saves (the admin's add form does), which would then look like "the same". hashers.check_password, not
        # user.check_password: the latter may re-hash and save the old password while a form is only being checked.
        encoded = type(user)._default_manager.filter(pk=user.pk).values_list("password", flat=True).first()
        if encoded and is_password_usable(encoded) and check_password(password, encoded):
            raise ValidationError(_("新密码不能与原密码相同"), code="password_unchanged")

    def get_help_text(self) -> str:
        return _("新密码不能与原密码相同")
