"""The byte form in which a record is signed and sealed, and the check that it is still what was sealed.

Format ``shuangsuiji-record/1``: the engine's canonical JSON (``engine.canonical``: sorted keys, no
whitespace, UTF-8, NFC strings, integers only — flags are 0/1, missing values are ""), times in
Asia/Shanghai ISO 8601 to the second, dates ISO.

- The **content** document holds everything the record says: the visit, the mode and means, times and
  place, the target's particulars, each item's result and handling, the findings, the site manager's
  statement, approvals, amendment reason and approval, and every attachment by name, size, time taken
  and SHA-256. Its SHA-256 is what a signature signs (``Signature.content_hash``).
- The **seal** document holds the content, its SHA-256, each signature (role, name, certificate number,
  SHA-256 of the PNG, time, the content hash it signed) and who sealed it when. ``seal_hash`` is the
  SHA-256 of the seal document's bytes, which are kept in ``sealed_content`` and written to the audit
  chain's ``record.seal`` event.

``verify(record)`` rebuilds both documents from the rows and files and names every difference; ``verify_batch``
does so for many records with four queries in all (``verify_records``).
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shuangsuiji.engine import canonical
from shuangsuiji.fieldwork.models import Attachment, InspectionRecord, ItemResult, Signature, task_number

FORMAT = "shuangsuiji-record/1"
CHUNK = 1 << 20


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return canonical.nfc(str(value))


def flag(value: bool) -> int:
    return 1 if value else 0


def person(user) -> str:
    """How a user appears in a sealed document: display name and login, so a rename cannot blur who."""
    if user is None:
        return ""
    return text(f"{user.display_name}（{user.username}）")


def file_sha256(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def content_document(record: InspectionRecord, items: Iterable[ItemResult] | None = None,
                     attachments: Iterable[Attachment] | None = None) -> dict:
    items = list(record.items.order_by("order", "id")) if items is None else list(items)
    attachments = list(record.attachments.order_by("uploaded_at", "id")) if attachments is None else list(attachments)
    approval = record.on_site_approval
    clue = record.on_site_clue
    return {
        "format": FORMAT,
        "number": text(record.number),
        "visit": text(task_number(record.task) if record.task_id else record.recheck.number),
        "visit_kind": "recheck" if record.recheck_id else "task",
        "amends": text(record.amends.number if record.amends_id else ""),
        "amendment": {
            "reason": text(record.amendment_reason),
            "approved_by": person(record.amendment_approved_by),
            "approved_at": text(record.amendment_approved_at),
        },
        "mode": text(record.mode),
        "off_site_means": [text(m) for m in record.off_site_means] if record.mode == "off_site" else [],
        "positive_list": flag(record.positive_list),
        "on_site_approval": {
            "reason": text(approval.reason), "decided_by": person(approval.decided_by),
            "decided_at": text(approval.decided_at), "decision": text(approval.decision),
        } if approval else {},
        "on_site_clue": {
            "id": clue.pk, "found_on": text(clue.found_on), "decided_by": person(clue.decided_by),
            "decided_at": text(clue.decided_at),
        } if clue else {},
        "started_at": text(record.started_at),
        "ended_at": text(record.ended_at),
        "place": text(record.place),
        "target": {
            "credit_code": text(record.credit_code), "name": text(record.target_name),
            "legal_representative": text(record.legal_representative), "contact_name": text(record.contact_name),
            "contact_phone": text(record.contact_phone), "address": text(record.address),
            "permit_number": text(record.permit_number),
        },
        "items": [{
            "order": item.order, "code": text(item.code), "name": text(item.name), "content": text(item.content),
            "outcome": text(item.outcome), "notes": text(item.notes), "handling": text(item.handling),
            "deadline": text(item.deadline), "transfer_to": text(item.transfer_to),
            "rectification": text(item.rectification),
        } for item in items],
        "findings": text(record.findings),
        # only when written: the records sealed before the field existed rebuild to the document they sealed
        **({"early_recheck_statement": text(record.early_recheck_statement)}
           if record.early_recheck_statement else {}),
        "site_manager": {
            "name": text(record.site_manager_name), "position": text(record.site_manager_position),
            "phone": text(record.site_manager_phone), "statement": text(record.site_manager_statement),
            "refused": flag(record.site_manager_refused), "refusal_note": text(record.site_manager_refusal_note),
        },
        "attachments": [{
            "name": text(a.original_name), "size": a.size, "sha256": a.sha256, "taken_at": text(a.taken_at),
            "caption": text(a.caption), "content_type": text(a.content_type),
            # a photo converted at upload (HEIC → JPEG) seals what was sent too, so the phone's original can be
            # matched; only then, so the records sealed before the field existed rebuild to what they sealed
            **({"original": {"content_type": text(a.converted_from), "size": a.original_size,
                             "sha256": a.original_sha256}} if a.converted_from else {}),
        } for a in attachments],
    }


def content_hash(record: InspectionRecord) -> str:
    return canonical.digest(content_document(record))


def signature_entry(signature: Signature) -> dict:
    return {
        "role": text(signature.role), "name": text(signature.name),
        "certificate_number": text(signature.certificate_number), "image_sha256": signature.image_hash,
        "signed_at": text(signature.signed_at), "content_sha256": signature.content_hash,
    }


def seal_document(record: InspectionRecord, content: dict, signatures: Iterable[Signature], sealed_at: datetime,
                  sealed_by) -> dict:
    return {
        "format": FORMAT,
        "content": content,
        "content_sha256": canonical.digest(content),
        "signatures": [signature_entry(s) for s in signatures],
        "sealed_at": text(sealed_at),
        "sealed_by": person(sealed_by),
    }


def seal_bytes(document: dict) -> bytes:
    return canonical.dumps(document)


SIGNING_ORDER = {"officer": 0, "expert": 1, "site_manager": 2}


def in_signing_order(signatures: Iterable[Signature]) -> list[Signature]:
    """The order in which a seal lists signatures: officers, experts, the site manager; each by when it was made."""
    return sorted(signatures, key=lambda s: (SIGNING_ORDER.get(s.role, 9), s.pk))


def ordered_signatures(record: InspectionRecord) -> list[Signature]:
    return in_signing_order(record.signatures.select_related("inspector"))


def verify(record: InspectionRecord) -> list[str]:
    """What no longer matches the seal of ``record`` (empty when it is intact). Reads every attachment."""
    return verify_batch([record])[0]


def verify_batch(records: Sequence[InspectionRecord], *, files: bool = True) -> list[list[str]]:
    """``verify`` of each of ``records``, in order, with four queries for the whole batch whatever its size.

    ``files=False`` does not read the attachments' files: their names, sizes and hashes are still compared with
    the seal, and ``verify_files`` reads every stored file against those hashes (``verify_records --no-files``).

    The items, attachments, signatures and seal events of every record are read in one query each (per record
    they were four to six queries, most of ``verify_records``' time), in the orders the one-record path used, so
    the rebuilt bytes and the problems named are the same. The records should come with the relations the
    content names (``select_related``, as ``verify_records`` does), or each costs its own queries."""
    from shuangsuiji.audit.models import Event

    ids = [record.pk for record in records if record.is_sealed]
    items = _by_record(ItemResult.objects.filter(record_id__in=ids).order_by("record_id", "order", "id"))
    attachments = _by_record(Attachment.objects.filter(record_id__in=ids).order_by("record_id", "uploaded_at", "id"))
    # ordered as record.signatures.all() (the model's ordering), which named bad images in this order
    signatures = _by_record(Signature.objects.filter(record_id__in=ids).order_by("record_id", "role", "id"))
    logged: dict[str, list] = defaultdict(list)
    for object_id, changes in Event.objects.filter(
            action="record.seal", content_type__app_label="fieldwork",
            object_id__in=[str(pk) for pk in ids]).values_list("object_id", "changes"):
        logged[object_id].append(changes)
    return [_verify_one(record, items.get(record.pk, []), attachments.get(record.pk, []),
                        signatures.get(record.pk, []), logged.get(str(record.pk), []), files)
            if record.is_sealed else [] for record in records]


def _by_record(rows: Iterable) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.record_id].append(row)
    return grouped


def _verify_one(record: InspectionRecord, items: list[ItemResult], attachments: list[Attachment],
                signatures: list[Signature], logged: list, files: bool) -> list[str]:
    problems: list[str] = []
    stored = record.sealed_content.encode("utf-8")
    if hashlib.sha256(stored).hexdigest() != record.seal_hash:
        problems.append(_("%(number)s：封存内容与封存哈希不符") % {"number": record.number})
    rebuilt = seal_bytes(seal_document(record, content_document(record, items, attachments),
                                       in_signing_order(signatures),
                                       record.sealed_at, record.sealed_by))
    if rebuilt != stored:
        problems.append(_("%(number)s：记录现有内容与封存时不一致") % {"number": record.number})
    for signature in signatures:
        if hashlib.sha256(bytes(signature.image)).hexdigest() != signature.image_hash:
            problems.append(_("%(number)s：%(name)s 的签名与其哈希不符")
                            % {"number": record.number, "name": signature.name})
    for attachment in attachments if files else ():
        try:
            with attachment.file.open("rb") as handle:
                actual = file_sha256(handle)
        except OSError:
            problems.append(_("%(number)s：附件“%(file)s”已丢失")
                            % {"number": record.number, "file": attachment.original_name})
            continue
        if actual != attachment.sha256:
            problems.append(_("%(number)s：附件“%(file)s”与其哈希不符")
                            % {"number": record.number, "file": attachment.original_name})
    if not any(((changes or {}).get("seal_hash") or [None])[-1] == record.seal_hash for changes in logged):
        problems.append(_("%(number)s：审计日志中没有该封存哈希的封存事件") % {"number": record.number})
    return problems
