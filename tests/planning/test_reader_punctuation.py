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
    ("en", "this step needs &quot;Drawn, Dispatched&quot;"), ("zh-hans", "此操作需要在“已抽取、已派发”状态下进行")])
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


@pytest.mark.parametrize(("language", "mark"), [("en", "; "), ("zh-hans", "；")])
def test_a_stratums_citations_are_joined_with_the_readers_semicolon(city, language, mark):
    """The engine joins a quota's citations with "；" and the stratum stores that line; the plan page shows it with
    the reader's semicolon ("指导意见 二(一); 实施方案 二(三)")."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    stored = plan.strata.get(stratum="key").citation
    citations = stored.split("；")
    assert len(citations) > 1  # several documents back the key units' quota
    client = Client()
    client.force_login(city["users"]["county_admin"])
    client.cookies["django_language"] = language
    page = client.get(f"/planning/{plan.pk}/").content.decode()
    assert mark.join(citations) in page
    if language == "en":
        assert stored not in page


def test_a_draw_window_warning_stays_stored_with_chinese_semicolons_and_the_hint_reads_english():
    """The draw day's warning is stored (under system_language): its citations keep "；"; the workbench's hint,
    said to the reader, joins them with the reader's mark."""
    from datetime import date

    from shuangsuiji.accounts.workbench import DrawWindow
    from shuangsuiji.audit.services import system_language
    from shuangsuiji.punctuation import citation_line

    line = "指导意见 二(一)；实施方案 二(三)"
    with translation.override("en"):
        assert citation_line(line) == "指导意见 二(一); 实施方案 二(三)"
        with system_language():
            assert citation_line(line) == line
        days = (date(2021, 3, 29), date(2021, 3, 30), date(2021, 3, 31))
        hint = DrawWindow(2021, 2, days, line).hint(days[0])
        assert "指导意见 二(一); 实施方案 二(三)" in hint and "；" not in hint
    with translation.override("zh-hans"):
        assert citation_line(line) == line
        assert citation_line("") == ""
