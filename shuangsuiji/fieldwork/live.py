"""What the inspector's phone pages show of his work, as a small snapshot with a version, so an open page learns
that it changed (an admin withdrew a task or replaced him, a new task was dispatched, a team mate submitted the
record) without a push service: the page polls ``views.task_changes``, which answers 304 while the version is the
one the page has (docs/guide/inspector.md, "页面上的任务有变化").

A snapshot is read in a fixed number of queries, whatever the number of tasks, through the same gates as the
pages: ``views._tasks_of`` (planning's ``visible_tasks``) for his tasks, ``Task.objects.visible_to`` for those
he no longer has, ``Recheck.objects.visible_to`` for his re-checks (those the page shows included, so a
re-check's record form learns that a team mate submitted it). A draft's autosaves are not in it: the list shows
"草稿", not the draft's revision, and a team mate typing would otherwise call for a reload every minute.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from shuangsuiji.fieldwork.models import InspectionRecord, Recheck, RecheckStatus, RecheckSubstitution, Signature
from shuangsuiji.planning.models import (
    Substitution,
    SubstitutionKind,
    Task,
    TaskMember,
    TaskStatus,
    team_places,
    told_places,
)

# The most task ids a page may ask about: a phone's list holds its open tasks and its last 20 submitted ones.
MAX_KNOWN = 500

# Why a task the page shows is no longer one of the inspector's open tasks. REDRAWN: his place on the team came
# from a plan's draw that no longer holds the visit (a re-draw approved, or the target substituted in that plan)
# while another plan's draw keeps the task for its own team — not an admin replacing him (REASSIGNED).
# UNBOUND: his login is no longer bound to an officer record, so no task is his. OTHER: anything else; the page
# says the task is no longer on his list (live.js says so too of a task the answer does not name at all).
WITHDRAWN, REASSIGNED, REDRAWN, SEALED, UNBOUND, OTHER = (
    "withdrawn", "reassigned", "redrawn", "sealed", "unbound", "other")
# Why a re-check left: an amendment of its source record no longer orders rectification.
CANCELLED = "cancelled"


def _drafts() -> QuerySet:
    return InspectionRecord.objects.filter(task=OuterRef("pk"), sealed_at__isnull=True)


def open_tasks(tasks: QuerySet) -> QuerySet:
    """The tasks still to be done: no record yet, or a draft (a first record or an amendment) being written."""
    return tasks.filter(~Exists(InspectionRecord.objects.filter(task=OuterRef("pk"))) | Exists(_drafts()))


def snapshot(user, tasks: QuerySet, known: Iterable[int] = (), known_rechecks: Iterable[int] = (),
             record: int | None = None) -> dict:
    """``tasks``: the user's dispatched tasks (``views._tasks_of``). ``known``: the ids of the tasks the page
    shows; each of them that is no longer an open task of his is listed in ``gone`` with the reason — only when he
    was on its team: the answer names nothing he never had. ``known_rechecks``: the same for the re-checks the page
    shows (``rechecks``, ``rechecks_gone``). ``record``: the draft a record form shows; its signatures are in
    ``signatures`` (one more query), so the form shows a team mate's signature, or its removal, without a reload.
    Four queries, five with ``record``."""
    mine = open_tasks(tasks)
    rows = list(mine.annotate(amending=Exists(_drafts().filter(amends__isnull=False)), drafting=Exists(_drafts()))
                .values_list("pk", "deadline", "schedule__planned_on", "drafting", "amending"))
    teams: dict[int, list[int]] = defaultdict(list)
    for task_id, inspector_id in (TaskMember.objects.filter(team_places(), task__in=mine.values("pk"))
                                  .order_by("task_id", "inspector_id").values_list("task_id", "inspector_id")):
        teams[task_id].append(inspector_id)
    current = {
        str(pk): {"record": "amending" if amending else "draft" if drafting else "",
                  "deadline": deadline.isoformat(), "planned": planned.isoformat() if planned else "",
                  "team": sorted(set(teams[pk]))}
        for pk, deadline, planned, drafting, amending in rows}
    gone: dict[str, str] = {}
    missing = sorted({int(pk) for pk in known} - {int(pk) for pk in current})
    if missing and user.inspector_id is None:
        # said of each task the page shows: it tells nothing of the tasks, only that none is his any more
        gone = {str(pk): UNBOUND for pk in missing}
    elif missing:
        # a place he was told of (``told_places``): a task drawn for him but not dispatched is not named
        member = TaskMember.objects.filter(told_places(), task=OuterRef("pk"), inspector_id=user.inspector_id)
        replaced = Substitution.objects.filter(task=OuterRef("pk"), kind=SubstitutionKind.INSPECTOR,
                                               old_inspector_id=user.inspector_id)
        for pk, status, on_team, was_replaced, still_mine in (
                Task.objects.visible_to(user).filter(Exists(member), pk__in=missing)
                .annotate(on_team=Exists(member.filter(active=True)), was_replaced=Exists(replaced),
                          still_mine=Exists(tasks.filter(pk=OuterRef("pk"))))
                .values_list("pk", "status", "on_team", "was_replaced", "still_mine")):
            gone[str(pk)] = (WITHDRAWN if status == TaskStatus.WITHDRAWN
                             else (REASSIGNED if was_replaced else REDRAWN) if not on_team
                             else SEALED if still_mine else OTHER)
    rechecks, rechecks_gone = _rechecks(user, known_rechecks)
    state = {"tasks": current, "gone": gone, "rechecks": rechecks, "rechecks_gone": rechecks_gone}
    if record is not None:
        state["signatures"] = signatures(user, mine, record)
    return {"version": version_of(state), **state}


def signatures(user, mine: QuerySet, record: int) -> dict[str, dict]:
    """The signatures on the draft ``record``, by signer (``inspector:<id>``, ``site_manager``, as the form's rows
    are keyed): its id (the form links to its image), whether it signs the draft's current revision (``ok``) or an
    earlier one (``stale``), and when. Only a draft of one of his open tasks or of a re-check he sees: of any other
    record, nothing. One query; a team mate's autosave changes it only when it makes a signature stale."""
    rows = (Signature.objects.filter(record_id=record, record__sealed_at__isnull=True)
            .filter(Q(record__task__in=mine.values("pk"))
                    | Q(record__recheck__in=Recheck.objects.visible_to(user).values("pk")))
            .annotate(current=F("record__revision"))
            .values_list("pk", "inspector_id", "revision", "current", "signed_at"))
    return {(f"inspector:{inspector}" if inspector else "site_manager"): {
        "id": pk, "state": "ok" if revision == current else "stale",
        "signed_at": timezone.localtime(signed_at).strftime("%m-%d %H:%M")}
        for pk, inspector, revision, current, signed_at in rows}


def _rechecks(user, known: Iterable[int]) -> tuple[dict, dict]:
    """His open re-checks (what the list shows), and why each of ``known`` is no longer one, in one query (two when
    one of ``known`` is no longer his).

    A re-check is open until its record is sealed, and again while an amendment of its record is a draft (as
    ``open_tasks``): the list shows it under "填写中" (``amended_rechecks``), and the amendment's form does not
    say "submitted" when it opens. A known one
    leaves when its record is sealed, or when it is cancelled (an amendment of its source record no longer orders
    rectification: ``services._cancel_rechecks``), its draft included, or when an admin replaced him on it
    (``services.do_substitute_recheck_officer``: "reassigned"); one no longer visible to him for another reason is
    not named, and the form says it is gone (live.js)."""
    known = {int(pk) for pk in known}
    drafts = InspectionRecord.objects.filter(recheck=OuterRef("pk"), sealed_at__isnull=True)
    rows = (Recheck.objects.visible_to(user)
            .filter(Q(status=RecheckStatus.OPEN) | Q(pk__in=known) | amended_rechecks(drafts))
            .annotate(drafting=Exists(drafts), amending=Exists(drafts.filter(amends__isnull=False)))
            .values_list("pk", "due_date", "status", "drafting", "amending"))
    current: dict[str, dict] = {}
    gone: dict[str, str] = {}
    rows = list(rows)
    # one of his the page shows, from which an admin replaced him (services.do_substitute_recheck_officer)
    missing = known - {row[0] for row in rows}
    if missing and user.inspector_id:
        gone.update((str(pk), REASSIGNED) for pk in RecheckSubstitution.objects.filter(
            recheck_id__in=missing, old_inspector_id=user.inspector_id).values_list("recheck_id", flat=True))
    for pk, due, status, drafting, amending in rows:
        if status == RecheckStatus.CANCELLED:
            gone[str(pk)] = CANCELLED
        elif status == RecheckStatus.OPEN or drafting:
            current[str(pk)] = {"record": "amending" if amending else "draft" if drafting else "",
                                "due": due.isoformat()}
        else:
            gone[str(pk)] = SEALED
    return current, gone


def amended_rechecks(drafts: QuerySet | None = None) -> Q:
    """The re-checks done whose record is being corrected (an amendment draft, ``services._create_amendment``): his
    to write again, on his list as an ordinary task's amendment is. ``drafts``: the unsealed records of the re-check
    (``OuterRef("pk")``)."""
    if drafts is None:
        drafts = InspectionRecord.objects.filter(recheck=OuterRef("pk"), sealed_at__isnull=True)
    return Q(Exists(drafts.filter(amends__isnull=False)), status=RecheckStatus.DONE)


def version_of(state: dict) -> str:
    """The snapshot's version: a digest of its canonical JSON (the ETag), so equal content has the same version
    in every process and after a restart."""
    text = json.dumps(state, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]
