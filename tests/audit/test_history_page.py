"""The change history of a detail page says what happened in words, in Chinese and in English."""

import datetime

import pytest
from django.conf import settings
from django.test import Client

from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Category, Target
from shuangsuiji.registry.services import do_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(tree, users):
    target = Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲化工有限公司",
                                   jurisdiction=tree["a"])
    target.category = Category.SPECIAL
    do_save(target, acting_user=users["county_admin"], reason="上季度因超标排放被行政处罚",
            effective_date=datetime.date(2021, 4, 1))
    return target


def history_table(client: Client, target: Target) -> str:
    page = client.get(f"/registry/targets/{target.pk}/").content.decode()
    return page.split("history-table", 1)[1].split("</table>", 1)[0]


def test_a_category_change_reads_in_words(target, users):
    client = Client()
    client.force_login(users["county_admin"])
    table = history_table(client, target)
    assert '<span title="target.update">修改检查对象</span>' in table
    assert "监管类别</span>：一般排污单位 → 特殊监管对象" in table
    assert "上季度因超标排放被行政处罚" in table
    visible = table.replace('title="target.update"', "")
    assert "category" not in visible and "special" not in visible and "general" not in visible


def test_and_in_english_for_a_reader_who_chose_it(target, users):
    client = Client()
    client.force_login(users["county_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    table = history_table(client, target)
    assert '<span title="target.update">Target changed</span>' in table
    assert "Category</span>: General unit → Special-supervision unit" in table
    assert "监管类别" not in table and "修改检查对象" not in table


def test_a_phone_number_the_page_withholds_is_withheld_from_its_history_too(users):
    """An officer's phone is for the registry's keepers and himself: the page hides it from other readers,
    and so must the history, which would otherwise show every number he ever had."""
    officer = users["inspector"].inspector
    officer.phone = "13912345678"
    do_save(officer, acting_user=users["county_admin"], reason="换号")
    url = f"/registry/inspectors/{officer.pk}/"

    def history(user) -> str:
        client = Client()
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        return page.content.decode().split("history-table", 1)[1].split("</table>", 1)[0]

    leader = history(users["leader"])  # reads the whole city, keeps no registry
    assert "13912345678" not in leader
    assert "电话</span>：（不向您显示）" in leader  # that it changed is not a secret
    assert "13912345678" in history(users["county_admin"])  # the keeper of the registry
    assert "13912345678" in history(users["inspector"])  # the officer himself
