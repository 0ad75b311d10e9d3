"""Fixtures shared by the Django tests: a small jurisdiction tree and one user per role."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import settings as hypothesis_settings
from openpyxl import Workbook

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.engine.creditcode import check_character
from shuangsuiji.registry.models import Department, Inspector, Jurisdiction, Level

# No per-example time limit for the property tests: Hypothesis's default of 200 ms fails an example that a
# loaded machine (CI beside other work, the suite on every core) runs slowly, which says nothing of the code.
# Speed is measured by bench/, not by tests.
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def calendar_knows_the_years_the_suite_runs_in():
    """Tests make records today and publish them, plan next quarter, count deadlines ten working days on. From
    1 December the calendar package (it knows its years up to a State Council notice) meets a January it does
    not know, and from 1 January a whole year: a hundred tests failed on the real date, about nothing they
    test. For the suite the package's range reaches into next year (a year it has no holidays of counts Monday
    to Friday). Session-wide, so module-scoped seeds see it too; the tests about an unknown year set the range
    themselves (``monkeypatch.setattr(workdays, "_PACKAGE_YEARS", ...)``), which wins for their duration."""
    from django.utils import timezone

    from shuangsuiji.engine import workdays

    first, last = workdays.package_years()
    needed = timezone.localdate().year + 1
    if last >= needed:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workdays, "_PACKAGE_YEARS", range(first, needed + 1))
        yield


def _count_must_see_every_query(self, exc_type, exc_value, traceback) -> None:
    """``CaptureQueriesContext.__exit__``, then a refusal of a count whose log ran full. Django's count (and
    pytest-django's ``django_assert_num_queries`` and ``django_assert_max_num_queries``, built on it) is the growth
    of the connection's ``queries_log``, a deque that keeps the last 9000: a full one drops its oldest query for
    each new one and no longer grows, so the count is some of the queries, or none, and an "at most N queries"
    test passes on nothing. A deque short of its maximum at the end has dropped nothing: its count is exact."""
    _django_capture_exit(self, exc_type, exc_value, traceback)
    log = self.connection.queries_log
    if exc_type is None and len(log) == log.maxlen:
        raise AssertionError(
            f"The query log of the database connection {self.connection.alias!r} was full ({log.maxlen} queries) "
            f"when this count ended: it dropped queries, so the count ({self.final_queries - self.initial_queries}) "
            f"is not what ran. Count a piece that runs fewer queries, or reset_queries() before it.")


_django_capture_exit = CaptureQueriesContext.__exit__


@pytest.fixture(scope="session", autouse=True)
def query_counts_see_every_query():
    """A count of queries that could not see them all fails, saying so, instead of passing on what it saw. Between
    tests the log does not fill: Django's test case empties it when a test's ``db`` fixture opens the database
    (``TransactionTestCase._pre_setup``); within one test it takes 9000 queries logged while counting. Session-wide,
    before any test counts, and for every use of the class, pytest-django's fixtures among them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CaptureQueriesContext, "__exit__", _count_must_see_every_query)
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher's deliberate slowness would dominate the suite."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """Database access for a module-scoped fixture that stores data once for all the module's tests, which only
    read it (each test still runs in its own transaction, rolled back): seeding the demo takes a minute or two,
    too long to repeat per test. Whatever the fixture stored is flushed when the module's tests are done. A
    module using it must not hold tests that expect an empty database."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS,
                                                        MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def public_api_unthrottled(settings):
    """The public API's per-address limit counts in a cache that outlives a test; the suite's many requests
    from one address must not run into it (the throttle's own test sets a rate)."""
    settings.PUBLIC_API_RATE = None


@pytest.fixture(autouse=True)
def empty_cache():
    """The default cache keeps counts per address (the objection status page's wrong lookups among them) that
    would outlive a test in the same process; every test starts with none."""
    cache.clear()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Files the tests store (attachments, rejected uploads) go to a temporary directory, not the demo's
    var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def xlsx_upload(rows: list[list], name: str = "upload.xlsx") -> io.BytesIO:
    """An uploaded .xlsx in memory with these rows (the first is the header), read from its start."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def credit_code(division: str, serial: int) -> str:
    """A valid unified social credit code (统一社会信用代码, its check character computed) of a firm registered in
    the six-digit ``division``; ``serial`` tells the tests' firms apart."""
    body = f"91{division}{serial:09d}"
    return body + check_character(body)


def make_jurisdiction(code: str, name: str, level: str, parent: Jurisdiction | None = None) -> Jurisdiction:
    jurisdiction = Jurisdiction(code=code, name=name, level=level, parent=parent)
    jurisdiction.path = jurisdiction.compute_path()
    jurisdiction.save()
    return jurisdiction


@pytest.fixture
def tree(db):
    """Hebei → Baoding → two of its counties, each with a department."""
    province = make_jurisdiction("130000", "河北省", Level.PROVINCE)
    city = make_jurisdiction("130600", "保定市", Level.CITY, province)
    county_a = make_jurisdiction("130623", "涞水县", Level.COUNTY, city)
    county_b = make_jurisdiction("130624", "阜平县", Level.COUNTY, city)
    departments = {
        j.code: Department.objects.create(
            jurisdiction=j, name="执法大队" if j.level == Level.COUNTY else "综合执法支队"
        )
        for j in (city, county_a, county_b)
    }
    return {"province": province, "city": city, "a": county_a, "b": county_b, "departments": departments}


@pytest.fixture
def users(tree):
    """One user per role: city admin, county admin of county A, a department user, an inspector, a leader."""
    inspector = Inspector.objects.create(
        name="张三", certificate_number="13062300001", certificate_expiry=datetime.date(2030, 1, 1),
        jurisdiction=tree["a"], department=tree["departments"]["130623"],
    )
    spec = {
        "city_admin": dict(role=Role.CITY_ADMIN, jurisdiction=tree["city"]),
        "county_admin": dict(role=Role.COUNTY_ADMIN, jurisdiction=tree["a"]),
        "other_county_admin": dict(role=Role.COUNTY_ADMIN, jurisdiction=tree["b"]),
        "department_user": dict(role=Role.DEPARTMENT, jurisdiction=tree["a"],
                                department=tree["departments"]["130623"]),
        "inspector": dict(role=Role.INSPECTOR, jurisdiction=tree["a"], inspector=inspector),
        "leader": dict(role=Role.LEADER, jurisdiction=tree["city"]),
    }
    return {key: User.objects.create_user(username=key, password="pw-" + key, **fields)
            for key, fields in spec.items()}
