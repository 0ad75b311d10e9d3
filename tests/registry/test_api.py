"""The registry API shows each caller exactly his scope, read-only, without personal phone numbers."""

import pytest
from rest_framework.test import APIClient

from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Category, CheckItem, Target


@pytest.fixture
def data(tree, users):
    a = Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲公司", jurisdiction=tree["a"],
                              category=Category.KEY)
    b = Target.objects.create(credit_code=complete("91130624000000002"), name="阜平乙公司", jurisdiction=tree["b"])
    CheckItem.objects.create(code="C-1", name="排污许可", legal_basis="排污许可管理条例", content="许可证执行",
                             jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"])
    users["inspector"].inspector.phone = "13800000000"
    users["inspector"].inspector.save()
    return {"a": a, "b": b}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_county_admin_lists_only_his_targets(data, users):
    body = client_for(users["county_admin"]).get("/api/registry/targets/").json()
    assert [row["name"] for row in body["results"]] == ["涞水甲公司"]


def test_city_admin_filters_by_county_and_category(data, users):
    client = client_for(users["city_admin"])
    assert client.get("/api/registry/targets/").json()["count"] == 2
    body = client.get("/api/registry/targets/", {"jurisdiction": "130624"}).json()
    assert [row["name"] for row in body["results"]] == ["阜平乙公司"]
    assert client.get("/api/registry/targets/", {"jurisdiction": "130600"}).json()["count"] == 2  # the city's
    # whole division codes only: a part of one (it once matched anywhere in the path) is an unknown code
    for part in ("1306", "0624", "30"):
        response = client.get("/api/registry/targets/", {"jurisdiction": part})
        assert response.status_code == 400 and "未知的行政区划代码" in response.json()["jurisdiction"][0], part
    body = client.get("/api/registry/targets/", {"category": "key"}).json()
    assert [row["credit_code"] for row in body["results"]] == [data["a"].credit_code]
    body = client.get("/api/registry/targets/", {"q": data["b"].credit_code}).json()
    assert [row["name"] for row in body["results"]] == ["阜平乙公司"]


def test_other_countys_target_does_not_exist(data, users):
    response = client_for(users["county_admin"]).get(f"/api/registry/targets/{data['b'].pk}/")
    assert response.status_code == 404


def test_api_is_read_only(data, users):
    response = client_for(users["city_admin"]).patch(f"/api/registry/targets/{data['a'].pk}/", {"name": "x"})
    assert response.status_code == 405
    assert Target.objects.get(pk=data["a"].pk).name == "涞水甲公司"


def test_anonymous_gets_nothing(data):
    anonymous = APIClient().get("/api/registry/targets/")
    # 401 with the challenge of the API's documented login (it was a 403 without one: the session came first).
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Basic")


def test_inspector_phone_never_leaves_through_the_api(data, users):
    body = client_for(users["city_admin"]).get("/api/registry/inspectors/").json()
    assert body["count"] == 1
    assert "13800000000" not in str(body)


def test_county_sees_the_city_item_list(data, users):
    body = client_for(users["county_admin"]).get("/api/registry/items/").json()
    assert [row["code"] for row in body["results"]] == ["C-1"]
    assert body["results"][0]["categories"] == ["general", "key", "special"]


def test_schema_is_served(users):
    response = client_for(users["city_admin"]).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/registry/targets/" in response.content


def test_each_staff_api_has_its_own_root(users):
    """The routers once shared the name "api-root": reversing it gave the fieldwork API for every root."""
    from django.urls import reverse

    client = client_for(users["city_admin"])
    roots = {"registry-api": ("/api/registry/", "targets"), "fieldwork-api": ("/api/fieldwork/", "records"),
             "planning-api": ("/api/planning/", "tasks")}
    for namespace, (path, endpoint) in roots.items():
        assert reverse(f"{namespace}:api-root") == path
        assert client.get(path).json()[endpoint].endswith(f"{path}{endpoint}/")


def test_the_schema_says_which_related_codes_are_null(data, users):
    """A read-only related field is documented as a string that is never null unless it says otherwise: a client
    generated from the schema (a provincial platform's) refused the province's parent, an item without a
    specialty (here and in a task's items) and every record that amends none."""
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    for component, field in (("Jurisdiction", "parent"), ("CheckItem", "specialty"), ("TaskItem", "specialty"),
                             ("Record", "amends")):
        assert components[component]["properties"][field].get("nullable") is True, (component, field)
    client = client_for(users["city_admin"])
    assert None in {row["parent"] for row in client.get("/api/registry/jurisdictions/").json()["results"]}
    assert [row["specialty"] for row in client.get("/api/registry/items/").json()["results"]] == [None]


def test_a_value_no_choice_filter_takes_is_refused_with_the_values_it_takes(data, users):
    """Django's "选择一个有效的选项。 bad 不在可用的选项中。" named none of them: a client read the schema to learn
    what ?category= takes. Every staff API's choice filter (params.FilterSet) lists them, in the reader's language."""
    client = client_for(users["city_admin"])
    response = client.get("/api/registry/targets/", {"category": "big", "status": "x"})
    assert response.status_code == 400
    assert response.json() == {"category": ["应为 general、key、special 之一，收到“big”"],
                               "status": ["应为 active、defunct 之一，收到“x”"]}
    client.cookies["django_language"] = "en"
    response = client.get("/api/registry/targets/", {"category": "big"})
    assert response.json() == {"category": ['should be one of general, key, special; got "big"']}
