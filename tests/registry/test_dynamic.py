"""动态管理: the quarter's new and defunct targets, per jurisdiction, within scope, and their export."""

import datetime
import io

from django.test import Client
from openpyxl import load_workbook

from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Target
from shuangsuiji.registry.services import do_mark_target_defunct, do_save


def test_quarter_lists_new_and_defunct_targets_in_scope(tree, users):
    admin = users["city_admin"]
    new = do_save(Target(credit_code=complete("91130623000000001"), name="涞水新企业", jurisdiction=tree["a"]),
                  acting_user=admin, reason="新增", effective_date=datetime.date(2021, 5, 10))
    gone = do_save(Target(credit_code=complete("91130624000000002"), name="阜平旧企业", jurisdiction=tree["b"]),
                   acting_user=admin, reason="新增", effective_date=datetime.date(2020, 1, 1))
    do_mark_target_defunct(gone, acting_user=admin, defunct_date=datetime.date(2021, 6, 1), reason="吊销")
    client = Client()
    client.force_login(admin)
    page = client.get("/registry/dynamic/", {"year": 2021, "quarter": 2})
    assert [r.target.name for r in page.context["new"]] == ["涞水新企业"]
    assert [r.target.name for r in page.context["defunct"]] == ["阜平旧企业"]
    assert page.context["due"] == datetime.date(2021, 6, 20)
    assert "2021年6月20日" in page.content.decode()
    client.cookies["django_language"] = "en"  # a date in the English sentence is written the English way
    english = client.get("/registry/dynamic/", {"year": 2021, "quarter": 2})
    client.cookies["django_language"] = "zh-hans"
    assert "due at the city bureau by June 20, 2021" in english.content.decode()
    other_quarter = client.get("/registry/dynamic/", {"year": 2021, "quarter": 3})
    assert not other_quarter.context["new"] and not other_quarter.context["defunct"]

    county = Client()
    county.force_login(users["county_admin"])
    scoped = county.get("/registry/dynamic/", {"year": 2021, "quarter": 2})
    assert [r.target.name for r in scoped.context["new"]] == ["涞水新企业"] and not scoped.context["defunct"]
    export = client.get("/registry/dynamic/export.xlsx", {"year": 2021, "quarter": 2})
    assert export.status_code == 200, export.content[:500]
    workbook = load_workbook(io.BytesIO(export.content))
    assert [row[2] for row in list(workbook["消亡检查对象"].values)[1:]] == ["阜平旧企业"]
    # Readable when opened: Excel's default width showed the dates as ##### and cut the codes and names.
    for sheet in workbook.worksheets:
        widths = {letter: sheet.column_dimensions[letter].width for letter in "BCD"}
        assert widths["B"] >= 20 and widths["C"] >= 30 and widths["D"] >= 11, (sheet.title, widths)
    assert new.pk
