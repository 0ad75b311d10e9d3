"""The OpenAPI schema (/api/schema/) says what the APIs answer, as a client generated from it (and schemathesis,
which found these) reads it: every answer besides 200 that an operation gives is documented with the body it
has, and every bounded parameter says its bounds, which are exactly those the API reads it with."""

import base64
import json
import re

import jsonschema
import pytest
from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from shuangsuiji.accounts.services import do_create_token, do_revoke_token, do_set_password

pytestmark = pytest.mark.django_db

MISSING_ID = "987654321"


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict) -> list[tuple[str, dict]]:
    """The APIs' GET operations (the schema's own address aside), each with its path."""
    return [(path, methods["get"]) for path, methods in schema["paths"].items()
            if path.startswith("/api/") and path != "/api/schema/"]


def is_public(operation: dict) -> bool:
    return {} in operation.get("security", [{}])


def address(path: str, operation: dict, value: str = MISSING_ID) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", value)
    return path


def check_documented(schema: dict, operation: dict, response) -> None:
    """The answer's status is documented for the operation, and its body is what the schema says it is."""
    code = str(response.status_code)
    assert code in operation["responses"], (operation["operationId"], code)
    documented = operation["responses"][code]["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), {**documented, "components": schema["components"]})


def staff_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_parameter_the_api_cannot_read_is_a_documented_400_everywhere(schema, users):
    """``?format=`` naming no format is refused by every operation, a detail's too (errors._unknown_format)."""
    staff = staff_client(users["city_admin"])
    checked = 0
    for path, operation in operations(schema):
        client = APIClient() if is_public(operation) else staff
        response = client.get(address(path, operation), {"format": "nonesuch"})
        assert response.status_code == 400, path
        assert "format" in response.json()
        check_documented(schema, operation, response)
        checked += 1
    assert checked >= 25


def test_a_missing_object_is_a_documented_404(schema, users):
    staff = staff_client(users["city_admin"])
    with_path = [(path, operation) for path, operation in operations(schema)
                 if any(parameter["in"] == "path" for parameter in operation.get("parameters", []))]
    assert len(with_path) >= 10
    for path, operation in with_path:
        client = APIClient() if is_public(operation) else staff
        response = client.get(address(path, operation))
        assert response.status_code == 404, path
        check_documented(schema, operation, response)


def basic(username: str, password: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_the_staff_apis_document_401_without_credentials_and_403_with_a_password_to_change(schema, users):
    do_set_password(users["leader"], "Qingyuan-2021", acting_user=users["city_admin"])
    staff = [(path, operation) for path, operation in operations(schema) if not is_public(operation)]
    assert len(staff) >= 15
    for path, operation in staff:
        anonymous = APIClient().get(address(path, operation))
        assert anonymous.status_code == 401, path
        check_documented(schema, operation, anonymous)
        must_change = APIClient().get(address(path, operation), **basic("leader", "Qingyuan-2021"))
        assert must_change.status_code == 403, path
        check_documented(schema, operation, must_change)


def test_the_staff_apis_document_the_bearer_token_beside_basic_and_its_401(schema, users):
    """A personal API token (Authorization: Bearer ssj_…) is a documented way in to every staff operation, and a
    refused one is the documented 401 with its reason; the public API asks for none."""
    bearer = schema["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer["type"], bearer["scheme"], bearer["bearerFormat"]) == ("http", "bearer", "ssj_…")
    assert schema["components"]["securitySchemes"]["basicAuth"] == {"type": "http", "scheme": "basic"}
    token, secret = do_create_token(users["leader"], acting_user=users["leader"], name="看板",
                                    valid_through=timezone.localdate())
    do_revoke_token(token, acting_user=users["leader"], reason="不用了")
    for path, operation in operations(schema):
        schemes = [name for requirement in operation.get("security", [{}]) for name in requirement]
        if is_public(operation):
            assert "bearerAuth" not in schemes, path
            continue
        assert {"basicAuth", "bearerAuth"} <= set(schemes), path
        refused = APIClient().get(address(path, operation), HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert refused.status_code == 401 and "吊销" in refused.json()["detail"], path
        check_documented(schema, operation, refused)


def test_the_public_api_documents_its_rate_limit(schema, settings):
    settings.PUBLIC_API_RATE = "1/minute"
    cache.clear()  # the throttle counts there
    try:
        public = [(path, operation) for path, operation in operations(schema) if is_public(operation)]
        assert len(public) == 11
        client = APIClient()
        client.get("/api/public/")
        for path, operation in public:
            response = client.get(address(path, operation))
            assert response.status_code == 429, path
            check_documented(schema, operation, response)
    finally:
        cache.clear()


def bounded_parameters(schema: dict) -> list[tuple[str, dict, str, str, int]]:
    """(path, operation, parameter, "minimum" or "maximum", bound) of every list's bounded integer parameter."""
    found = []
    for path, operation in operations(schema):
        if "{" in path:
            continue
        for parameter in operation.get("parameters", []):
            for side in ("minimum", "maximum"):
                if parameter["in"] == "query" and side in parameter["schema"]:
                    found.append((path, operation, parameter["name"], side, parameter["schema"][side]))
    return found


def test_every_list_documents_the_bounds_of_its_numbers(schema):
    """The bounds each list reads its numbers with (the schema said a bare integer: page 0, quarter 7 or page_size
    1000 looked valid to a client and were refused)."""
    bounds = {(path, name, side): bound for path, _operation, name, side, bound in bounded_parameters(schema)}
    for path, operation in operations(schema):
        if any(parameter["name"] == "page" for parameter in operation.get("parameters", [])):
            assert bounds[path, "page", "minimum"] == 1, path
    for path in ("/api/planning/plans/", "/api/planning/tasks/", "/api/public/plans/", "/api/public/verification/"):
        assert (bounds[path, "quarter", "minimum"], bounds[path, "quarter", "maximum"]) == (1, 4)
        assert (bounds[path, "year", "minimum"], bounds[path, "year", "maximum"]) == (2000, 2100)
    assert (bounds["/api/public/results/", "page_size", "minimum"],
            bounds["/api/public/results/", "page_size", "maximum"]) == (1, 500)


def test_a_documented_bound_is_the_one_the_api_reads_with(schema, users):
    """At each bound the value is read; one step past it is a 400 naming the parameter."""
    staff = staff_client(users["city_admin"])
    checked = 0
    for path, operation, name, side, bound in bounded_parameters(schema):
        client = APIClient() if is_public(operation) else staff
        inside = client.get(path, {name: bound})
        if name == "plan":  # a plan's number: read within its bounds, then looked for (none here)
            assert inside.status_code == 400 and "已公开抽查计划" in inside.json()[name][0], inside.json()
        else:
            assert inside.status_code == 200, (path, name, bound, inside.json())
        past = bound - 1 if side == "minimum" else bound + 1
        outside = client.get(path, {name: past})
        assert outside.status_code == 400, (path, name, past)
        assert name in outside.json()
        check_documented(schema, operation, outside)
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize(("month", "read"), [("2026-03", True), ("2100-12", True), ("2026-3", True),
                                             ("2026-13", False), ("1999-12", False), ("2101-01", False),
                                             ("2026-00", False), ("March", False)])
def test_the_month_pattern_is_the_form_the_public_results_read(schema, month, read):
    (parameter,) = [p for p in schema["paths"]["/api/public/results/"]["get"]["parameters"] if p["name"] == "month"]
    assert bool(re.fullmatch(parameter["schema"]["pattern"], month)) is read
    response = APIClient().get("/api/public/results/", {"month": month})
    assert response.status_code == (200 if read else 400)


def test_the_outcome_filter_lists_its_values(schema):
    (parameter,) = [p for p in schema["paths"]["/api/public/results/"]["get"]["parameters"] if p["name"] == "outcome"]
    for value in parameter["schema"]["enum"]:
        assert APIClient().get("/api/public/results/", {"outcome": value}).status_code == 200
    assert APIClient().get("/api/public/results/", {"outcome": "bad"}).status_code == 400


def test_every_query_parameter_left_blank_is_read_as_absent(schema, users):
    """``?status=`` is no filter (a form's empty field), which the schema says with ``allowEmptyValue``; it said the
    value had to be a status, yet the list answered — and the public lists refused a blank page or page size, which
    the staff lists read as the first page."""
    staff = staff_client(users["city_admin"])
    checked = 0
    lists = [(path, operation) for path, operation in operations(schema) if "{" not in path]
    for path, operation in [*lists, ("/api/schema/", schema["paths"]["/api/schema/"]["get"])]:
        client = APIClient() if is_public(operation) else staff
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            assert parameter.get("allowEmptyValue") is True, (path, parameter["name"])
            response = client.get(path, {parameter["name"]: ""})
            assert response.status_code == 200, (path, parameter["name"], response.content[:200])
            checked += 1
    assert checked >= 60


def test_an_accept_header_naming_no_format_of_the_api_is_a_documented_406(schema, users):
    staff = staff_client(users["city_admin"])
    for path, operation in operations(schema):
        client = APIClient() if is_public(operation) else staff
        response = client.get(address(path, operation), HTTP_ACCEPT="application/xml")
        assert response.status_code == 406, path
        check_documented(schema, operation, response)
        # what was asked and what can be had (DRF said "无法满足Accept HTTP头的请求。", neither)
        assert "“application/xml”" in response.json()["detail"] and "application/json" in response.json()["detail"]
    client = APIClient()
    client.cookies["django_language"] = "en"
    response = client.get("/api/public/results/", HTTP_ACCEPT="text/csv")
    assert response.json() == {"detail": 'The Accept header names no format this API gives, got "text/csv"; '
                                         "the formats are: application/json, text/html"}


def test_the_planning_schema_says_which_plans_and_tasks_are_cross_department(schema):
    """A 跨部门联合抽查 is told apart like a 线索核查: the tasks' flag and filter, and the plan's own facts."""
    components = schema["components"]["schemas"]
    task = next(body for name, body in components.items() if name == "Task")
    assert task["properties"]["is_cross_department"]["type"] == "boolean"
    assert task["properties"]["is_clue_check"]["type"] == "boolean"
    plan = next(body for name, body in components.items() if name == "Plan")
    cross = plan["properties"]["cross"]
    assert cross.get("nullable") is True or {"type": "null"} in cross.get("oneOf", cross.get("anyOf", []))
    referred = json.dumps(cross)
    assert "CrossCheck" in referred
    assert set(components["CrossCheck"]["properties"]) == {
        "initiator", "initiated_here", "participants", "platform_ref", "deadline"}
    tasks = schema["paths"]["/api/planning/tasks/"]["get"]
    assert {"is_cross_department", "is_clue_check"} <= {p["name"] for p in tasks["parameters"]}
    plans = schema["paths"]["/api/planning/plans/"]["get"]
    [kind] = [p for p in plans["parameters"] if p["name"] == "kind"]
    assert "cross" in kind["schema"]["enum"]


def test_the_records_time_filter_says_the_form_it_reads_in_the_readers_language():
    """?sealed_after= was a bare date-time in the schema: nothing said that an offset's "+" must be written %2B in
    an address, nor how a time without an offset is read; ?publishable='s description stayed Chinese in English."""
    from django.utils import translation

    for language, says in (("zh-hans", ("%2B", "北京时间")), ("en", ("%2B", "Beijing time"))):
        with translation.override(language):
            schema = SchemaGenerator().get_schema(request=None, public=True)
        described = {parameter["name"]: parameter.get("description", "")
                     for parameter in schema["paths"]["/api/fieldwork/records/"]["get"]["parameters"]}
        assert all(word in described["sealed_after"] for word in says), language
    assert described["publishable"] == "Publishable only (approved)"


def test_every_filter_and_path_parameter_is_described_in_the_readers_language():
    """is_joint, code, positive_list… and the public API's path parameters had no description at all."""
    from django.utils import translation

    for language, word in (("zh-hans", "只列"), ("en", "lists only")):
        with translation.override(language):
            schema = SchemaGenerator().get_schema(request=None, public=True)
        undescribed = [(path, parameter["name"]) for path, methods in schema["paths"].items()
                       if path.startswith(("/api/registry/", "/api/planning/", "/api/fieldwork/", "/api/public/"))
                       for operation in methods.values() if isinstance(operation, dict)
                       for parameter in operation.get("parameters", []) if not parameter.get("description")]
        assert undescribed == [], language
        tasks = {p["name"]: p["description"] for p in schema["paths"]["/api/planning/tasks/"]["get"]["parameters"]}
        assert word in tasks["is_joint"] and word in tasks["is_cross_department"], language
        detail = schema["paths"]["/api/public/plans/{id}/"]["get"]["parameters"]
        assert [p["schema"] for p in detail] == [{"type": "string", "pattern": "^[0-9]{1,19}$"}]
    assert detail[0]["description"] == "The plan's id: id in the plans list"


def test_the_public_schema_in_english_describes_its_parameters_and_fields_in_english():
    """The public API's parameter and field descriptions were Chinese texts in the English schema too (only marked
    for translation), though the open-data page says them in English."""
    import re

    from django.utils import translation

    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    han = re.compile("[\u4e00-\u9fff]")
    chinese = [(path, p["name"]) for path, methods in schema["paths"].items() if path.startswith("/api/public/")
               for operation in methods.values() if isinstance(operation, dict)
               for p in operation.get("parameters", []) if han.search(p.get("description", ""))]
    chinese += [(name, key) for name, component in schema["components"]["schemas"].items()
                if name.startswith("Public") for key, field in component.get("properties", {}).items()
                if han.search(field.get("description", ""))]
    assert chinese == []
    [year] = [p for p in schema["paths"]["/api/public/plans/"]["get"]["parameters"] if p["name"] == "year"]
    assert year["description"] == "Year, e.g. 2026"


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    """The schema as a Chinese and as an English reader gets it."""
    from django.utils import translation

    found = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            found[language] = SchemaGenerator().get_schema(request=None, public=True)
    return found


HAN = re.compile("[\u4e00-\u9fff]")


def test_every_operation_is_described_in_the_readers_language(schemas):
    """The staff APIs' operations (and some public ones) were described by their view's docstring: the same English
    developer's note in both languages, a registry list and its detail alike ("Objects outside the caller's
    jurisdiction do not exist here (404), as on the pages."), /api/schema/ by a note on its YAML renderer."""
    for language, schema in schemas.items():
        described = {(path, method): operation.get("description", "")
                     for path, methods in schema["paths"].items() for method, operation in methods.items()
                     if isinstance(operation, dict)}
        assert len(described) >= 25
        for (path, _method), text in described.items():
            assert text, (language, path)
            assert bool(HAN.search(text)) is (language == "zh-hans"), (language, path, text)
        assert not any("Objects outside" in text for text in described.values())
    english = schemas["en"]["paths"]
    assert english["/api/registry/targets/"]["get"]["description"].startswith("Targets (polluters")
    assert english["/api/registry/targets/{id}/"]["get"]["description"] == (
        "One target with its outlets, by id; 404 outside the user's jurisdiction")
    assert "X-Manifest-State" in english["/api/planning/plans/{id}/draws/{number}/manifest/"]["get"]["description"]
    assert schemas["zh-hans"]["paths"]["/api/fieldwork/records/"]["get"]["description"].startswith("已封存的检查记录")


def test_every_field_is_described_in_the_readers_language(schemas):
    """The staff APIs' fields had no description (the public API's all had one): a model field's name on the pages
    was its ``title`` at most, which Swagger UI does not show, and ``id``, ``state`` or a related name had nothing."""
    for language, schema in schemas.items():
        undescribed, untranslated = [], []
        for name, component in schema["components"]["schemas"].items():
            for key, field in component.get("properties", {}).items():
                text = field.get("description", "")
                if not text:
                    undescribed.append((name, key))
                elif language == "en" and HAN.search(text):
                    untranslated.append((name, key, text))
        assert undescribed == [], language
        assert untranslated == []
    components = schemas["en"]["components"]["schemas"]
    assert components["Task"]["properties"]["id"]["description"] == "The task's id, for its detail address"
    assert "superseded (amended)" in components["Record"]["properties"]["state"]["description"]
    assert components["Department"]["properties"]["name"]["description"] == "Name"  # its label: "Name"
    assert components["PaginatedTargetList"]["properties"]["next"]["description"] == (
        "Address of the next page, null when there is none")
    chinese = schemas["zh-hans"]["components"]["schemas"]
    assert chinese["Target"]["properties"]["credit_code"]["description"] == "统一社会信用代码"
    assert chinese["Draw"]["properties"]["seed"]["description"] == "种子：公开密钥之前为 null"
    # the path's ids keep drf-spectacular's own description (the field's label must not stand for it)
    [target_id] = schemas["en"]["paths"]["/api/registry/targets/{id}/"]["get"]["parameters"]
    assert target_id["description"] == "A unique integer value identifying this Target."


def test_the_schema_describes_its_own_parameters_and_refuses_a_language_it_has_not(schemas, users):
    """/api/schema/ takes ``format`` and ``lang``, which the schema listed without a word; a language it has not
    (``?lang=fr``) was served in Chinese without one either."""
    for language, schema in schemas.items():
        parameters = {p["name"]: p for p in schema["paths"]["/api/schema/"]["get"]["parameters"]}
        assert set(parameters) == {"format", "lang"}
        assert parameters["format"]["schema"]["enum"] == ["json", "yaml"]
        assert sorted(parameters["lang"]["schema"]["enum"]) == ["en", "zh-hans"]
        assert all(parameter.get("description") for parameter in parameters.values()), language
    assert "zh-hans" in parameters["lang"]["description"] and "yaml" in parameters["format"]["description"]
    staff = staff_client(users["city_admin"])
    refused = staff.get("/api/schema/", {"lang": "fr", "format": "json"})
    assert refused.status_code == 400
    assert refused.json() == {"lang": ["未知语言“fr”；可用语言：zh-hans、en"]}
    check_documented(schemas["zh-hans"], schemas["zh-hans"]["paths"]["/api/schema/"]["get"], refused)
    english = staff.get("/api/schema/", {"lang": "en", "format": "json"})
    assert english.status_code == 200
    index = english.json()["paths"]["/api/public/"]["get"]
    assert index["description"] == "The public API's index: the address of each list"
    public = APIClient().get("/api/public/schema/", {"lang": "xx"})
    assert public.status_code == 400 and list(public.json()) == ["lang"]


def test_every_operation_has_a_one_line_summary_in_the_readers_language(client):
    """Swagger UI (/api/docs/) listed each operation by its bare path: no operation had a summary. Each has one, in
    the reader's language, in the staff's schema and in the public API's own (/api/public/schema/)."""
    from django.utils import translation

    han = re.compile("[\u4e00-\u9fff]")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            staff = SchemaGenerator().get_schema(request=None, public=True)
        public = client.get("/api/public/schema/", {"format": "json", "lang": language}).json()
        for schema in (staff, public):
            summaries = {(path, method): operation.get("summary", "") for path, methods in schema["paths"].items()
                         for method, operation in methods.items() if isinstance(operation, dict)}
            assert len(summaries) > 10
            assert [key for key, summary in summaries.items() if not summary.strip() or "\n" in summary] == []
            assert all(bool(han.search(summary)) == (language == "zh-hans") for summary in summaries.values()), (
                language, summaries)
    assert staff["paths"]["/api/planning/tasks/"]["get"]["summary"] == "List the inspection tasks"
    assert public["paths"]["/api/public/results/"]["get"]["summary"] == "List the published inspection results"
