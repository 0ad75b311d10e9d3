# ruff: noqa: F811 (the registry pages' ``data`` fixture, imported by name, is a parameter here)
"""A form error and a page value that Python puts together from a list use the marks of the reader's language
(shuangsuiji.punctuation.join_sep): "Changing Category, Positive list needs a reason", not "Category、Positive
list"; the Chinese page reads as before."""

import pytest
from django.test import Client

from shuangsuiji.registry.models import Specialty
from tests.registry.test_pages import data, edit_payload  # noqa: F401

pytestmark = pytest.mark.django_db


def client_in(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(("language", "said"), [
    ("en", "Changing Category, Positive list needs a reason"),
    ("zh-hans", "修改监管类别、正面清单必须填写变更理由")])
def test_a_change_of_several_tracked_fields_without_a_reason_names_them_in_the_readers_marks(data, users, language,
                                                                                             said):
    client = client_in(users["county_admin"], language)
    refused = client.post(f"/registry/targets/{data['a'].pk}/edit/",
                          edit_payload(data["a"], category="key", positive_list=True))
    assert refused.status_code == 200
    assert said in refused.content.decode()


@pytest.mark.parametrize(("language", "shown"), [("en", "大气, 水"), ("zh-hans", "大气、水")])
def test_an_inspectors_specialties_are_listed_in_the_readers_marks(data, users, language, shown):
    data["inspector"].specialties.add(Specialty.objects.create(code="air", name="大气"),
                                      Specialty.objects.create(code="water", name="水"))
    page = client_in(users["city_admin"], language).get("/registry/inspectors/").content.decode()
    assert shown in page


@pytest.mark.parametrize(("language", "shown", "not_shown"), [
    ("en", "张三 (13062300001)", "张三（13062300001）"),
    ("zh-hans", "张三（13062300001）", "张三 (13062300001)")])
def test_an_inspectors_name_and_number_take_the_readers_brackets(data, users, language, shown, not_shown):
    """The officer's page title and the account page's link say "张三 (13062300001)" in English, not the Chinese
    full-width brackets; Chinese reads as before."""
    inspector = data["inspector"]
    page = client_in(users["city_admin"], language).get(f"/registry/inspectors/{inspector.pk}/").content.decode()
    account = client_in(users["city_admin"], language).get(f"/accounts/users/{users['inspector'].pk}/")
    for html in (page, account.content.decode()):
        assert shown in html and not_shown not in html


def test_an_account_linked_in_english_stores_the_inspectors_name_with_chinese_brackets(data, users):
    """An audit event is stored in the system's language: the officer a user is bound to reads
    "张三（13062300001）" in the event whoever saved it, and on any page."""
    from django.utils import translation

    from shuangsuiji.accounts.services import do_update_user
    from shuangsuiji.audit.models import Event

    account = users["inspector"]
    account.first_name = "三"
    with translation.override("en"):
        assert str(data["inspector"]) == "张三 (13062300001)"
        do_update_user(account, acting_user=users["city_admin"], reason="更正")
        account.inspector = None
        account.role = "leader"
        do_update_user(account, acting_user=users["city_admin"], reason="改任局领导")
    event = Event.objects.filter(action__startswith="user.").order_by("-id").first()
    assert event.changes["inspector"] == ["张三（13062300001）", None]
