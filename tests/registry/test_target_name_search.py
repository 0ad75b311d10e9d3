"""The target list and the registry API searched by a piece of a name (or, on the page, of an address): what
``icontains`` found, now with the characters' condition beside it for one or two characters
(``shuangsuiji.textsearch.contains_piece``, registry migration 0004); on PostgreSQL such a piece is answered from
the index of the characters."""

import pytest
from django.db import connection
from django.test import RequestFactory
from rest_framework.test import APIClient

from shuangsuiji.accounts.models import User
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Target
from shuangsuiji.registry.views import REGISTRIES, filtered
from tests.namesearch import NAMES, PIECES, holding
from tests.queryplans import query_plan

pytestmark = pytest.mark.django_db

ADDRESSES = ["朝阳路1号", "热力路2号", "化工园区3号", "Steel Rd. 4", "5%坡道", "_6号", "钢铁街7号"]
"""The addresses of NAMES' targets, in order: the page searches the address too."""


@pytest.fixture
def targets(tree):
    made = [Target.objects.create(credit_code=complete(f"91130623{serial:09d}"), name=name, address=address,
                                  jurisdiction=tree["a"])
            for serial, (name, address) in enumerate(zip(NAMES, ADDRESSES, strict=True), 1)]
    made.append(Target.objects.create(credit_code=complete("91130624000000099"), name="阜平县化工厂",
                                      address="阜平县热力路9号", jurisdiction=tree["b"]))
    return made


def listed(user, typed: str) -> set[str]:
    request = RequestFactory().get("/registry/targets/", {"q": typed})
    request.user = user
    _form, queryset = filtered(REGISTRIES["target"], request)
    return {target.name for target in queryset}


@pytest.mark.parametrize("typed", PIECES)
def test_the_target_list_finds_a_piece_of_the_name_or_the_address(targets, users, typed):
    expected = {t.name for t in targets if holding(typed, [t.name, t.address])}
    assert listed(users["city_admin"], typed) == expected
    # the county admin's search stays in his county
    assert listed(users["county_admin"], typed) == {t.name for t in targets[:-1] if holding(typed, [t.name, t.address])}


@pytest.mark.parametrize("typed", PIECES)
def test_the_api_finds_a_piece_of_the_name(targets, users, typed):
    client = APIClient()
    client.force_authenticate(users["county_admin"])
    body = client.get("/api/registry/targets/", {"q": typed}).json()
    assert {row["name"] for row in body["results"]} == holding(typed, NAMES)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the characters' index is PostgreSQL's")
@pytest.mark.parametrize("typed", ["化工", "化"])
def test_postgresql_answers_a_short_piece_of_a_name_or_address_from_the_characters_index(targets, users, typed):
    request = RequestFactory().get("/registry/targets/", {"q": typed})
    # a national scope, where the index matters: no jurisdiction to start from, the whole registry to search
    request.user = User.objects.create_superuser("root", password="pw-root-1A")
    _form, queryset = filtered(REGISTRIES["target"], request)
    plan = query_plan(queryset.order_by().values("pk"), forbid=("seqscan", "indexscan", "indexonlyscan"))
    assert "registry_target_name_chars" in plan and "registry_target_address_chars" in plan, plan
