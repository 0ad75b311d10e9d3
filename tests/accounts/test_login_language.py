"""The sign-in page has the language switch the rest of the site has: a plain form (set_language), so it works
without JavaScript, before anyone has signed in. It had none: an English-speaking officer met a Chinese-only page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.clients import signed_in

pytestmark = pytest.mark.django_db

SWITCH = re.compile(r'<form method="post" action="/i18n/setlang/"[^>]*id="app-language">(.*?)</form>', re.S)


def switch(html: str) -> str:
    [form] = SWITCH.findall(html)  # one switch, whoever reads the page
    return form


def test_the_sign_in_page_switches_to_english_and_back_without_javascript():
    client = Client(enforce_csrf_checks=True)  # as a browser posts it: the form carries its token
    page = client.get(reverse("login") + "?next=/planning/")
    assert page.status_code == 200
    form = switch(page.content.decode())
    assert 'name="language" value="en" lang="en">English</button>' in form
    assert 'name="next" value="/login/?next=/planning/"' in form  # back to the sign-in, still going on to /planning/
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    answer = client.post("/i18n/setlang/", {"language": "en", "next": "/login/?next=/planning/",
                                            "csrfmiddlewaretoken": token})
    assert answer.status_code == 302 and answer["Location"] == "/login/?next=/planning/"
    english = client.get(answer["Location"]).content.decode()
    assert '<html lang="en">' in english and "Sign in" in english
    form = switch(english)
    assert 'name="language" value="zh-hans" lang="zh-Hans">中文</button>' in form
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/", "csrfmiddlewaretoken": token})
    assert '<html lang="zh-hans">' in client.get("/login/").content.decode()


@pytest.mark.parametrize("role", ["city_admin", "county_admin", "department_user", "inspector", "leader"])
def test_a_signed_in_page_keeps_its_one_switch(users, role):
    """The switch moved into an include shared by both sides of the navbar: signed in, it is there once, as before."""
    html = signed_in(users[role]).get("/").content.decode()
    assert 'value="en" lang="en">English</button>' in switch(html)


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", "查看公开的抽查计划、检查结果和抽取复核"),
    ("en", "read the published plans, inspection results and draw checks")])
def test_the_sign_in_page_leads_who_has_no_account_to_the_public_portal(language, words):
    """A firm or a member of the public who opens the system's address meets the sign-in page; it had no way on to
    the portal, which needs no account."""
    client = Client()
    client.cookies["django_language"] = language
    html = client.get(reverse("login")).content.decode()
    [link] = re.findall(r'<p[^>]*id="public-portal">(.*?)</p>', html, re.S)
    assert f'<a href="{reverse("public:home")}">{words}</a>' in link
    assert client.get(reverse("public:home")).status_code == 200  # and it opens without signing in
