"""A request body larger than the system takes is refused before anything reads it (MAX_REQUEST_MB).

Django bounds a form's fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not its files: an upload of any size was streamed to
a temporary file before a view could look at it — and before the sign-in and the form token were checked, since
the token is read from the parsed body. Anyone, signed in or not, could send gigabytes to any address; the 50 MB
limit of a photo was checked only after the whole file was on the server's disk, and an import read all of it.
"""

import hashlib
import io

import pytest
from django.test import Client

from shuangsuiji.registry.models import Target
from tests.conftest import xlsx_upload

pytestmark = pytest.mark.django_db

LIMIT = 32 * 1024


@pytest.fixture
def small_limit(settings):
    settings.MAX_REQUEST_BYTES = LIMIT


def too_large(name: str = "photo.jpg") -> io.BytesIO:
    upload = io.BytesIO(b"\xff" * (2 * LIMIT))
    upload.name = name
    return upload


def test_an_anonymous_upload_over_the_limit_is_refused_before_it_is_read(small_limit):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/fieldwork/records/1/attachments/", {"file": too_large()},
                           headers={"Origin": "http://testserver"})
    assert response.status_code == 413
    assert "一次提交不超过" in response.content.decode()


def test_a_script_and_an_api_client_are_answered_in_json(small_limit, users):
    client = Client()
    client.force_login(users["inspector"])
    response = client.post("/fieldwork/records/1/attachments/", {"file": too_large()},
                           headers={"Accept": "application/json"})
    assert response.status_code == 413
    body = response.json()
    assert body["ok"] is False and "一次提交不超过" in body["message"] and body["detail"] == body["message"]
    assert Client().post("/api/registry/targets/", {"file": too_large()}).json()["detail"] == body["message"]


def test_an_import_over_the_limit_imports_nothing_and_one_within_it_goes_through(small_limit, users):
    client = Client()
    client.force_login(users["county_admin"])
    rows = [["统一社会信用代码", "单位名称", "行政区划代码"]]
    names = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(1000)]  # text zip cannot shrink much
    big = xlsx_upload(rows + [[f"X{n}", name, "130623"] for n, name in enumerate(names)])
    assert len(big.getvalue()) > LIMIT
    response = client.post("/registry/targets/import/", {"file": big})
    assert response.status_code == 413 and not Target.objects.exists()
    # within the limit nothing changes: the import reads the file and says what is wrong with it
    response = client.post("/registry/targets/import/", {"file": xlsx_upload([*rows, ["X", "乙", "130623"]])})
    assert response.status_code == 400 and "rejected" in response.context


def test_the_limit_is_the_deployments_to_set(settings):
    assert settings.MAX_REQUEST_BYTES == settings.MAX_REQUEST_MB * 1024 * 1024
    assert settings.MAX_REQUEST_MB >= 60  # a phone's 50 MB attachment with its form still goes through
