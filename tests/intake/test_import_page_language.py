"""The import page names the kind of data in the page's language."""

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.parametrize(("kind", "english"), [("penalties", "Import Administrative penalties"),
                                               ("exceedances", "Import Hourly online-monitoring readings")])
def test_the_import_page_names_its_kind_in_english(client, users, kind, english):
    client.force_login(users["county_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("intake:import_upload", args=[kind])).content.decode()
    assert english in page and "行政处罚</h1>" not in page and "Import 在线监测" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "导入行政处罚" in client.get(reverse("intake:import_upload", args=["penalties"])).content.decode()
