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
