"""What management commands share about users: who a command acts as."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def acting_user(username: str | None):
    """The user named by a command's ``--user`` (None, the system, when not given); a clear error if unknown."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"没有用户“{username}”")
    return user
