"""Sealing: a submitted record cannot change by any path — services, the model, a queryset UPDATE, raw SQL on
either database — and what was sealed can be checked against the rows, the files and the audit chain."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation

from shuangsuiji.audit.models import Event
from shuangsuiji.engine import canonical
from shuangsuiji.fieldwork import sealing, services
from shuangsuiji.fieldwork.models import (
    Attachment,
    FollowUp,
    Handling,
    InspectionRecord,
    ItemResult,
    Mode,
    Signature,
)

from .conftest import fill, photo, sign_all, signature_png, submitted

pytestmark = pytest.mark.django_db


def test_submitting_seals_content_signatures_and_attachments(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    record = fill(record, user)
    services.do_add_attachment(record, photo(), acting_user=user, caption="车间全景")
    sign_all(record, user)
    record = services.do_submit_record(record, acting_user=user)

    assert record.is_sealed and len(record.seal_hash) == 64
    document = canonical.dumps(__import__("json").loads(record.sealed_content))
    assert canonical.sha256_hex(document) == record.seal_hash
    sealed = __import__("json").loads(record.sealed_content)
    assert [s["name"] for s in sealed["signatures"]] == ["张三", "李四", "钱经理"]
    assert sealed["content"]["attachments"][0]["sha256"] == Attachment.objects.get(record=record).sha256
    assert sealed["content"]["target"]["credit_code"] == task.target.credit_code
    assert all(s["content_sha256"] == sealed["content_sha256"] for s in sealed["signatures"])
    assert sealing.verify(record) == []
    event = Event.objects.get(action="record.seal", object_id=str(record.pk))
    assert event.changes["seal_hash"] == [None, record.seal_hash]
    task.refresh_from_db()
    assert task.inspected_on == services.inspection_day(record)


def test_services_and_the_model_refuse_to_change_a_sealed_record(task, users):
    user = users["inspector"]
    record = submitted(task, user)
    with pytest.raises(ValidationError, match=r"已于.*提交封存"):
        services.do_save_draft(record, acting_user=user, values={"findings": "改写"})
    with pytest.raises(ValidationError, match="无需重复提交"):
        services.do_submit_record(record, acting_user=user)
    with pytest.raises(ValidationError):
        services.do_sign(record, acting_user=user, png=signature_png(), revision=record.revision,
                         inspector=users["inspector"].inspector)
    with pytest.raises(ValidationError):
        services.do_add_attachment(record, photo(), acting_user=user)
    record.findings = "改写"
    with pytest.raises(ValidationError, match="不能修改"):
        record.save()
    item = record.items.first()
    item.notes = "改写"
    with pytest.raises(ValidationError):
        item.save()
    record.refresh_from_db()
    assert record.findings == "检查了生产车间和治理设施。"


def _refused(sql: str, params: list) -> None:
    with pytest.raises(DatabaseError, match="sealed inspection record"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_updates_of_sealed_rows(task, users):
    """Triggers on SQLite and PostgreSQL alike: a direct SQL UPDATE cannot touch a sealed record, nor
    insert or change its item results, signatures and attachments."""
    record = submitted(task, users["inspector"])
    item = record.items.first()
    signature = record.signatures.first()
    _refused("UPDATE fieldwork_inspectionrecord SET findings = %s WHERE id = %s", ["改写", record.pk])
    _refused("UPDATE fieldwork_inspectionrecord SET sealed_at = NULL, seal_hash = '' WHERE id = %s", [record.pk])
    _refused("UPDATE fieldwork_itemresult SET outcome = 'ok', notes = '' WHERE id = %s", [item.pk])
    _refused("UPDATE fieldwork_signature SET name = %s WHERE id = %s", ["他人", signature.pk])
    _refused("INSERT INTO fieldwork_signature (record_id, role, name, certificate_number, image, image_hash, revision,"
             " content_hash, signed_at) VALUES (%s, 'officer', '他人', '', %s, '', 0, '', CURRENT_TIMESTAMP)",
             [record.pk, b"x"])
    with pytest.raises(DatabaseError), transaction.atomic():
        InspectionRecord.objects.filter(pk=record.pk).update(findings="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        ItemResult.objects.filter(record=record).update(notes="改写")
    record.refresh_from_db()
    assert sealing.verify(record) == []


def test_moving_a_child_row_out_of_a_sealed_record_is_refused(task, users, target, items, team):
    from .conftest import make_task

    sealed = submitted(task, users["inspector"])
    other_task = make_task(target, items, [(team["first"], "officer"), (team["second"], "officer")])
    draft = services.do_start_record(other_task, acting_user=users["inspector"])
    _refused("UPDATE fieldwork_itemresult SET record_id = %s WHERE record_id = %s", [draft.pk, sealed.pk])


def test_drafts_stay_writable_by_sql(task, users):
    """The triggers guard sealed rows only: the draft the team is filling must stay editable."""
    record = services.do_start_record(task, acting_user=users["inspector"])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE fieldwork_inspectionrecord SET findings = %s WHERE id = %s", ["草稿", record.pk])
    record.refresh_from_db()
    assert record.findings == "草稿"


@pytest.mark.postgres_only
def test_postgres_also_refuses_deleting_sealed_rows(task, users):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    record = submitted(task, users["inspector"])
    _refused("DELETE FROM fieldwork_signature WHERE record_id = %s", [record.pk])
    _refused("DELETE FROM fieldwork_inspectionrecord WHERE id = %s", [record.pk])


def test_verify_names_what_was_removed_behind_the_seal(task, users):
    """Where the database lets a row go (SQLite cannot refuse DELETE), the seal exposes it."""
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses the deletion itself")
    record = submitted(task, users["inspector"])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM fieldwork_signature WHERE record_id = %s AND role = 'site_manager'", [record.pk])
    problems = sealing.verify(record)
    assert problems == [f"{record.number}：记录现有内容与封存时不一致"]


def test_verify_finds_an_attachment_changed_on_disk(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    attachment = services.do_add_attachment(record, photo(), acting_user=user)
    sign_all(record, user)
    record = services.do_submit_record(record, acting_user=user)
    with open(attachment.file.path, "ab") as handle:
        handle.write(b"tampered")
    assert sealing.verify(record) == [f"{record.number}：附件“现场照片.jpg”与其哈希不符"]
    with translation.override("en"):
        assert sealing.verify(record) == [f"{record.number}: attachment 现场照片.jpg differs from its hash"]


def test_submission_names_every_missing_field(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    with pytest.raises(ValidationError) as caught:
        services.do_submit_record(record, acting_user=users["inspector"])
    errors = caught.value.message_dict
    assert errors["started_at"] == ["请填写检查开始时间"]
    assert errors["findings"] == ["请填写检查情况（未发现问题也请写明）"]
    assert errors["site_manager_name"] == ["请填写现场负责人姓名"]
    first = record.items.order_by("order").first()
    assert errors[f"item-{first.pk}-outcome"] == ["请选择“污染防治设施运行情况”的检查结果"]
    assert "张三 尚未签名" in errors["signatures"]
    assert "现场负责人尚未签名" in errors["signatures"]
    record.refresh_from_db()
    assert not record.is_sealed


def test_a_visit_before_the_task_was_drawn_or_a_phone_that_is_not_one_is_not_sealed(task, users):
    user = users["inspector"]
    earliest = services.earliest_visit(task)
    early = timezone.make_aware(datetime.datetime.combine(earliest - datetime.timedelta(days=1), datetime.time(9)))
    record = fill(services.do_start_record(task, acting_user=user), user, started_at=early,
                  ended_at=early + datetime.timedelta(hours=1), contact_phone="abc123", site_manager_phone="12")
    sign_all(record, user)
    with pytest.raises(ValidationError) as caught:
        services.do_submit_record(record, acting_user=user)
    errors = caught.value.message_dict
    assert errors["started_at"] == [
        f"检查开始时间早于任务所属{task.period}的抽取（最早 {earliest}），请填写实际检查的时间"]
    assert errors["contact_phone"] == ["电话号码只能由数字、空格、+、-、括号组成，分机号用“转”连接"]
    assert errors["site_manager_phone"] == ["电话号码应有 7 到 24 位数字（现为 2 位）"]
    record.refresh_from_db()
    assert not record.is_sealed


def test_problem_details_are_required(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    first = record.items.order_by("order").first()
    fill(record, user)
    services.do_save_draft(record, acting_user=user, values={},
                           items={first.pk: {"outcome": "problem", "handling": Handling.ORDER}})
    sign_all(record, user)
    with pytest.raises(ValidationError) as caught:
        services.do_submit_record(record, acting_user=user)
    assert caught.value.message_dict == {f"item-{first.pk}-notes": ["请记录发现的问题"],
                                         f"item-{first.pk}-deadline": ["责令改正须写明整改期限"]}


def test_an_invalid_credit_code_is_named(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user, credit_code="911306230000000010")
    sign_all(record, user)
    with pytest.raises(ValidationError) as caught:
        services.do_submit_record(record, acting_user=user)
    assert list(caught.value.message_dict) == ["credit_code"]


def test_a_change_after_signing_makes_signatures_stale(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    sign_all(record, user)
    services.do_save_draft(record, acting_user=user, values={"findings": "补充：危废间标识不全。"})
    with pytest.raises(ValidationError) as caught:
        services.do_submit_record(record, acting_user=user)
    assert caught.value.message_dict["signatures"] == [
        "张三 签名后记录又有修改，请重新签名", "李四 签名后记录又有修改，请重新签名",
        "现场负责人签名后记录又有修改，请重新签名"]
    sign_all(record, user)
    assert services.do_submit_record(record, acting_user=user).is_sealed


def test_a_save_of_an_old_revision_is_a_conflict(task, users, team):
    record = services.do_start_record(task, acting_user=users["inspector"])
    services.do_save_draft(record, acting_user=team["partner"], values={"place": "一号车间"}, base_revision=0)
    with pytest.raises(services.DraftConflict) as caught:
        services.do_save_draft(record, acting_user=users["inspector"], values={"place": "二号车间"}, base_revision=0)
    assert caught.value.revision == 1
    record.refresh_from_db()
    assert record.place == "一号车间"


def test_signatures_must_have_ink_and_match_the_revision(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    with pytest.raises(ValidationError, match="签名为空"):
        services.do_sign(record, acting_user=user, png=signature_png(blank=True), revision=record.revision,
                         inspector=user.inspector)
    with pytest.raises(ValidationError, match="PNG"):
        services.do_sign(record, acting_user=user, png=b"GIF89a", revision=record.revision, inspector=user.inspector)
    with pytest.raises(services.DraftConflict):
        services.do_sign(record, acting_user=user, png=signature_png(), revision=record.revision - 1,
                         inspector=user.inspector)
    signature = services.do_sign(record, acting_user=user, png=signature_png(), revision=record.revision,
                                 inspector=user.inspector)
    assert signature.content_hash == sealing.content_hash(record)
    assert Signature.objects.filter(record=record).count() == 1


def test_only_the_team_writes_the_record(task, users, team):
    with pytest.raises(PermissionDenied):
        services.do_start_record(task, acting_user=team["outsider"])
    with pytest.raises(PermissionDenied):
        services.do_start_record(task, acting_user=users["county_admin"])
    record = services.do_start_record(task, acting_user=users["inspector"])
    assert services.do_start_record(task, acting_user=team["partner"]) == record
    with pytest.raises(PermissionDenied):
        services.do_save_draft(record, acting_user=team["outsider"], values={"place": "x"})
    with pytest.raises(PermissionDenied):
        services.do_sign(record, acting_user=users["inspector"], png=signature_png(), revision=record.revision,
                         inspector=team["outsider_inspector"])


def test_off_site_records_need_their_means_and_no_site_manager(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    record = fill(record, user, mode=Mode.OFF_SITE, site_manager_name="")
    sign_all(record, user)
    with pytest.raises(ValidationError) as caught:
        services.do_submit_record(record, acting_user=user)
    assert list(caught.value.message_dict) == ["off_site_means"]
    services.do_save_draft(record, acting_user=user, values={"off_site_means": ["online_monitoring", "metering"]})
    sign_all(record, user)
    record = services.do_submit_record(record, acting_user=user)
    sealed = __import__("json").loads(record.sealed_content)
    assert sealed["content"]["off_site_means"] == ["online_monitoring", "metering"]
    assert [s["role"] for s in sealed["signatures"]] == ["officer", "officer"]
    task.refresh_from_db()
    assert task.inspected_on is None  # only on-site visits count for the half-year coverage


def test_two_certified_officers_must_sign(task, users, team):
    """One officer's certificate has expired by the inspection day: two valid ones are required."""
    team["second"].certificate_expiry = datetime.date(2020, 1, 1)
    team["second"].save()
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    sign_all(record, user)
    with pytest.raises(ValidationError) as caught:
        services.do_submit_record(record, acting_user=user)
    assert caught.value.message_dict["signatures"] == [
        "每次检查须至少2名持有效执法证的执法人员参加并签名（现有1名）"]


def test_a_refusing_site_manager_is_recorded_instead_of_signing(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user, site_manager_refused=True)
    sign_all(record, user)
    with pytest.raises(ValidationError) as caught:
        services.do_submit_record(record, acting_user=user)
    assert list(caught.value.message_dict) == ["site_manager_refusal_note"]
    services.do_save_draft(record, acting_user=user, values={"site_manager_refusal_note": "拒签，村委会主任在场见证"})
    sign_all(record, user)
    assert services.do_submit_record(record, acting_user=user).is_sealed


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_store_one_record(task, users, team):
    """Two phones press 提交 at the same moment: the row lock lets one seal, the other finds it sealed."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user, problem=Handling.ORDER)
    sign_all(record, user)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(actor) -> None:
        try:
            barrier.wait()
            services.do_submit_record(InspectionRecord.objects.get(pk=record.pk), acting_user=actor)
            outcomes.append("sealed")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(actor,)) for actor in (user, team["partner"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("sealed") == 1 and len(outcomes) == 2
    assert "无需重复提交" in next(outcome for outcome in outcomes if outcome != "sealed")
    assert Event.objects.filter(action="record.seal", object_id=str(record.pk)).count() == 1
    assert FollowUp.objects.filter(record_id=record.pk).count() == 1
    assert InspectionRecord.objects.filter(task=task).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_phones_starting_at_once_share_one_draft(task, users, team):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    barrier = threading.Barrier(2)
    numbers: list[int] = []

    def start(actor) -> None:
        try:
            barrier.wait()
            numbers.append(services.do_start_record(task, acting_user=actor).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(actor,)) for actor in (users["inspector"], team["partner"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(numbers)) == 1 and len(numbers) == 2
