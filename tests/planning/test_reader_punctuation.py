"""Lists that Python joins into a message take the marks of the reader's language (shuangsuiji.punctuation):
an English page read "Not on the item lists that apply here: A-01、A-02", errors ran together with "；". What is
stored keeps its Chinese marks (tests/planning/test_stored_language.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from shuangsuiji.planning import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "codes"), [("en", "A-01, A-02"), ("zh-hans", "A-01、A-02")])
def test_a_plan_refused_for_items_of_another_county_lists_their_codes_in_the_readers_marks(city, language, codes):
    items = [city["items"]["risk"], city["items"]["noise"]]  # county A's own list, not county B's
    with translation.override(language), pytest.raises(ValidationError) as refused:
        services.do_create_plan(jurisdiction=city["tree"]["b"], year=2021, quarter=2, acting_user=None,
                                check_items=items)
    [message] = refused.value.message_dict["check_items"]
    assert message.endswith(codes)
    assert ("、" in message) == (language == "zh-hans")


@pytest.mark.parametrize(("language", "said"), [
    ("en", "this step needs “Drawn, Dispatched”"), ("zh-hans", "此操作需要在“已抽取、已派发”状态下进行")])
def test_a_refused_step_names_the_states_it_needs_in_the_readers_marks(city, language, said):
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    client = Client()
    client.force_login(city["users"]["county_admin"])
    client.cookies["django_language"] = language
    page = client.post(f"/planning/{plan.pk}/redraw/", {"reason": "抽错了"}, follow=True).content.decode()
    assert said in page


@pytest.mark.parametrize(("language", "mark"), [("en", ", "), ("zh-hans", "、")])
def test_an_api_400_names_the_parameters_it_reads_in_the_readers_marks(city, language, mark):
    client = APIClient()
    client.force_authenticate(city["users"]["city_admin"])
    client.cookies["django_language"] = language
    body = client.get("/api/planning/plans/", {"bogus": "1"}).json()
    [message] = body["bogus"]
    known = message.rsplit("：" if language == "zh-hans" else ": ", 1)[1]
    assert known == mark.join(["format", "jurisdiction", "kind", "level", "page", "quarter", "status", "year"])
    assert ("、" in message) == (language == "zh-hans")
    unknown_format = client.get("/api/planning/plans/", {"format": "xml"})
    assert unknown_format.status_code == 400
    assert mark.join(["api", "json"]) in unknown_format.json()["format"][0]
