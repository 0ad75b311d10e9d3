"""Password complexity beyond Django's own validators: 等保 asks that passwords be "of some complexity", which
Chinese government systems read as characters of at least three of four kinds."""

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
