"""What the APIs answer when something is missing or the server fails: JSON saying so, in the API's words, as every
other answer there — never an HTML page, nor Django's English message naming an internal model."""

import pytest
from django.test import Client, RequestFactory, override_settings
from rest_framework.test import APIClient

from shuangsuiji import errors
from shuangsuiji.registry.api import TargetViewSet

pytestmark = pytest.mark.django_db


def test_a_missing_object_is_said_as_every_other_404_of_the_apis(users):
    client = APIClient()
    client.force_authenticate(users["city_admin"])
    for path in ("/api/registry/targets/999999/", "/api/planning/plans/999999/",
                 "/api/planning/plans/999999/draws/1/manifest/", "/api/fieldwork/records/999999/",
                 "/api/public/plans/999999/", "/api/public/plans/999999/draws/1/manifest.json", "/api/nowhere/"):
        response = client.get(path)
        assert response.status_code == 404 and response.json() == {"detail": "未找到。"}, (path, response.content)
    # a message of the view's own stays
    assert client.get("/api/public/results/JL0000/").json() == {"detail": "没有这条已公开的抽查结果"}


def test_a_server_error_in_an_api_is_json_and_a_page_stays_a_page(users, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(TargetViewSet, "list", fail)
    client = Client(raise_request_exception=False)
    client.force_login(users["city_admin"])
    response = client.get("/api/registry/targets/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert "服务器内部错误" in response.json()["detail"] and "a bug" not in response.content.decode()
    page = errors.server_error(RequestFactory().get("/registry/targets/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_a_format_the_api_does_not_have_is_a_400_naming_it(users):
    """DRF answered ?format=xml with a 404, which reads as "no such list"."""
    client = APIClient()
    client.force_authenticate(users["city_admin"])
    for path in ("/api/registry/targets/", "/api/planning/tasks/", "/api/public/results/", "/api/public/plans/"):
        response = client.get(path, {"format": "xml"})
        assert response.status_code == 400, (path, response.content)
        (message,) = response.json()["format"]
        assert "xml" in message and "json" in message
        assert client.get(path, {"format": "json"}).status_code == 200


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_a_non_numeric_id_and_a_failure_are_json_debug_or_not(users, monkeypatch, debug):
    """With DEBUG off (a bureau's server) the handlers answer; with it on (``make run``, where an integrator first
    tries the APIs) Django's debugging pages were HTML: the APIs answer in their JSON shape either way, in the
    reader's language, and the pages keep theirs."""
    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(TargetViewSet, "list", fail)
    with override_settings(DEBUG=debug):
        client = Client(raise_request_exception=False)
        for path in ("/api/nowhere/", "/api/public/plans/abc/", "/api/public/plans/abc/draws/1/manifest.json",
                     "/api/public/nowhere"):
            response = client.get(path)
            assert response.status_code == 404 and response["Content-Type"] == "application/json", (path, debug)
            assert response.json() == {"detail": "未找到。"}
        client.cookies["django_language"] = "en"
        assert client.get("/api/public/plans/abc/").json() == {"detail": "Not found."}
        if not debug:  # under DEBUG Django's own debugging page fails on it, re-reading the parameters
            too_many = client.get("/api/public/plans/", {f"a{i}": "1" for i in range(1001)})
            assert too_many.status_code == 400 and too_many["Content-Type"] == "application/json", too_many.content
            assert "too many parameters" in too_many.json()["detail"]
        client.force_login(users["city_admin"])
        failed = client.get("/api/registry/targets/")
        assert failed.status_code == 500 and failed["Content-Type"] == "application/json", debug
        assert "a bug" not in failed.content.decode()
        assert client.get("/public/nowhere/")["Content-Type"].startswith("text/html")
