"""The 用户管理 form's 科室 and 执法人员档案 choices for the jurisdiction chosen on it (js/follow_choices.js asks for
them when the admin picks another jurisdiction): the form's own choices, so an admin learns no officer or department
outside his scope, whatever he asks for; a role that keeps no accounts is refused."""

import datetime

import pytest
from django.test import Client

from shuangsuiji.accounts.models import User
from shuangsuiji.registry.filters import MAX_OPTIONS
from shuangsuiji.registry.models import Inspector

from ..clients import signed_in

NEW = "/accounts/users/new/choices/"




def officer(tree, county: str, number: int) -> Inspector:
    return Inspector.objects.create(name=f"执法{county}{number}", certificate_number=f"{tree[county].code}{number:05d}",
                                    certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree[county],
                                    department=tree["departments"][tree[county].code])


@pytest.fixture
def crowd(tree, users):
    """County B with more officers than a list offers at once: the city admin's list is narrowed to the
    jurisdiction chosen; county A's recruit has no login yet (users["inspector"], 张三, has one)."""
    Inspector.objects.bulk_create(
        Inspector(name=f"阜平{n}", certificate_number=f"13062490{n:04d}", certificate_expiry=datetime.date(2030, 1, 1),
                  jurisdiction=tree["b"], department=tree["departments"]["130624"]) for n in range(MAX_OPTIONS))
    return {"recruit": officer(tree, "a", 2), "city_officer": officer(tree, "city", 3)}


def choices(client: Client, address: str = NEW, **query) -> dict[str, dict[str, str]]:
    response = client.get(address, query)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return {name: {option["value"]: option["label"] for option in options}
            for name, options in response.json().items()}


def places(options: dict[str, str]) -> set[str]:
    return {label.split("·")[0] for value, label in options.items() if value}


def test_the_city_admin_gets_the_chosen_jurisdictions_officers(users, tree, crowd):
    client = signed_in(users["city_admin"])
    a = choices(client, jurisdiction=tree["a"].pk)
    # past MAX_OPTIONS only the jurisdiction's own; an officer with a login already is not offered again
    assert set(a["inspector"]) == {"", str(crowd["recruit"].pk)}
    assert a["inspector"][str(crowd["recruit"].pk)] == "涞水县·执法a2（13062300002）"  # as the page labels it
    assert a["inspector"][""] == "- 请选择 -"
    b = choices(client, jurisdiction=tree["b"].pk)
    assert places(b["inspector"]) == {"阜平县"} and len(b["inspector"]) == MAX_OPTIONS + 1
    # the officer chosen so far stays offered (and selected by the page): the form says why it is refused when sent
    kept = choices(client, jurisdiction=tree["b"].pk, inspector=crowd["recruit"].pk)
    assert str(crowd["recruit"].pk) in kept["inspector"] and len(kept["inspector"]) == MAX_OPTIONS + 2
    # departments: few, so all of the scope's are offered, as on the page
    assert set(a["department"]) == {"", *(str(d.pk) for d in tree["departments"].values())}
    assert choices(client, jurisdiction="")["inspector"].keys() == {"", str(crowd["city_officer"].pk)}  # his own


def test_the_county_admin_gets_only_his_countys_officers(users, tree, crowd):
    client = signed_in(users["county_admin"])  # county A
    a = choices(client, jurisdiction=tree["a"].pk)
    assert set(a["inspector"]) == {"", str(crowd["recruit"].pk)}
    assert set(a["department"]) == {"", str(tree["departments"]["130623"].pk)}
    # another county's, the city's, or one that is not an id: no such jurisdiction for him
    for jurisdiction in (tree["b"].pk, tree["city"].pk, tree["province"].pk, "abc", "99999999999999999999"):
        assert client.get(NEW, {"jurisdiction": jurisdiction}).status_code == 404, jurisdiction
    # asking for another county's officer or department as "chosen so far" does not bring it into his list
    stranger = Inspector.objects.filter(jurisdiction=tree["b"]).first()
    asked = choices(client, jurisdiction=tree["a"].pk, inspector=stranger.pk,
                    department=tree["departments"]["130624"].pk)
    assert str(stranger.pk) not in asked["inspector"]
    assert str(tree["departments"]["130624"].pk) not in asked["department"]
    assert choices(client, jurisdiction="")["inspector"].keys() == {"", str(crowd["recruit"].pk)}


def test_the_other_county_admin_gets_his_and_not_county_as(users, tree, crowd):
    client = signed_in(users["other_county_admin"])  # county B: as many officers as a list offers, all his own
    b = choices(client, jurisdiction=tree["b"].pk, inspector=crowd["recruit"].pk)
    assert places(b["inspector"]) == {"阜平县"} and str(crowd["recruit"].pk) not in b["inspector"]
    assert client.get(NEW, {"jurisdiction": tree["a"].pk}).status_code == 404


def test_a_superuser_gets_any_jurisdictions(users, tree, crowd):
    root = User.objects.create_superuser("root", password="pw-root", jurisdiction=tree["city"])
    a = choices(signed_in(root), jurisdiction=tree["a"].pk)
    assert set(a["inspector"]) == {"", str(crowd["recruit"].pk)}


def test_the_edit_form_keeps_the_accounts_own_officer(users, tree, crowd):
    """Editing the officer 张三's login: his own record (bound to him) is offered, as on the page; an account the
    admin does not keep is no such page."""
    account = users["inspector"]
    address = f"/accounts/users/{account.pk}/edit/choices/"
    a = choices(signed_in(users["city_admin"]), address, jurisdiction=tree["a"].pk)
    assert set(a["inspector"]) == {"", str(account.inspector_id), str(crowd["recruit"].pk)}
    assert signed_in(users["other_county_admin"]).get(address, {"jurisdiction": tree["b"].pk}).status_code == 404


@pytest.mark.parametrize("role", ["leader", "department_user", "inspector"])
def test_roles_that_keep_no_accounts_are_refused(users, tree, crowd, role):
    client = signed_in(users[role])
    assert client.get(NEW, {"jurisdiction": tree["a"].pk}).status_code == 403
    assert client.get(f"/accounts/users/{users['county_admin'].pk}/edit/choices/",
                      {"jurisdiction": tree["a"].pk}).status_code == 403


def test_anonymous_is_sent_to_sign_in_and_a_change_is_not_taken(users, tree):
    response = Client().get(NEW, {"jurisdiction": tree["a"].pk})
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert signed_in(users["city_admin"]).post(NEW, {"jurisdiction": tree["a"].pk}).status_code == 405


def test_the_form_page_names_the_address_and_its_script(users):
    page = signed_in(users["county_admin"]).get("/accounts/users/new/").content.decode()
    assert f'data-choices-url="{NEW}"' in page and "js/follow_choices" in page
    edit = signed_in(users["county_admin"]).get(f"/accounts/users/{users['inspector'].pk}/edit/").content.decode()
    assert f'data-choices-url="/accounts/users/{users["inspector"].pk}/edit/choices/"' in edit


def test_the_english_notices_are_whole_attributes(users):
    """The English notices quote the fields' names with ASCII quotes: they must come escaped inside their
    data- attributes, or the attribute ends at the first quote and the script says half a sentence."""
    page = signed_in(users["county_admin"], "en").get("/accounts/users/new/").content.decode()
    assert 'data-choices-done="The choices of &quot;Department&quot; and &quot;Inspector record&quot; now' in page
    assert 'data-choices-failed="The choices of &quot;Department&quot;' in page
