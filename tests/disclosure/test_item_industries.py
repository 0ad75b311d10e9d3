"""The public item list says which industries an item is for (适用行业), on the page, in the download and the API."""

import csv
import io
import json

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from shuangsuiji.registry.models import CheckItem


@pytest.fixture
def scoped(tree):
    department = tree["departments"]["130600"]
    CheckItem.objects.create(code="C-01", name="排污许可制度执行情况", legal_basis="排污许可管理条例",
                             content="持证排污", jurisdiction=tree["city"], responsible_department=department)
    CheckItem.objects.create(code="C-14", name="机动车排放检验机构检验行为", legal_basis="大气法第五十四条",
                             content="检验行为", jurisdiction=tree["city"], responsible_department=department,
                             industries="M7452")


def test_the_page_and_the_csv_show_the_scope(scoped):
    client = Client()
    page = client.get("/public/items/").content.decode()
    assert "适用行业" in page and 'data-label="适用行业">M7452<' in page and 'data-label="适用行业">所有行业<' in page
    body = b"".join(client.get("/public/items/", {"format": "csv"}).streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    column = rows[0].index("适用行业")
    assert {row[0]: row[column] for row in rows[1:]} == {"C-01": "", "C-14": "M7452"}


def test_the_api_gives_the_scope_and_documents_it(scoped):
    client = Client()
    body = client.get("/api/public/items/", {"jurisdiction": "130623"}).json()
    assert {i["code"]: i["industries"] for i in body["results"]} == {"C-01": "", "C-14": "M7452"}
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "空为所有行业" in json.dumps(schema, ensure_ascii=False)
