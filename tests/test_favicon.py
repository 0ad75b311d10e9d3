"""The system's icon: named by every page, and found where browsers look for it without being told."""
from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import Client

ICON = "img/favicon.svg"


def test_the_icon_is_a_static_svg():
    path = finders.find(ICON)
    assert path and Path(path).read_text(encoding="utf-8").startswith("<svg")


def test_staff_and_public_pages_name_the_icon(db):
    for page in ("/login/", "/public/"):
        assert f'rel="icon" href="/static/{ICON}"' in Client().get(page).content.decode(), page


def test_favicon_ico_leads_to_the_icon(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == f"/static/{ICON}"
