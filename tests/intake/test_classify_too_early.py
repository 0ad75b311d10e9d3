"""A quarter cannot be classified before the quarter its special supervision rests on has begun.

Found by a new city admin preparing 2027年第一季度 on 2026-12-03: the classification page's 【下一季度】 from an
already classified 2027 Q1 leads to 2027 Q2, and 【分类】 there classified every target on penalties, complaints
and exceedances of a quarter that had not begun (no special supervision target at all), and that run then kept
every later run of the real next quarter from updating the targets' categories.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.audit.models import Event
from shuangsuiji.intake.models import Classification, ClassificationRun
from shuangsuiji.intake.services import do_classify

TODAY = datetime.date(2026, 12, 3)  # in 2026 Q4: 2027 Q1 rests on Q4 (begun), 2027 Q2 on 2027 Q1 (not begun)


def test_the_service_refuses_a_quarter_whose_basis_has_not_begun_and_writes_nothing(tree, targets):
    events = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        do_classify(year=2027, quarter=2, jurisdiction=tree["city"], acting_user=None, today=TODAY)
    message = " ".join(refused.value.messages)
    assert "2027年第2季度还不能分类" in message and "2027-01-01至2027-03-31" in message
    assert "2027-01-01起方可分类" in message
    assert not ClassificationRun.objects.exists() and not Classification.objects.exists()
    assert Event.objects.count() == events
    # The next quarter, whose basis (this quarter) is under way, is classified as before; so is 2027 Q2 once
    # 2027 Q1 has begun.
    assert do_classify(year=2027, quarter=1, jurisdiction=tree["city"], acting_user=None, today=TODAY).targets
    assert do_classify(year=2027, quarter=2, jurisdiction=tree["city"], acting_user=None,
                       today=datetime.date(2027, 1, 1)).targets


@pytest.mark.parametrize("role", ["city_admin", "county_admin"])
def test_the_page_says_why_and_from_when(client, users, tree, targets, monkeypatch, role):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    client.force_login(users[role])
    scope = tree["city"] if role == "city_admin" else tree["a"]
    response = client.post(reverse("intake:classification_run"),
                           {"jurisdiction": scope.pk, "year": 2027, "quarter": 2}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2027年第2季度还不能分类" in page and "2027-01-01起方可分类" in page
    assert not Classification.objects.filter(year=2027).exists()
    response = client.post(reverse("intake:classification_run"),
                           {"jurisdiction": scope.pk, "year": 2027, "quarter": 1}, follow=True)
    assert "已完成2027年第1季度分类" in response.content.decode()


@pytest.mark.parametrize("role", ["department_user", "inspector", "leader"])
def test_other_roles_still_cannot_classify_at_all(client, users, tree, targets, monkeypatch, role):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    client.force_login(users[role])
    client.post(reverse("intake:classification_run"), {"jurisdiction": tree["a"].pk, "year": 2027, "quarter": 1})
    assert not ClassificationRun.objects.exists()


@pytest.mark.parametrize(("today", "proposed"), [(TODAY, "1"), (datetime.date(2027, 1, 4), "2")])
def test_the_form_proposes_the_next_quarter_only_once_it_can_be_classified(client, users, tree, targets,
                                                                           monkeypatch, today, proposed):
    """On the page of a classified 2027 Q1 the form proposed 2027 Q2 even in December, one click from the
    refusal; it proposes re-classifying 2027 Q1 until 2027 Q1 begins."""
    do_classify(year=2027, quarter=1, jurisdiction=tree["a"], acting_user=None, today=TODAY)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    client.force_login(users["county_admin"])
    form = client.get(reverse("intake:classification_summary"),
                      {"jurisdiction": tree["a"].pk, "year": 2027, "quarter": 1}).context["classify_form"]
    assert (str(form["year"].value()), str(form["quarter"].value())) == ("2027", proposed)
    assert dict(form.fields["quarter"].choices)[1] == "第1季度"
