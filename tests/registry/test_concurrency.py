"""Two admins act on the registry at the same moment: the same workbook imported twice (the city office and the
county, or a double click), a target marked closed twice, a recusal lifted twice. The second waits for the first
and finds its work done: nothing is created, audited or given history twice, and the page does not answer 500."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.models import Event
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Level, Recusal, Target, TargetHistory
from shuangsuiji.registry.services import (
    do_import_registry,
    do_mark_target_defunct,
    do_remove_recusal,
    do_set_recusal,
    queue_imports,
)
from tests.concurrency import collide, require_postgres
from tests.conftest import make_jurisdiction, xlsx_upload

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

HEADERS = ["统一社会信用代码", "单位名称", "行政区划代码", "监管类别", "正面清单", "排口"]


def workbook():
    return xlsx_upload([HEADERS,
                        [complete("91130623000000001"), "涞水甲化工有限公司", "130623", "重点排污单位", "否", ""],
                        [complete("91130623000000002"), "涞水乙建材有限公司", "130623", "", "否", ""],
                        [complete("91130623000000003"), "涞水丙纸业有限公司", "130623", "一般排污单位", "否", ""]])


def test_the_same_targets_workbook_imported_twice_at_once(tree, users):
    require_postgres()
    Target.objects.create(credit_code=complete("91130623000000003"), name="涞水丙纸业有限公司", jurisdiction=tree["a"],
                          category="special")
    city = Client()
    city.force_login(users["city_admin"])
    upload = workbook()
    first, second = collide(
        lambda: do_import_registry("targets", workbook(), "名录.xlsx", acting_user=users["county_admin"]),
        lambda: city.post("/registry/targets/import/", {"file": upload}))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert first.value["created"] == 2 and first.value["updated"] == 1
    assert second.value.status_code == 302
    assert Target.objects.count() == 3
    assert Event.objects.filter(action="target.update").count() == 1
    assert TargetHistory.objects.filter(target__credit_code=complete("91130623000000003"),
                                        field="category").count() == 1
    imports = list(Event.objects.filter(action="targets.import").order_by("id"))
    assert [e.changes["created"][1] for e in imports] == [2, 0]
    assert [e.changes["unchanged"][1] for e in imports] == [0, 3]


def test_a_target_marked_closed_by_two_admins_at_once(tree, users):
    """The second is told who closed it, when and why; the first's date and reason stay, with one history row."""
    require_postgres()
    target = Target.objects.create(credit_code=complete("91130623000000009"), name="涞水丁铸造厂",
                                   jurisdiction=tree["a"])
    today = timezone.localdate()
    city = Client()
    city.force_login(users["city_admin"])
    first, second = collide(
        lambda: do_mark_target_defunct(target, acting_user=users["county_admin"], defunct_date=today,
                                       reason="吊销营业执照"),
        lambda: city.post(f"/registry/targets/{target.pk}/defunct/",
                          {"defunct_date": today.isoformat(), "reason": "已搬迁"}, follow=True))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert "该对象已由county_admin于" in second.value.content.decode() and "吊销营业执照" in \
        second.value.content.decode()
    target.refresh_from_db()
    assert (target.status, target.defunct_reason) == ("defunct", "吊销营业执照")
    assert target.history.filter(field="status").count() == 1
    assert Event.objects.filter(action="target.update", object_id=str(target.pk)).count() == 1


def test_a_recusal_lifted_by_two_admins_at_once(tree, users):
    require_postgres()
    target = Target.objects.create(credit_code=complete("91130623000000010"), name="涞水戊化工厂",
                                   jurisdiction=tree["a"])
    inspector = users["inspector"].inspector
    recusal = do_set_recusal(inspector, target, acting_user=users["county_admin"], reason="亲属任职")
    city, pk = Client(), recusal.pk  # the first removal clears the pk of its own copy
    city.force_login(users["city_admin"])
    first, second = collide(
        lambda: do_remove_recusal(recusal, acting_user=users["county_admin"], reason="亲属已离职"),
        lambda: city.post(f"/registry/inspectors/{inspector.pk}/recusals/",
                          {"remove": str(pk), "reason": "已离职"}, follow=True))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert "涞水戊化工厂的回避已由county_admin于" in second.value.content.decode()
    assert not Recusal.objects.exists()
    assert Event.objects.filter(action="inspector.recusal_remove").count() == 1


def test_an_import_waits_only_for_imports_of_its_own_province(tree, users):
    """The lock is the importer's own top of the tree: another province's import runs beside it (a lock on every
    top made each import in the country wait for every other); the same province's waits, and so does the system,
    which has no jurisdiction and locks every top."""
    require_postgres()
    shanxi = make_jurisdiction("140000", "山西省", Level.PROVINCE)
    taiyuan = make_jurisdiction("140100", "太原市", Level.CITY, shanxi)
    shanxi_admin = User.objects.create_user(username="taiyuan", password="pw-taiyuan", role=Role.CITY_ADMIN,
                                            jurisdiction=taiyuan)
    held, done = threading.Event(), threading.Event()

    def county_import_running() -> None:
        try:
            with transaction.atomic():
                queue_imports(users["county_admin"])
                held.set()
                done.wait(30)
        finally:
            connection.close()

    def gets_the_lock(user) -> bool:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            try:
                with transaction.atomic():
                    queue_imports(user)
                return True
            except OperationalError:  # the lock timed out: it would have waited
                return False

    running = threading.Thread(target=county_import_running)
    running.start()
    try:
        assert held.wait(30)
        assert gets_the_lock(shanxi_admin)
        assert not gets_the_lock(users["city_admin"])
        assert not gets_the_lock(None)
    finally:
        done.set()
        running.join(30)


def test_two_provinces_importing_the_same_new_credit_code_at_once(tree, users):
    """Imports in two provinces do not wait for each other, so both may create the same new credit code at the
    same moment. The second's insert waits for the first's commit and breaks the unique key; it is read once
    more, and the admin gets the row and column of a code already registered elsewhere (400), not a 500, and
    nothing of his file is stored."""
    require_postgres()
    shanxi = make_jurisdiction("140000", "山西省", Level.PROVINCE)
    taiyuan = make_jurisdiction("140100", "太原市", Level.CITY, shanxi)
    shanxi_admin = User.objects.create_user(username="taiyuan", password="pw-taiyuan", role=Role.CITY_ADMIN,
                                            jurisdiction=taiyuan)
    code = complete("91130623000000001")
    theirs = xlsx_upload([HEADERS, [complete("91140100000000009"), "太原甲热力有限公司", "140100", "", "否", ""],
                          [code, "太原乙化工有限公司", "140100", "", "否", ""]])
    client = Client()
    client.force_login(shanxi_admin)
    first, second = collide(
        lambda: do_import_registry("targets", workbook(), "名录.xlsx", acting_user=users["county_admin"]),
        lambda: client.post("/registry/targets/import/", {"file": theirs}))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert first.value["created"] == 3
    assert second.value.status_code == 400
    page = second.value.content.decode()
    assert "该代码已登记在其他行政区的名录库中" in page and code in page
    assert Target.objects.get(credit_code=code).jurisdiction == tree["a"]
    assert not Target.objects.filter(jurisdiction=taiyuan).exists()
    assert Event.objects.filter(action="targets.import").count() == 1
