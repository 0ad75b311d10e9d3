"""MEDIA_ROOT has no address of its own. Under DEBUG (the default of `make run`) shuangsuiji/urls.py served it at
/media/ with Django's static(): a field record's photo, at the path its attachment stores, went to anyone who had
the path, signed in or not, past the permission-checked attachment view."""

import importlib

import pytest
from django.test import Client
from django.urls import clear_url_caches, reverse

import shuangsuiji.urls
from shuangsuiji.fieldwork import services
from tests.fieldwork.conftest import items, photo, target, task, team  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls_under_debug(settings, monkeypatch):
    """The URLs as a DEBUG server builds them (urls.py reads DEBUG when it is imported; its path converters are
    registered already)."""
    monkeypatch.setattr("django.urls.register_converter", lambda *args, **kwargs: None)
    settings.DEBUG = True
    importlib.reload(shuangsuiji.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(shuangsuiji.urls)
    clear_url_caches()


def test_a_stored_attachment_is_not_served_under_media_even_with_debug_on(task, users, team, urls_under_debug):  # noqa: F811
    record = services.do_start_record(task, acting_user=users["inspector"])
    attachment = services.do_add_attachment(record, photo(), acting_user=users["inspector"])
    assert attachment.file.storage.exists(attachment.file.name)
    assert Client().get(f"/media/{attachment.file.name}").status_code == 404
    # the attachment is still served to the team, through the view that checks who asks
    member = Client()
    member.force_login(team["partner"])
    assert member.get(reverse("fieldwork:attachment_file", args=[attachment.pk])).status_code == 200
    assert Client().get(reverse("fieldwork:attachment_file", args=[attachment.pk])).status_code == 302
