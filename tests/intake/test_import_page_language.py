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


def test_every_column_note_reads_in_english_and_as_written_in_chinese(client, users):
    """The notes say how to fill each column; the column headers stay Chinese, as the workbook must have them."""
    from shuangsuiji.intake.importers import IMPORTERS

    client.force_login(users["county_admin"])
    for kind, importer in IMPORTERS.items():
        notes = [column.note for column in importer.columns if column.note]
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(reverse("intake:import_upload", args=[kind])).content.decode()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        chinese = client.get(reverse("intake:import_upload", args=[kind])).content.decode()
        for note in notes:
            assert f"：{note}</li>" in chinese, (kind, note)
            assert f"：{note}</li>" not in english, (kind, note)
