import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
application = get_wsgi_application()


def _refuse_the_development_key() -> None:
    """A server with DEBUG off is a bureau's (docs/operations.md): it must not sign sessions with the key that
    anyone can read in settings.py. Refused here, where gunicorn (and runserver) load the application, rather than
    in the settings, so the management commands, the tests and the benchmarks still run without a key."""
    from django.conf import settings

    development = getattr(settings, "DEVELOPMENT_SECRET_KEY", None)
    if not settings.DEBUG and development == settings.SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: with DEBUG off the server refuses the development key. Set SECRET_KEY to a "
            "long random string kept out of the repository (docs/operations.md, \"Running it for a bureau\").")


_refuse_the_development_key()
