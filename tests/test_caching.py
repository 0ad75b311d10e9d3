"""What a browser or a proxy may keep (shuangsuiji.caching): nothing of an answer to a signed-in user — pages,
exports, a record's PDF, its attachments and signatures, the staff API, by session or HTTP Basic — and the public
portal's caching unchanged. Without it a caching proxy on the intranet, or a shared browser after sign-out, kept
officers' data, records and unpublished plans."""

import base64

import pytest
from django.test import Client
from django.urls import reverse

from shuangsuiji.fieldwork import services
from tests.clients import signed_in
from tests.fieldwork.conftest import items, photo, signature_png, target, task, team  # noqa: F401

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"


def kept_by_nobody(response) -> bool:
    return response["Cache-Control"] == PRIVATE


@pytest.mark.parametrize("path", ["/", "/registry/targets/", "/planning/", "/account/", "/accounts/users/"])
def test_signed_in_pages_are_kept_by_nobody(users, path):
    response = signed_in(users["county_admin"]).get(path)
    assert response.status_code == 200 and kept_by_nobody(response)


def test_exports_are_kept_by_nobody(users):
    response = signed_in(users["county_admin"]).get("/registry/targets/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert kept_by_nobody(response)


def test_a_record_s_attachment_signature_and_pdf_are_kept_by_nobody(task, users, team):  # noqa: F811
    record = services.do_start_record(task, acting_user=users["inspector"])
    attachment = services.do_add_attachment(record, photo(), acting_user=users["inspector"])
    record.refresh_from_db()
    signature = services.do_sign(record, acting_user=users["inspector"], png=signature_png(),
                                 revision=record.revision, inspector=users["inspector"].inspector)
    client = signed_in(team["partner"])
    file = client.get(reverse("fieldwork:attachment_file", args=[attachment.pk]))
    assert file.status_code == 200 and kept_by_nobody(file)
    # the view asked for "private, max-age=86400": the shared browser kept someone's signature for a day
    image = client.get(reverse("fieldwork:signature_image", args=[record.pk, signature.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png" and kept_by_nobody(image)
    pdf = client.get(reverse("fieldwork:record_pdf", args=[record.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and kept_by_nobody(pdf)


def test_the_staff_api_by_session_or_basic_auth_is_kept_by_nobody(users):
    by_session = signed_in(users["county_admin"]).get("/api/registry/targets/")
    assert by_session.status_code == 200 and kept_by_nobody(by_session)
    token = base64.b64encode(b"county_admin:pw-county_admin").decode()
    by_basic = Client().get("/api/registry/targets/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert by_basic.status_code == 200 and kept_by_nobody(by_basic)


def test_what_says_no_store_itself_keeps_its_header(users):
    response = signed_in(users["county_admin"]).get("/healthz")
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]  # never_cache's


@pytest.mark.parametrize("path", ["/public/", "/public/plans/", "/public/verify/", "/api/public/plans/"])
@pytest.mark.parametrize("as_staff", [False, True])
def test_the_public_portal_gains_nothing_signed_in_or_not(users, path, as_staff):
    client = signed_in(users["county_admin"]) if as_staff else Client()
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "") and "private" not in response.get("Cache-Control", "")

