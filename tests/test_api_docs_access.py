"""The description of the staff APIs (/api/schema/, /api/docs/) names every internal endpoint and field: it is for a
signed-in user of any role or a valid API token, as the APIs are. The public API's own description stays open."""

import base64

import pytest
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.services import do_create_token, do_revoke_token

pytestmark = pytest.mark.django_db

ROLES = ["city_admin", "county_admin", "department_user", "inspector", "leader"]


def test_every_role_is_one_of_the_users():
    assert {str(role) for role in Role} == {"city_admin", "county_admin", "department_user", "inspector", "leader"}


def test_anonymous_gets_401_for_the_schema_and_the_login_page_for_the_docs():
    client = Client()
    for query in ({}, {"format": "json"}):
        schema = client.get("/api/schema/", query)
        assert schema.status_code == 401
        assert schema.headers["WWW-Authenticate"].startswith("Basic")
        assert b"/api/fieldwork/" not in schema.content
    # the refusal is JSON whichever format was asked: YAML wrote it as "detail: {string: …, code: …}"
    for query in ({}, {"format": "json"}, {"format": "yaml"}):
        refused = client.get("/api/schema/", query)
        assert refused["Content-Type"] == "application/json" and refused.json()["detail"].startswith("身份认证")
    for path in ("/api/docs/", "/api/docs/?script="):
        page = client.get(path)
        assert page.status_code == 302
        assert page.headers["Location"].startswith("/login/?next=/api/docs/")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signed_in_reads_the_schema_and_the_docs(users, role):
    client = Client()
    client.force_login(users[role])
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert "/api/fieldwork/records/" in schema.json()["paths"]
    page = client.get("/api/docs/")
    assert page.status_code == 200
    text = page.content.decode()
    # Swagger UI from the system's own static files (drf-spectacular-sidecar), no CDN
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in text
    assert "cdn" not in text.lower()
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and b"/api/schema/" in script.content


def test_http_basic_reads_the_schema(users):
    credentials = base64.b64encode(b"leader:pw-leader").decode()
    schema = Client().get("/api/schema/", {"format": "json"}, HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert schema.status_code == 200
    wrong = base64.b64encode(b"leader:wrong").decode()
    assert Client().get("/api/schema/", HTTP_AUTHORIZATION=f"Basic {wrong}").status_code == 401


def test_a_valid_api_token_reads_the_schema_and_a_revoked_one_does_not(users):
    token, secret = do_create_token(users["department_user"], acting_user=users["department_user"], name="省平台",
                                    valid_through=timezone.localdate())
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    schema = Client().get("/api/schema/", {"format": "json"}, **bearer)
    assert schema.status_code == 200 and "/api/planning/tasks/" in schema.json()["paths"]
    assert Client().get("/api/docs/", **bearer).status_code == 200
    do_revoke_token(token, acting_user=users["department_user"], reason="脚本停用")
    refused = Client().get("/api/schema/", {"format": "json"}, **bearer)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    # a client that sent credentials hears why they were refused, not the login page
    assert Client().get("/api/docs/", **bearer).status_code == 401


def test_the_public_api_description_stays_open_and_names_only_the_public_api():
    schema = Client().get("/api/public/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/public/results/" in paths and "/api/public/verification/" in paths
    assert all(path.startswith("/api/public/") for path in paths)
