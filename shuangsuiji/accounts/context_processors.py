from django.conf import settings
from django.http import HttpRequest


def session(request: HttpRequest) -> dict[str, int]:
    """How often a page's activity keeps its session alive (static/js/session.js): a few times within the
    idle timeout, so one missed request does not end a session in use, but never more than every 5 minutes."""
    return {"session_keepalive_seconds": max(30, min(300, settings.SESSION_COOKIE_AGE // 3))}
