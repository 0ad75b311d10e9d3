"""Test clients signed in as a given user, shared by the page tests."""
from __future__ import annotations

from django.conf import settings
from django.test import Client


def signed_in(user, language: str | None = None) -> Client:
    """A browser-like client with ``user``'s session; ``language`` sets the language cookie, as the switcher does."""
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client
