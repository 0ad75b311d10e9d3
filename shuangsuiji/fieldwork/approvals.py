"""What waits for a decision, split by who makes it: the 审批 page and the workbench read the same querysets, so the
number a page shows is the number the other counts.

An admin's queue holds three kinds of rows: those he may decide (``mine``), his own requests, which another admin
decides (``own``: nobody approves his own, ``intake.permissions.ensure_not_self``), and the rest he reads but
decides neither (``others``: a county's plan request, which the city decides; a correction of a record his own team
wrote, or its on-site approval, ``fieldwork.permissions.ensure_not_on_team``). Only ``mine`` is his count.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shuangsuiji.fieldwork.models import AmendmentRequest, OnSiteApproval, RequestState, reviewed_in_scope, teams_of
from shuangsuiji.intake.models import Clue, ClueStatus
from shuangsuiji.planning.models import PlanStratum, RedrawRequest, RedrawState, ShortfallState
from shuangsuiji.planning.permissions import approvable_plans
from shuangsuiji.planning.services import clues_awaiting_check
from shuangsuiji.registry.places import PlaceFilter


@dataclass
class Split:
    """One kind of request visible to the user, as the three querysets of the module's docstring."""

    mine: QuerySet
    own: QuerySet
    others: QuerySet


def _split(user, rows: QuerySet, asked_by: str, decides: Q) -> Split:
    own = Q(**{asked_by: user.pk})
    decided = rows.filter(decides)
    # the rest by their ids, not ``exclude(decides)``: excluding an empty condition (``Q()``, everyone) excludes nothing
    return Split(decided.exclude(own), rows.filter(own), rows.exclude(pk__in=decided.values("pk")).exclude(own))


@dataclass
class Queue:
    on_site: Split
    amendments: Split
    clues: Split
    unchecked: Split
    """Approved clues waiting for their 线索核查, which the jurisdiction's admins open: nobody's own request."""
    shortfalls: Split
    redraws: Split

    @property
    def splits(self) -> tuple[Split, ...]:
        return self.on_site, self.amendments, self.clues, self.unchecked, self.shortfalls, self.redraws

    def counts(self) -> tuple[int, int, int]:
        """(his to decide, his own waiting on another, the rest): a few COUNT queries."""
        return (sum(s.mine.count() for s in self.splits), sum(s.own.count() for s in self.splits),
                sum(s.others.count() for s in self.splits))


def admin_queue(user) -> Queue:
    """The pending requests an admin sees (each kind through its ``visible_to``), split by who decides them."""
    everyone = Q()
    not_on_team = ~teams_of(user, "record__task", "record__recheck") if user.inspector_id else everyone
    plans = approvable_plans(user).values("pk")
    clues = Clue.objects.visible_to(user)
    return Queue(
        # a visit's requests are its reviewers' to decide (permissions.reviewers: the bureaus told of it): a county's
        # queue leaves the city's own plans' visits to its firms to the city, as its count of records to review does
        on_site=_split(user, reviewed_in_scope(user, OnSiteApproval.objects.visible_to(user).filter(
            state=RequestState.PENDING), "record__"), "requested_by", not_on_team),
        amendments=_split(user, reviewed_in_scope(user, AmendmentRequest.objects.visible_to(user).filter(
            state=RequestState.PENDING), "record__"), "requested_by", not_on_team),
        clues=_split(user, clues.filter(status=ClueStatus.PENDING), "reported_by", everyone),
        unchecked=Split(clues_awaiting_check(clues), clues.none(), clues.none()),
        shortfalls=_split(user, PlanStratum.objects.visible_to(user).filter(shortfall_state=ShortfallState.PENDING),
                          "shortfall_requested_by", Q(plan__in=plans)),
        redraws=_split(user, RedrawRequest.objects.visible_to(user).filter(state=RedrawState.PENDING),
                       "requested_by", Q(plan__in=plans)),
    )


def narrowed(queue: Queue, chosen: PlaceFilter) -> Queue:
    """The queue of one jurisdiction's own rows, as the workbench's row of that place counts them (the 审批 page's
    ``?jurisdiction=``): the firm's for requests about a firm, the plan's for a plan's; none for a refused place."""

    def only(split: Split, path: str) -> Split:
        return Split(chosen.own(split.mine, path), chosen.own(split.own, path), chosen.own(split.others, path))

    return Queue(on_site=only(queue.on_site, "target__jurisdiction"),
                 amendments=only(queue.amendments, "record__target__jurisdiction"),
                 clues=only(queue.clues, "target__jurisdiction"),
                 unchecked=only(queue.unchecked, "target__jurisdiction"),
                 shortfalls=only(queue.shortfalls, "plan__jurisdiction"),
                 redraws=only(queue.redraws, "plan__jurisdiction"))
