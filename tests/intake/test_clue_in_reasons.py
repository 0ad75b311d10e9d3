"""A clue in a firm's classification: named by its number and day, never quoted. Its text is the reporter's words
(a complainant's name and phone, say); the firm's page and its classification are read by every role of the scope,
the clue only by those ``ClueQuerySet.visible_to`` lets in — for them alone the name links to the clue."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.intake.models import Classification, Clue, ClueSource
from shuangsuiji.intake.services import do_classify, do_decide_clue, do_report_clue
from shuangsuiji.registry.models import TargetHistory

from .test_classification import list_positive

pytestmark = pytest.mark.django_db

D = datetime.date
SECRET = "举报人王某某电话13900001111反映夜间偷排"
# who may read the clue the county admin reported (intake.models.ClueQuerySet): admins and leaders of the scope
READS_CLUE = {"city_admin": True, "county_admin": True, "leader": True, "department_user": False, "inspector": False}


@pytest.fixture
def classified(tree, users, targets):
    admin = users["county_admin"]
    list_positive(targets["mill"])
    clue = do_report_clue(Clue(target=targets["mill"], source=ClueSource.OFF_SITE, found_on=D(2021, 3, 2),
                               description=SECRET), acting_user=admin)
    do_decide_clue(clue, approve=True, reason="同意开展现场检查", acting_user=users["city_admin"])
    with timezone.override("Asia/Shanghai"):
        Clue.objects.filter(pk=clue.pk).update(decided_at=timezone.make_aware(datetime.datetime(2021, 3, 20, 10)))
    do_classify(year=2021, quarter=2, jurisdiction=tree["a"], acting_user=admin)
    return clue


def pages(user, target) -> list[str]:
    client = Client()
    client.force_login(user)
    shown = []
    for url in (target.get_absolute_url(), reverse("intake:target_classification", args=[target.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        shown.append(response.content.decode())
    return shown


def test_the_stored_reason_names_the_clue_and_never_quotes_it(classified, targets):
    row = Classification.objects.get(target=targets["mill"], year=2021, quarter=2)
    [clue] = [e for reason in row.reasons for e in reason["evidence"] if e["kind"] == "clue"]
    assert clue["label"] == f"2021-03-02 线索 #{classified.pk}" and clue["id"] == classified.pk
    history = TargetHistory.objects.filter(target=targets["mill"]).values_list("evidence", flat=True)
    assert SECRET[:10] not in str(list(history)) and SECRET[:10] not in str(row.reasons)


@pytest.mark.parametrize("role", sorted(READS_CLUE))
def test_each_role_reads_the_clues_number_and_only_those_who_may_read_it_get_the_link(classified, users, targets,
                                                                                     role):
    link = f'href="{classified.get_absolute_url()}"'
    for html in pages(users[role], targets["mill"]):
        assert f"线索 #{classified.pk}（2021-03-02 发现）" in html
        assert SECRET[:10] not in html
        assert (link in html) is READS_CLUE[role]


@pytest.mark.parametrize("role", sorted(READS_CLUE))
def test_a_classification_stored_quoting_the_clue_no_longer_shows_its_text(classified, users, targets, role):
    """Rows classified before the rule quoted the clue's first 40 characters: the page names it all the same."""
    row = Classification.objects.get(target=targets["mill"], year=2021, quarter=2)
    for reason in row.reasons:
        for evidence in reason["evidence"]:
            if evidence["kind"] == "clue":
                evidence["label"] = f"2021-03-02 {SECRET[:40]}"
    Classification.objects.filter(pk=row.pk).update(reasons=row.reasons)
    TargetHistory.objects.filter(target=targets["mill"]).update(evidence=[
        {"kind": "clue", "id": classified.pk, "label": f"2021-03-02 {SECRET[:40]}",
         "url": classified.get_absolute_url()}])
    for html in pages(users[role], targets["mill"]):
        assert SECRET[:10] not in html and f"线索 #{classified.pk}（2021-03-02 发现）" in html
        assert (f'href="{classified.get_absolute_url()}"' in html) is READS_CLUE[role]


def test_a_reader_of_another_county_does_not_reach_the_firm(classified, users, targets):
    client = Client()
    client.force_login(users["other_county_admin"])
    assert client.get(reverse("intake:target_classification", args=[targets["mill"].pk])).status_code == 404


def test_english_names_the_clue_in_english(classified, users, targets):
    client = Client()
    client.force_login(users["leader"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("intake:target_classification", args=[targets["mill"].pk])).content.decode()
    assert f"Clue #{classified.pk} (found 2021-03-02)" in html and SECRET[:10] not in html
