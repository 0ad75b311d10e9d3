# ruff: noqa: F811 (fixtures of the fieldwork and planning tests, imported by name, are parameters here)
"""publish_month and verify_published_draws, and the read-only admin of 一公开."""

import copy
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from shuangsuiji.accounts.models import User
from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import (
    Correction,
    DrawVerification,
    ListedTarget,
    Publication,
    PublicationStatus,
    PublishedResult,
    RedactionCase,
    RedactionRule,
)
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import Draw
from tests.disclosure.test_services import month_of, publish, reviewed
from tests.fieldwork.conftest import items, target, task, team  # noqa: F401
from tests.planning.conftest import ceremony, city  # noqa: F401

pytestmark = pytest.mark.django_db


def run(name: str, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_publish_month_prepares_and_for_scripts_reviews_as_another_and_releases(task, users, tree):
    record = reviewed(task, users)
    year, month = month_of(record)
    base = ["--jurisdiction", tree["a"].code, "--year", str(year), "--month", str(month)]
    with pytest.raises(CommandError, match="没有行政区划代码为 999999"):
        run("publish_month", "--jurisdiction", "999999", "--year", str(year), "--month", str(month))
    with pytest.raises(CommandError, match="--review-as"):
        run("publish_month", *base, "--user", "county_admin", "--release")
    with pytest.raises(CommandError, match="审核人不能是生成人"):
        run("publish_month", *base, "--user", "county_admin", "--review-as", "county_admin", "--release")
    with pytest.raises(CommandError, match="没有用户“nobody”"):
        run("publish_month", *base, "--user", "nobody")
    with pytest.raises(CommandError):  # a leader may review, not release: nothing is left half-way
        run("publish_month", *base, "--user", "leader", "--review-as", "city_admin", "--release")
    assert not Publication.objects.exists()

    out, _err = run("publish_month", *base, "--user", "county_admin", "--review-as", "leader", "--release")
    batch = Publication.objects.get()
    assert batch.status == PublicationStatus.RELEASED and batch.reviewed_by == users["leader"]
    assert batch.prepared_by == batch.released_by == users["county_admin"]
    assert "1 条" in out and "已公开" in out and PublishedResult.objects.published().count() == 1
    with pytest.raises(CommandError, match="没有已审核通过、尚未公开"):
        run("publish_month", *base, "--user", "county_admin")


def test_publish_month_alone_leaves_the_batch_for_review(task, users, tree):
    year, month = month_of(reviewed(task, users))
    out, _err = run("publish_month", "--jurisdiction", tree["a"].code, "--year", str(year), "--month", str(month))
    assert Publication.objects.get().status == PublicationStatus.PREPARED and "待审核" in out
    assert not PublishedResult.objects.published().exists()


def test_publish_month_names_the_batch_already_waiting_and_what_to_do(task, users, tree):
    """Re-run to review and release a month whose batch a first run (or the page) had prepared, it answered only
    that the month had no results left to publish: true (they are in the waiting batch), but it named no batch."""
    year, month = month_of(reviewed(task, users))
    base = ["--jurisdiction", tree["a"].code, "--year", str(year), "--month", str(month)]
    run("publish_month", *base, "--user", "county_admin")
    batch = Publication.objects.get()
    with pytest.raises(CommandError) as refused:
        run("publish_month", *base, "--user", "county_admin", "--review-as", "leader", "--release")
    message = str(refused.value)
    assert f"{batch}（批次 {batch.pk}）" in message and "状态“待审核”" in message
    assert f"由 {users['county_admin'].display_name} 生成" in message
    assert f"在“一公开”页面 /disclosure/batches/{batch.pk}/ 审核" in message
    assert Publication.objects.get().status == PublicationStatus.PREPARED  # nothing reviewed or prepared again

    services.do_review(batch, acting_user=users["leader"])
    with pytest.raises(CommandError, match=f"已由 {users['leader'].display_name} 审核，请由管理员在“一公开”页面 "
                                           f"/disclosure/batches/{batch.pk}/ 发布"):
        run("publish_month", *base, "--user", "county_admin")


def test_verify_published_draws_passes_revealed_draws_and_fails_a_tampered_one(city):
    county = city["users"]["county_admin"]
    plan = planning.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=county)
    ceremony(plan, user=county)
    out, err = run("verify_published_draws")
    assert "已验证 0 次" in out and not DrawVerification.objects.exists()  # sealed draws are not checked
    planning.do_dispatch(plan, acting_user=county)
    planning.do_reveal(plan, acting_user=county)
    out, err = run("verify_published_draws")
    assert "通过 1 次，不通过 0 次" in out and err == ""
    assert DrawVerification.objects.get().ok
    assert run("verify_published_draws", "-v", "0") == ("", "")  # the nightly job mails nothing when all pass

    draw = Draw.objects.get(plan=plan)
    tampered = copy.deepcopy(draw.manifest)
    tampered["secret"] = "f" * len(tampered["secret"])
    Draw.objects.filter(pk=draw.pk).update(manifest=tampered)
    with pytest.raises(CommandError, match="1 次抽取验证不通过"):
        run("verify_published_draws")
    assert list(DrawVerification.objects.order_by("id").values_list("ok", flat=True)) == [True, True, False]


MODELS = [Publication, ListedTarget, PublishedResult, RedactionRule, RedactionCase, Correction, DrawVerification]


def test_the_admin_reads_and_never_writes(client, task, users):
    publish(reviewed(task, users), users)
    admin = User.objects.create_superuser(username="root", password="pw-root")
    client.force_login(admin)
    for model in MODELS:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200
        assert client.get(reverse(f"{name}_add")).status_code == 403
    batch = Publication.objects.get()
    change = reverse("admin:disclosure_publication_change", args=[batch.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # a view, not a form
    client.post(change, {"status": "prepared"})
    client.post(reverse("admin:disclosure_publication_delete", args=[batch.pk]), {"post": "yes"})
    assert Publication.objects.get().status == PublicationStatus.RELEASED
