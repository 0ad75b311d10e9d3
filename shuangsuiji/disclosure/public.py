"""What the public portal may read, and how its lists are filtered and written out as rows.

The one place the portal pages (``views_public``), their CSV/JSON downloads and the open-data pages get their
data from. Every queryset here starts from a ``published()`` manager (released snapshot rows, plans from their
freeze on) or from active check items; nothing here touches InspectionRecord, Target or Inspector (DESIGN §5).

Each list has a filter form (``ResultFilter``, ``ListFilter``, ``PlanFilter``, ``ItemFilter``) and a function
``results(params) -> (form, queryset)``: an invalid form gives an empty queryset and the form's errors say
which parameter is wrong and why — a typo must never silently list everything. ``row_dict(obj)`` is the
public row of any list item, keyed by stable ids (a result's ``public_id``, a target's credit code, a plan's
id), the same for the downloads and the API; ``COLUMNS`` gives each list's CSV header. ``PublicPaginator`` pages
every list for the portal pages and the API alike (a capped count; the results ids first), and
``jurisdiction_choices`` gives the jurisdiction filter's drill-down choices, never the whole national tree.
"""

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from shuangsuiji import params
from shuangsuiji.disclosure.models import (
    Correction,
    DrawVerification,
    ListedTarget,
    Outcome,
    Publication,
    PublicationKind,
    PublishedResult,
    RedactionBasis,
)
from shuangsuiji.disclosure.services import (
    VERIFIED_REPORT,
    known_results_deadline,
    month_label,
    pending_deadline_note,
    public_values,
)
from shuangsuiji.engine import creditcode
from shuangsuiji.engine.workdays import CalendarUnknownError, quarter_of
from shuangsuiji.fieldwork.models import Handling
from shuangsuiji.fieldwork.models import Outcome as ItemOutcome
from shuangsuiji.intake.services import policy_for
from shuangsuiji.planning import gather
from shuangsuiji.planning.models import Draw, DrawStatus, Plan, PlanKind, stratum_count
from shuangsuiji.planning.services import draw_revealed
from shuangsuiji.punctuation import citation_line, join_semicolon
from shuangsuiji.registry.industry import INDUSTRY, industry_filter, industry_prefixes  # noqa: F401 (tests)
from shuangsuiji.registry.models import CheckItem, Jurisdiction, Level
from shuangsuiji.registry.views import CappedPaginator
from shuangsuiji.systemtext import system_text
from shuangsuiji.textsearch import contains_piece

CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
LOOKS_LIKE_CODE = re.compile(r"[0-9A-Z]{2}[0-9]{6}[0-9A-Z]{10}")
MONTH = re.compile(r"(\d{4})-(\d{1,2})")
DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
INDUSTRY_HELP = _("国民经济行业分类代码的开头，如 C、C26 或 26：带不带门类字母的代码都能查到")


# Columns a results list reads: the search must not drag the JSON columns of 650,000 rows through memory
# for a page of 50; the downloads add the items and problems.
RESULT_LIST_FIELDS = ("id", "public_id", "jurisdiction_name", "credit_code", "target_name", "industry_code",
                      "industry_name", "inspected_on", "plan_id", "plan_label", "outcome", "withheld_basis",
                      "corrected_at", "changed_at", "publication__released_at", "publication__deadline")
"""A results list's columns, with the batch's release and deadline (``release_timing``): read with
``select_related("publication")``, a join in the page's one query."""


# --- filter forms --------------------------------------------------------------------------------------------------


class PublicFilter(forms.Form):
    """A GET filter: blank fields are no filter; a value that cannot be read is an error naming the field."""

    def __init__(self, params=None, **kwargs):
        # Strip spaces people paste around codes; keep only this form's fields.
        data = {name: str(params.get(name, "")).strip() for name in self.base_fields} if params is not None else None
        super().__init__(data, **kwargs)

    def clean_jurisdiction(self) -> Jurisdiction | None:
        code = self.cleaned_data.get("jurisdiction", "")
        if not code:
            return None
        place = Jurisdiction.objects.filter(code=code).only("id", "code", "name", "path").first()
        if place is None:
            raise forms.ValidationError(_("未知的行政区划代码：%(code)s"), params={"code": code})
        return place

    def clean_industry(self) -> str:
        # a code typed with a Chinese input method comes in full width: "Ｃ２６" is C26
        value = unicodedata.normalize("NFKC", self.cleaned_data.get("industry", "")).strip()
        if value and not INDUSTRY.fullmatch(value):
            raise forms.ValidationError(
                _("行业代码前缀应为国民经济行业分类代码的开头（门类字母加数字，或只写数字），如 C、C26 或 26，"
                  "收到“%(value)s”"), params={"value": value})
        return value.upper()

    def active(self) -> dict[str, Any]:
        """The filters in use, for the page's "filtered by" line and the download links."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.data.items() if v}


def chosen_jurisdiction(form: PublicFilter) -> Jurisdiction | None:
    """The place the filter names, if it could be read: a bad month does not lose a good jurisdiction."""
    form.is_valid()  # fills cleaned_data with every field that could be read
    return getattr(form, "cleaned_data", {}).get("jurisdiction")


def jurisdiction_choices(chosen: Jurisdiction | None = None) -> list[tuple[str, str]]:
    """The jurisdiction filter's choices: the tree opened only along the way to ``chosen``.

    Nationally there are ~3,000 places; rendering all of them into every list page cost more than the search
    itself and gave a phone a select nobody can scroll. So the select holds the top level and the children of
    each place on the way to the chosen one (provinces, the chosen province's cities, the chosen city's
    counties; a chosen county shows its siblings): under a hundred options, indented as a tree (``path`` order
    is the tree's depth-first order). Choosing a place and searching opens its children. With nothing chosen,
    a level of one place (a one-province or one-city deployment) is opened at once: a choice of one is none.
    """
    opened = [code for code in chosen.path.split(".") if code] if chosen is not None else []
    while True:
        rows = list(Jurisdiction.objects.filter(Q(parent__isnull=True) | Q(parent__code__in=opened))
                    .order_by("path").values_list("code", "name", "path"))
        if chosen is not None or len(opened) >= 3:
            break
        prefix = "".join(f"{code}." for code in opened)
        deepest = [code for code, _name, path in rows if path.startswith(prefix) and path.count(".") == len(opened) + 1]
        if len(deepest) != 1:
            break
        opened.append(deepest[0])
    return [("", str(_("全部行政区")))] + [(code, "\u3000" * (path.count(".") - 1) + name) for code, name, path in rows]


class ResultFilter(PublicFilter):
    jurisdiction = forms.CharField(label=_("行政区"), required=False)
    month = forms.CharField(label=_("检查月份"), required=False, help_text=_("YYYY-MM"))
    industry = forms.CharField(label=_("行业代码"), required=False, help_text=INDUSTRY_HELP)
    outcome = forms.ChoiceField(label=_("检查结果"), required=False,
                                choices=[("", _("全部结果")), *Outcome.choices],
                                error_messages={"invalid_choice": _(
                                    "检查结果应为 ok（未发现问题）、problem（发现问题）或 withheld（依法不予公开），"
                                    "收到“%(value)s”")})
    q = params.TextField(label=_("单位名称或统一社会信用代码"), required=False, max_length=64)
    # A range of the inspection day the list shows (检查日期), both ends included: a quarter, or the weeks since
    # a complaint, which a month cannot say. The month stays, for the links that carry one.
    inspected_from = forms.CharField(label=_("检查日期从"), required=False, help_text=_("YYYY-MM-DD，含当日"))
    inspected_to = forms.CharField(label=_("检查日期到"), required=False, help_text=_("YYYY-MM-DD，含当日"))
    plan_kind = forms.ChoiceField(
        label=_("计划类型"), required=False, choices=[("", _("全部类型")), *PlanKind.choices],
        error_messages={"invalid_choice": _("计划类型应为 regular（双随机抽查）、joint（内部联合抽查）、"
                                            "clue（线索核查）或 cross（跨部门联合抽查），收到“%(value)s”")})

    # One published plan's results: the plan page links here, and the list links back to the plan.
    plan = params.IntegerField(label=_("抽查计划编号"), required=False, min_value=1, max_value=params.MAX_ID)

    def clean_plan(self) -> Plan | None:
        number = self.cleaned_data.get("plan")
        if number is None:
            return None
        plan = Plan.objects.published().select_related("jurisdiction", "department").filter(pk=number).first()
        if plan is None:
            raise forms.ValidationError(_("没有编号为 %(value)s 的已公开抽查计划"), params={"value": number})
        return plan

    def _day(self, name: str) -> date | None:
        value = self.cleaned_data.get(name, "")
        if not value:
            return None
        match = DAY.fullmatch(value)
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None
        except ValueError:  # 2026-02-30
            day = None
        if day is None or not 2000 <= day.year <= 2100:
            raise forms.ValidationError(_("日期应写作 YYYY-MM-DD，如 2026-03-01，收到“%(value)s”"),
                                        params={"value": value})
        return day

    def clean_inspected_from(self) -> date | None:
        return self._day("inspected_from")

    def clean_inspected_to(self) -> date | None:
        return self._day("inspected_to")

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("inspected_from"), data.get("inspected_to")
        if first and last and first > last:
            self.add_error("inspected_from", forms.ValidationError(
                _("起始日期 %(first)s 晚于截止日期 %(last)s：请对调或改正其中一个"),
                params={"first": first.isoformat(), "last": last.isoformat()}))
        return data

    def clean_month(self) -> tuple[date, date] | None:
        value = self.cleaned_data.get("month", "")
        if not value:
            return None
        match = MONTH.fullmatch(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise forms.ValidationError(_("月份应写作 YYYY-MM，如 2026-03，收到“%(value)s”"), params={"value": value})
        year, month = int(match.group(1)), int(match.group(2))
        return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)


class ListFilter(PublicFilter):
    year = params.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    jurisdiction = forms.CharField(label=_("行政区"), required=False)
    industry = forms.CharField(label=_("行业代码"), required=False, help_text=INDUSTRY_HELP)
    q = params.TextField(label=_("单位名称或统一社会信用代码"), required=False, max_length=64)


class PlanFilter(PublicFilter):
    year = params.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    quarter = params.IntegerField(label=_("季度"), required=False, min_value=1, max_value=4)
    jurisdiction = forms.CharField(label=_("行政区"), required=False)


def _subtree(queryset: QuerySet, field: str, place: Jurisdiction) -> QuerySet:
    # Filter by the jurisdiction ids of the subtree: an indexed IN on the row's own column, no join per row.
    return queryset.filter(**{f"{field}__in": Jurisdiction.objects.filter(path__startswith=place.path)
                              .values("id")})


def searched_code(q: str) -> str:
    """What a search box's text is as a credit code: its canonical spelling (creditcode.normalize), and without
    the spaces of a code copied from a document that groups its characters ("91130609 MAWDEAB00W"), which found
    nothing and was not told why. Only when what remains looks like a code: a name keeps its spaces. (The
    registry's own normalize keeps inner spaces, to report two codes pasted into one cell; a search has one.)"""
    code = creditcode.normalize(q)
    compact = re.sub(r"\s+", "", code)
    return compact if compact != code and LOOKS_LIKE_CODE.fullmatch(compact) else code


def _name_or_code(queryset: QuerySet, q: str, name_field: str, *, public_id: bool = False,
                  chars: bool = False) -> QuerySet:
    # A Chinese input method types letters and digits full-width (９１１３…ＭＡ…) unless switched: a code or a
    # public number is read as its half-width spelling, as the registry reads one (creditcode.normalize). The
    # name keeps its own spelling: folding it would turn a name's full-width brackets （） into ASCII ones.
    code = searched_code(q)
    if CREDIT_CODE.fullmatch(code):
        return queryset.filter(credit_code=code)
    # Only the results' names have an index of their characters (migration 0004): the annual list's short
    # searches walk a year's ordered index and stop at the page (bench/README.md, 25 ms nationally).
    condition = contains_piece(name_field, q, indexed=chars)
    if public_id:
        # Public numbers are written in capitals (JL2026Q1-000001); people type them as they come.
        condition |= Q(public_id__in={q, q.upper(), code})
    return queryset.filter(condition)


def credit_code_hint(q: str) -> str | None:
    """What is wrong with a search that looks like a credit code but is not a valid one, or None.

    A mistyped code finds nothing, and "no published results" then reads as "never inspected": the reader is
    told that the code itself is wrong and where (the check character, a letter the standard does not use)."""
    code = searched_code(q or "")
    if not LOOKS_LIKE_CODE.fullmatch(code):  # 18 letters or digits, the 3rd to 8th a division code
        return None
    problem = creditcode.validate(code)
    if problem is None:
        return None
    return _("“%(code)s”不是有效的统一社会信用代码：%(problem)s。请核对后再查询。") % {
        "code": code, "problem": system_text(problem)}


# --- paging --------------------------------------------------------------------------------------------------------


class PublicPaginator(CappedPaginator):
    """The one pager of the public lists — the portal pages and the API alike.

    Counts at most ``limit`` rows (CappedPaginator: an exact COUNT over a year of national results costs more
    than the page). With ``ids_first`` a page's rows are read ids first: the results' ordered scan must step
    over the rows of batches still in review (the newest ones, tens of thousands nationally in the days after
    a month ends); reading only ids, it stays in the covering index (migration disclosure 0002, no heap
    fetches), and then only the page's rows are read in full.
    """

    def __init__(self, object_list: QuerySet, per_page: int, *, ids_first: bool = False,
                 limit: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.ids_first = ids_first
        if limit is not None:
            self.limit = limit

    def rows(self, start: int, stop: int) -> list:
        """The rows ``[start:stop]`` in the list's order."""
        if not self.ids_first:
            return list(self.object_list[start:stop])
        ids = list(self.object_list.values_list("pk", flat=True)[start:stop])
        found = self.object_list.order_by().in_bulk(ids)
        return [found[pk] for pk in ids]

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        stop = min(start + self.per_page, self.count)
        return self._get_page(self.rows(start, stop), number, self)


# --- the lists -----------------------------------------------------------------------------------------------------


def results(params) -> tuple[ResultFilter, QuerySet]:
    """Released results, newest inspection first, filtered by ``params`` (a QueryDict or dict)."""
    form = ResultFilter(params)
    rows = PublishedResult.objects.published().order_by("-inspected_on", "public_id")
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    if data["jurisdiction"]:
        rows = _subtree(rows, "jurisdiction", data["jurisdiction"])
    if data["month"]:
        rows = rows.filter(inspected_on__gte=data["month"][0], inspected_on__lt=data["month"][1])
    if data["inspected_from"]:
        rows = rows.filter(inspected_on__gte=data["inspected_from"])
    if data["inspected_to"]:
        rows = rows.filter(inspected_on__lte=data["inspected_to"])
    if data["plan"]:
        rows = rows.filter(plan_id=data["plan"].pk)
    if data["plan_kind"]:
        # The kind is the plan's, which the portal publishes from its freeze on: only published plans are read.
        rows = rows.filter(plan_id__in=Plan.objects.published().filter(kind=data["plan_kind"]).values("id"))
    if data["industry"]:
        rows = rows.filter(industry_filter(data["industry"]))
    if data["outcome"]:
        rows = rows.filter(outcome=data["outcome"])
    if data["q"]:
        rows = _name_or_code(rows, data["q"], "target_name", public_id=True, chars=True)
    return form, rows


def _in_change_order(rows: QuerySet, key: str, since: datetime | None, past: tuple[datetime, object] | None
                     ) -> QuerySet:
    """``rows`` ordered by (changed_at, ``key``), from ``since`` on and past the row ``past`` (its change time and
    ``key``): the one sync order that results and plans share."""
    rows = rows.filter(changed_at__isnull=False).order_by("changed_at", key)
    if since is not None:
        rows = rows.filter(changed_at__gte=since)
    if past is not None:
        moment, last = past
        # The range on changed_at alone is what the index can seek to; the OR then skips the rows of the same
        # moment up to the last one read (a batch's rows share its release time).
        rows = rows.filter(changed_at__gte=moment).filter(Q(changed_at__gt=moment) | Q(**{f"{key}__gt": last}))
    return rows


def changed_results(rows: QuerySet, *, since: datetime | None = None,
                    past: tuple[datetime, str] | None = None) -> QuerySet:
    """``rows`` of ``results`` in the order of their last change (oldest first, then public id): what a copy kept
    in sync reads. From ``since`` on when given; with ``past`` (a row's change time and public id), only the rows
    after that row in this order — a page that starts where the last one ended, whatever was published meanwhile
    (a release or a correction moves its rows to the end, past every row read so far).

    Rows without a change time (batches not yet released) have no place in the order and are left out; the
    ``published()`` gate of ``results`` stays in force. Reads the index (changed_at, public_id) (disclosure 0005)."""
    return _in_change_order(rows, "public_id", since, past)


def changed_plans(rows: QuerySet, *, since: datetime | None = None,
                  past: tuple[datetime, int] | None = None) -> QuerySet:
    """``rows`` of ``plans`` in the order of their last public change (``Plan.changed_at``, oldest first, then id),
    as ``changed_results`` reads the results: from ``since`` on, and past the row ``past`` (its change time and id).
    Reads the index (changed_at, id) (planning 0004)."""
    return _in_change_order(rows, "id", since, past)


def latest_list_year() -> int | None:
    return (Publication.objects.published().filter(kind=PublicationKind.ANNUAL_LIST)
            .order_by("-year").values_list("year", flat=True).first())


def listed_targets(params, *, default_year: bool = True) -> tuple[ListFilter, QuerySet]:
    """Rows of released annual lists; without ``year`` the latest year that has one (the page's "this year")."""
    form = ListFilter(params)
    rows = ListedTarget.objects.published().select_related("publication").order_by(
        "-year", "jurisdiction_code", "credit_code", "id")
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    year = data["year"] or (latest_list_year() if default_year else None)
    if year:
        rows = rows.filter(year=year)
    if data["jurisdiction"]:
        rows = _subtree(rows, "publication__jurisdiction", data["jurisdiction"])
    if data["industry"]:
        rows = rows.filter(industry_filter(data["industry"]))
    if data["q"]:
        rows = _name_or_code(rows, data["q"], "name")
    return form, rows


def public_draws() -> QuerySet:
    """Draws whose inputs have been frozen (an open draw without a hash has nothing public yet)."""
    return Draw.objects.exclude(status=DrawStatus.OPEN, inputs_hash="").order_by("number")


def listed_draws() -> QuerySet:
    """``public_draws`` for a list of plans: their hashes and whether each has a manifest (``has_manifest``),
    without the frozen inputs and the manifest themselves — megabytes a city's draw, which a list of plans
    decoded for every draw and never showed."""
    return public_draws().defer("inputs", "manifest", "public").annotate(has_manifest=Q(manifest__isnull=False))


def plans(params, *, item_codes: bool = True) -> tuple[PlanFilter, QuerySet]:
    """The published plans, filtered by ``params``. ``item_codes``: with each plan's check items' codes
    prefetched, for the rows that show them (the downloads and the API); the plans page does not show them and
    passes False, saving the query."""
    form = PlanFilter(params)
    rows = (Plan.objects.published().select_related("jurisdiction", "department")
            .prefetch_related("strata", Prefetch("draws", queryset=listed_draws()))
            .order_by("-year", "-quarter", "jurisdiction__path", "kind", "id"))
    if item_codes:
        rows = rows.prefetch_related(Prefetch("check_items", queryset=CheckItem.objects.only("id", "code")))
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    if data["year"]:
        rows = rows.filter(year=data["year"])
    if data["quarter"]:
        rows = rows.filter(quarter=data["quarter"])
    if data["jurisdiction"]:
        rows = _subtree(rows, "jurisdiction", data["jurisdiction"])
    return form, rows


class ItemFilter(PublicFilter):
    jurisdiction = forms.CharField(label=_("行政区"), required=False)


def check_items(params=None) -> tuple[ItemFilter, QuerySet]:
    """The items in use; with ``jurisdiction``, those that apply there: its own list and its ancestors' (each
    city keeps a list, so nationally there are thousands, and a reader wants the ones of his place)."""
    form = ItemFilter(params if params is not None else {})
    rows = (CheckItem.objects.filter(is_active=True).select_related("jurisdiction", "responsible_department")
            .order_by("code", "id"))
    if not form.is_valid():
        return form, rows.none()
    place = form.cleaned_data["jurisdiction"]
    if place:
        rows = rows.filter(jurisdiction__code__in=[*place.ancestor_codes(), place.code])
    return form, rows


# --- verification status -------------------------------------------------------------------------------------------


@dataclass
class DrawStatusRow:
    draw: Draw
    state: str  # "sealed" | "unchecked" | "verified" | "failed"
    checked_at: Any
    report: str

    @property
    def label(self) -> str:
        return str({"sealed": _("已封存，待公开后验证"), "unchecked": _("已公开，待验证"),
                    "verified": _("验证通过"), "failed": _("验证未通过")}[self.state])


def draw_status(draw: Draw) -> DrawStatusRow:
    """A draw's verification state as the public may see it: before the reveal only "sealed", whatever the
    server may have checked (its report would name what is still secret)."""
    if not draw_revealed(draw):
        return DrawStatusRow(draw, "sealed", None, "")
    checks = list(draw.verifications.all())
    if not checks:
        return DrawStatusRow(draw, "unchecked", None, "")
    latest = checks[0]
    if latest.ok:
        return DrawStatusRow(draw, "verified", latest.checked_at, str(VERIFIED_REPORT))
    return DrawStatusRow(draw, "failed", latest.checked_at, latest.report)


def verification(params) -> tuple[PlanFilter, QuerySet]:
    """The draws of the published plans ``params`` filter, for a status row each (``draw_status``).

    A queryset, not the rows: every plan of every quarter has a draw, so nationally the list grows by some
    24,000 a year; the page and the API page it and make the status rows of one page only."""
    form, plan_rows = plans(params)
    draws = (Draw.objects.filter(plan__in=plan_rows.values("id"), manifest__isnull=False)
             # the frozen inputs and the manifest are the bulk of a draw row and the status needs neither
             .defer("inputs", "manifest", "public")
             .select_related("plan__jurisdiction", "plan__department")
             .prefetch_related(Prefetch("verifications", queryset=DrawVerification.objects.order_by(
                 "-checked_at", "-id")))
             .order_by("-plan__year", "-plan__quarter", "plan__jurisdiction__path", "plan_id", "number"))
    return form, draws


# --- one result, one target ----------------------------------------------------------------------------------------

MASK_COVERS = {"industry": ("industry_code", "industry_name")}


CORRECTED_DESCRIPTION = _("〔原描述已更正，不再公开〕")
LATER_CORRECTED_DESCRIPTION = _("〔其后再次更正，不再公开〕")
"""Shown in place of a problem description that is no longer the published one (docs/publication.md): the text
a correction replaced, and the text a correction put in that a later one replaced in turn."""


def _hidden_now(values: dict[str, Any], result: PublishedResult) -> dict[str, Any]:
    """A correction's "before" or "after" with whatever the result as published now hides shown as it is now.

    A redaction decided after a correction (a rule for the target's industry, a case withholding the whole
    result) applies to the result's history as well: otherwise an earlier correction would go on publishing,
    on both of its sides, the name or the description that the redaction hides."""
    masked = {note.get("field") for note in result.redactions or []}
    if "*" in masked or result.outcome == Outcome.WITHHELD:
        hidden = set(values) - {"redactions", "withheld_basis", "inspected_on", "plan_id"}
    else:
        hidden = {key for field in masked for key in MASK_COVERS.get(field, (field,))}
    if not hidden & set(values):
        return dict(values)
    now = public_values(result)
    return {key: now[key] if key in hidden and key in now else value for key, value in values.items()}


def shown_before(correction: Correction) -> dict[str, Any]:
    """A correction's "before" that does not bring back what its "after" or the result as published now
    withholds or masks, nor a problem description that is no longer published."""
    before = _hidden_now(correction.before, correction.result)
    after = _hidden_now(correction.after, correction.result)
    masked = {note.get("field") for note in after.get("redactions") or []}
    if "*" in masked or after.get("outcome") == Outcome.WITHHELD:
        return shown_after(correction)
    shown = dict(before)
    for field in masked:
        for key in MASK_COVERS.get(field, (field,)):
            if key in after:
                shown[key] = after[key]
    if "problems" in shown:
        shown["problems"] = _published_descriptions(shown["problems"], after.get("problems"),
                                                    correction.result.problems)[0]
    return shown


def shown_after(correction: Correction) -> dict[str, Any]:
    """A correction's "after" as the public may read it: a later correction may have replaced a description, a
    later redaction masked a field or withheld the result."""
    after = _hidden_now(correction.after, correction.result)
    if "problems" in after:
        after["problems"] = _published_descriptions(after["problems"], after["problems"],
                                                    correction.result.problems)[1]
    return after


def _published_descriptions(before: list[dict] | None, after: list[dict] | None, current: list[dict]
                            ) -> tuple[list[dict], list[dict]]:
    """A correction's problems before and after, each description that is not the one published now (at the same
    place in the list) replaced by a notice.

    A description is corrected mostly because it told what it should not — a person's name, a trade secret —
    so the public learns that it changed, when and why, never the old words. The text a correction put in may be
    replaced by a later one, so the rule holds for the "after" of older corrections too. A description a
    correction left as it was gets the same text or notice on both sides, so it does not read as changed.
    The staff's history and the audit log keep both texts."""

    def text(problems: list[dict] | None, n: int) -> str | None:
        return problems[n].get("description") if problems and n < len(problems) else None

    def hide(problems: list[dict] | None, notice) -> list[dict]:
        shown = []
        for n, problem in enumerate(problems or []):
            own = problem.get("description")
            if own and own != text(current, n):
                # Left as it was by this correction: what its "after" shows; changed by it: the text replaced.
                unchanged = own == text(after, n)
                problem = dict(problem, description=str(LATER_CORRECTED_DESCRIPTION if unchanged else notice))
            shown.append(problem)
        return shown

    return hide(before, CORRECTED_DESCRIPTION), hide(after, LATER_CORRECTED_DESCRIPTION)


CORRECTION_LABELS = {
    "credit_code": _("统一社会信用代码"), "target_name": _("单位名称"), "industry_code": _("行业代码"),
    "industry_name": _("行业名称"), "inspected_on": _("检查日期"), "plan_label": _("抽查计划"),
    "plan_id": _("计划编号"), "mode": _("检查方式"), "items": _("抽查事项"), "outcome": _("检查结果"),
    "problems": _("发现的问题及处理"), "redactions": _("隐去的内容"), "withheld_basis": _("不予公开依据"),
}


def correction_changes(correction: Correction) -> list[dict[str, Any]]:
    """What a correction changed, field by field, as the public may read it."""
    return _changes(shown_before(correction), shown_after(correction))


def staff_correction_changes(correction: Correction) -> list[dict[str, Any]]:
    """What a correction changed with nothing left out: for the bureau's own history, never the portal."""
    return _changes(correction.before, correction.after)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for key in after:
        if before.get(key) != after.get(key) and key in CORRECTION_LABELS:
            changes.append({"field": key, "label": CORRECTION_LABELS[key],
                            "before": _plain(key, before.get(key), page=True),
                            "after": _plain(key, after.get(key), page=True)})
    return changes


def _plain(key: str, value: Any, *, page: bool = False) -> str:
    """A value of a result as one line. On a ``page`` the words the system stored for a code (an item's outcome,
    a problem's handling) and the punctuation are the reader's; a download's cell keeps them as published. A
    Chinese page reads the same either way."""
    if value in (None, "", []):
        return "—"
    if key == "outcome":
        return str(Outcome(value).label) if value in Outcome.values else str(value)
    if key == "withheld_basis":
        return basis_label(value)
    chinese = not page or (translation.get_language() or "").startswith("zh")
    colon, semicolon = ("：", "；") if chinese else (": ", "; ")
    said = stored_label if page else (lambda text, _choices: text)
    if key == "check_items":
        return ITEM_CODES_SEPARATOR.join(value)
    if key == "items":
        return semicolon.join(f"{i.get('name', '')}{colon}{said(i.get('outcome', ''), ItemOutcome)}" for i in value)
    if key == "problems":
        return semicolon.join(
            f"{p.get('item', '')}{colon}{p.get('description', '')}{'（' if chinese else ' ('}"
            f"{said(p.get('handling', ''), Handling)}{' ' + p['decision_number'] if p.get('decision_number') else ''}"
            f"{'）' if chinese else ')'}" for p in value)
    if key == "redactions":
        return semicolon.join(f"{redaction_field_label(n.get('field', ''))}{colon}{basis_label(n.get('basis', ''))}"
                              for n in value)
    return str(value)


def stored_label(text: str, choices) -> str:
    """A choice's label stored in the system's language (a snapshot row keeps 现场检查, 未发现问题), in the
    reader's: the English portal showed the Chinese words. Anything else is shown as stored."""
    with translation.override(settings.LANGUAGE_CODE):
        stored = {str(label): value for value, label in choices.choices}
    value = stored.get(text)
    return str(choices(value).label) if value is not None else text


def readable_items(items: list[dict]) -> list[dict[str, Any]]:
    """A result's check items for its page: each outcome in the reader's language and whether it is a problem
    (set apart on the page: one problem among seventeen items must not look like the rest)."""
    with translation.override(settings.LANGUAGE_CODE):
        problem = str(ItemOutcome.PROBLEM.label)
    return [{"name": item.get("name", ""), "outcome": stored_label(item.get("outcome", ""), ItemOutcome),
             "problem": item.get("outcome") == problem} for item in items]


def readable_problems(problems: list[dict]) -> list[dict[str, Any]]:
    """A result's problems for its page, each handling in the reader's language (stored as its Chinese label,
    立案处罚); the item, the description and the decision's number as published."""
    return [dict(problem, handling=stored_label(problem.get("handling", ""), Handling)) for problem in problems]


def basis_label(basis: str) -> str:
    return str(RedactionBasis(basis).label) if basis in RedactionBasis.values else basis


# The article of the 政府信息公开条例 (2019) each basis rests on: 第十四条 withholds state secrets and what laws and
# administrative regulations forbid to publish; 第十五条 trade secrets and personal privacy (a third party's rights).
# The page cited "第十四、十五条" for every basis, so a reader of a privacy case was sent to the state-secret article.
_BASIS_ARTICLES = {
    RedactionBasis.STATE_SECRET: _("《政府信息公开条例》第十四条"),
    RedactionBasis.LAW: _("《政府信息公开条例》第十四条"),
    RedactionBasis.COMMERCIAL_SECRET: _("《政府信息公开条例》第十五条"),
    RedactionBasis.PRIVACY: _("《政府信息公开条例》第十五条"),
}


def basis_article(basis: str) -> str:
    """The article a stored basis rests on, in the reader's language; "" for a basis the model no longer knows
    (then the page shows the stored basis alone rather than guess an article)."""
    article = _BASIS_ARTICLES.get(basis) if basis in RedactionBasis.values else None
    return str(article) if article is not None else ""


def strata_counts(strata: Iterable[Any]) -> str:
    """The planned numbers of a plan's drawn strata, one phrase each, as the public lists show them."""
    return join_semicolon(stratum_count(s.stratum, s.requested) for s in strata)


def redaction_field_label(field: str) -> str:
    from shuangsuiji.disclosure.models import MASKABLE_FIELDS

    return str(_("整条结果")) if field == "*" else str(MASKABLE_FIELDS.get(field, field))


def _readable(key: str) -> bool:
    """Whether a key from a URL can be looked up: PostgreSQL refuses a text holding NUL (a 500, where the page
    has to say that nothing was found)."""
    return "\x00" not in key


def result(public_id: str) -> PublishedResult | None:
    """The published result of a public number, written as people type one (jl2026q4-005090, full width): the
    search box read it so, and the same number in the address bar was a 404."""
    if not _readable(public_id):
        return None
    return (PublishedResult.objects.published().select_related("publication__jurisdiction")
            .filter(public_id=creditcode.normalize(public_id)).first())


@dataclass
class ReleaseTiming:
    """When a published result's batch was released against the month's deadline (附件 二(四): 10 working days
    after the month). ``deadline`` is the batch's, set when it was prepared by ``services.results_deadline`` (the
    plan page's results deadlines come from the same function), and ``late`` is ``Publication.is_overdue``, as
    the staff's overview and the portal's home page flag the batch: one deadline, one test."""

    released_on: date
    deadline: date
    late: bool


def release_timing(batch: Publication) -> ReleaseTiming:
    """``ReleaseTiming`` of a released batch (a published result's ``publication``)."""
    return ReleaseTiming(timezone.localdate(batch.released_at), batch.deadline, batch.is_overdue())


def mark_late_releases(rows: list[PublishedResult]) -> list[PublishedResult]:
    """Give each row of a results list its batch's ``release_timing`` (``row.release``); the rows are read with
    ``RESULT_LIST_FIELDS`` and their publication joined."""
    for row in rows:
        row.release = release_timing(row.publication)
    return rows


def corrections(result_row: PublishedResult) -> list[Correction]:
    found = list(Correction.objects.published().filter(result=result_row).order_by("corrected_at", "id"))
    for correction in found:
        correction.result = result_row  # what they show depends on the result as published now
    return found


def target_history(credit_code: str) -> tuple[QuerySet, QuerySet]:
    """A target's published results and its annual-list rows, by credit code. Results masked to hide the code
    do not carry it, so they are not found here — which is the point of masking it."""
    code = credit_code.upper()
    found = (PublishedResult.objects.published().filter(credit_code=code).select_related("publication")
             .only(*RESULT_LIST_FIELDS)
             .order_by("-inspected_on", "public_id"))
    listed = (ListedTarget.objects.published().filter(credit_code=code).select_related("publication")
              .order_by("-publication__year", "id"))
    if not _readable(code):
        return found.none(), listed.none()
    return found, listed


def names_for(credit_codes: list[str], year: int) -> dict[str, str]:
    """Names of selected targets for a revealed plan page, from the published annual lists (the plan's year
    first). The manifest names targets by credit code only; the registry is not read here."""
    names: dict[str, str] = {}
    rows = (ListedTarget.objects.published().filter(credit_code__in=credit_codes)
            .order_by("-publication__year").values_list("credit_code", "name", "publication__year"))
    for code, name, row_year in rows:
        if code not in names or row_year == year:
            names[code] = name
    return names


# --- rows ------------------------------------------------------------------------------------------------------------


def instant(moment: datetime | None) -> str:
    """A moment as ISO 8601 in the system's time zone (+08:00), as the API's serializers write it; "" for none.
    Stored moments are UTC: written as they are, one download said 01:30+00:00 where the API said 09:30+08:00."""
    return timezone.localtime(moment).isoformat() if moment else ""


def _result_row(r: PublishedResult, *, full: bool) -> dict[str, Any]:
    row = {
        "public_id": r.public_id, "jurisdiction": r.jurisdiction_name, "credit_code": r.credit_code,
        "target_name": r.target_name, "industry_code": r.industry_code, "industry_name": r.industry_name,
        "inspected_on": r.inspected_on.isoformat(), "plan_id": r.plan_id, "plan": r.plan_label,
        "outcome": r.outcome, "outcome_label": str(Outcome(r.outcome).label),
        "withheld_basis": basis_label(r.withheld_basis) if r.withheld_basis else "",
        "corrected_at": instant(r.corrected_at), "changed_at": instant(r.changed_at),
    }
    if full:
        row["items"] = r.items
        row["problems"] = r.problems
        row["redactions"] = [{"field": n.get("field", ""), "basis": basis_label(n.get("basis", ""))}
                             for n in r.redactions]
    return row


def row_dict(obj: Any, *, full: bool = True) -> dict[str, Any]:
    """The public row of a list item (a result, an annual-list row, a plan, a check item, a draw status)."""
    if isinstance(obj, PublishedResult):
        return _result_row(obj, full=full)
    if isinstance(obj, ListedTarget):
        return {"year": obj.publication.year, "credit_code": obj.credit_code, "name": obj.name,
                "jurisdiction_code": obj.jurisdiction_code, "jurisdiction": obj.jurisdiction_name,
                "industry_code": obj.industry_code, "industry_name": obj.industry_name, "address": obj.address,
                "is_key_unit": obj.is_key_unit}
    if isinstance(obj, Plan):
        draw = next((d for d in obj.draws.all() if d.status != DrawStatus.SUPERSEDED), None)
        revealed = draw is not None and draw_revealed(draw, obj)  # a re-draw after the reveal keeps its secret
        return {"id": obj.pk, "title": str(obj), "kind": obj.get_kind_display(),
                "jurisdiction_code": obj.jurisdiction.code, "jurisdiction": obj.jurisdiction.name,
                "year": obj.year, "quarter": obj.quarter,
                "status": obj.get_status_display(),
                "requested": sum(s.requested for s in obj.strata.all() if s.drawn),
                "inputs_hash": draw.inputs_hash if draw else "", "commitment": draw.commitment if draw else "",
                "public_value": draw.public_value if draw else "",
                "drawn_at": instant(draw.drawn_at if draw else None),
                "revealed_at": instant(obj.revealed_at),
                "secret": draw.secret if draw and revealed else "", "changed_at": instant(obj.changed_at),
                # the items' codes as they stand in the registry (prefetched by ``plans``), in code order
                "check_items": [item.code for item in obj.check_items.all()]}
    if isinstance(obj, CheckItem):
        return {"code": obj.code, "name": obj.name, "legal_basis": obj.legal_basis, "content": obj.content,
                "jurisdiction": obj.jurisdiction.name, "list_level": obj.get_list_level_display(),
                "responsible_department": obj.responsible_department.name, "check_method": obj.check_method,
                "applies_general": obj.applies_general, "applies_key": obj.applies_key,
                "applies_special": obj.applies_special, "industries": obj.industries}
    if isinstance(obj, DrawStatusRow):
        return {"plan_id": obj.draw.plan_id, "plan": str(obj.draw.plan), "draw": obj.draw.number,
                "draw_status": obj.draw.get_status_display(), "state": obj.state, "state_label": obj.label,
                "checked_at": instant(obj.checked_at),
                "revealed_at": instant(obj.draw.plan.revealed_at)}
    raise TypeError(f"no public row for {type(obj).__name__}")


COLUMNS: dict[str, list[tuple[str, Any]]] = {
    "results": [("public_id", _("公开编号")), ("jurisdiction", _("行政区")), ("credit_code", _("统一社会信用代码")),
                ("target_name", _("单位名称")), ("industry_code", _("行业代码")), ("industry_name", _("行业名称")),
                ("inspected_on", _("检查日期")), ("plan_id", _("计划编号")), ("plan", _("抽查计划")),
                ("outcome_label", _("检查结果")), ("problems", _("发现的问题及处理")),
                ("withheld_basis", _("不予公开依据")), ("redactions", _("隐去的内容")),
                ("corrected_at", _("最近更正时间")), ("changed_at", _("最近变更时间"))],
    "list": [("year", _("年度")), ("credit_code", _("统一社会信用代码")), ("name", _("单位名称")),
             ("jurisdiction_code", _("行政区划代码")), ("jurisdiction", _("行政区")), ("industry_code", _("行业代码")),
             ("industry_name", _("行业名称")), ("address", _("地址")), ("is_key_unit", _("重点排污单位"))],
    "plans": [("id", _("计划编号")), ("title", _("计划")), ("kind", _("类型")),
              ("jurisdiction_code", _("行政区划代码")), ("year", _("年度")), ("quarter", _("季度")),
              ("status", _("状态")), ("requested", _("计划抽查数")),
              ("inputs_hash", _("输入哈希")), ("commitment", _("密钥承诺")), ("public_value", _("公开随机数")),
              ("drawn_at", _("抽取时间")), ("revealed_at", _("公开时间")), ("secret", _("密钥")),
              ("changed_at", _("最近变更时间")), ("check_items", _("抽查事项编码"))],
    "items": [("code", _("事项编码")), ("name", _("抽查事项")), ("legal_basis", _("检查依据")),
              ("content", _("检查内容")), ("jurisdiction", _("制定机关所在行政区")),
              ("responsible_department", _("责任科室")), ("industries", _("适用行业")),
              ("check_method", _("检查方式"))],
    "verification": [("plan_id", _("计划编号")), ("plan", _("计划")), ("draw", _("第几次抽取")),
                     ("draw_status", _("抽取状态")), ("state_label", _("验证状态")), ("checked_at", _("验证时间")),
                     ("revealed_at", _("公开时间"))],
}


ITEM_CODES_SEPARATOR = "; "
"""Between the check items' codes of a plan in one CSV cell: readable in a spreadsheet, split by a script on this
text (an item's code is a short code such as BD-HJ-001, never a sentence). The JSON keeps the list."""

COLUMN_NOTES: dict[str, dict[str, Any]] = {
    "plans": {"check_items": _("计划所列抽查事项的编码，按编码排列，多个时以英文分号和空格“; ”隔开（JSON 中为数组）；"
                               "事项的名称见随机抽查事项清单")},
}
"""How a download's column is written where one cell holds several values (the open-data page shows it)."""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes Excel (and LibreOffice) read a CSV cell as a formula when the file is opened."""


def csv_cell(key: str, value: Any) -> str:
    """A CSV cell: lists of problems or notes as one readable line, flags as 是/否. A text that Excel would run
    as a formula (a name or finding typed "=HYPERLINK(…)", "@SUM(…)", "-1+…") gets a leading apostrophe, as
    OWASP advises: the CSV is made to be opened in Excel (its BOM), by anyone who downloads it. The JSON keeps
    every value as it is."""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list):
        text = _plain(key, value) if value else ""
    elif isinstance(value, str):
        text = value
    else:
        return "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --- a quarter's plans, place by place -----------------------------------------------------------------------------


# What a place that owes a plan kind has not published, in a citizen's words (one line each).
MISSING_KIND = {
    PlanKind.REGULAR: _("尚未公开本季度的双随机抽查计划"),
    PlanKind.JOINT: _("尚未公开本季度的内部联合抽查计划"),
}


@dataclass
class PlanTiming:
    """When a plan of the overview met 实施方案 二(四)'s "确定…抽查对象及抽查数量并在系统平台发布": the day of its
    first draw (``published_on``, local), which fixes the targets and publishes the sealed list; the freeze only
    publishes the counts. A re-draw the city allowed later does not move that day, as a correction does not make
    a released result late (docs/publication.md). ``late``: that day is after the deadline, or the deadline has
    passed with no draw at all (``published_on`` None)."""

    plan: Plan
    published_on: date | None
    late: bool
    deadline: date | None = None


def first_drawn_on(plan: Plan) -> date | None:
    """The local day of the plan's first draw among its published draws (superseded ones too: they stay
    published), or None before any draw. Reads ``plan.draws`` as prefetched."""
    days = [timezone.localtime(draw.drawn_at).date() for draw in plan.draws.all() if draw.drawn_at is not None]
    return min(days, default=None)


@dataclass
class PlaceQuarter:
    """One place of a quarter's overview: the plans it has published and the kinds it owes but has not
    published (``missing``, in the order the policy lists them; empty: nothing owed is missing)."""

    place: Jurisdiction
    plans: list[Plan]
    missing: list[str] = dataclasses.field(default_factory=list)
    timings: list[PlanTiming] = dataclasses.field(default_factory=list)

    @property
    def late(self) -> list[PlanTiming]:
        """Its published plans that were published (drawn) after the deadline, or not drawn by it."""
        return [timing for timing in self.timings if timing.late]

    @property
    def gaps(self) -> list[str]:
        """Each missing kind said in words (``MISSING_KIND``)."""
        return [str(MISSING_KIND[kind]) for kind in self.missing]


@dataclass
class QuarterOverview:
    """Every county of a city (and the city itself) for one quarter, with the plans each has published.

    Read from the published plans and the jurisdiction tree, both public: a county that published nothing is
    listed too, so the public sees that it is missing, and whether the day by which the quarter's targets were
    to be set and published has passed (实施方案 二(四): within the last working days of the quarter before;
    the draw window of ``engine.workdays``). ``deadline`` is None when it cannot be known (no policy in force,
    a year whose holidays are not entered), with ``deadline_problem`` saying why."""

    city: Jurisdiction
    year: int
    quarter: int
    places: list[PlaceQuarter]
    deadline: date | None
    citation: str
    workdays: int
    late: bool
    deadline_problem: str = ""
    joint_per_quarter: int = 0
    joint_citation: str = ""

    @property
    def missing(self) -> int:
        """Places that owe a plan they have not published: a joint plan alone does not stand for the regular one."""
        return len(self.short)

    @property
    def short(self) -> list[PlaceQuarter]:
        return [row for row in self.places if row.missing]

    @property
    def late_plans(self) -> list[PlanTiming]:
        """Published plans that met the deadline late or not at all, place by place (the summary counts them)."""
        return [timing for row in self.places for timing in row.late]

    @property
    def late_places(self) -> list[PlaceQuarter]:
        return [row for row in self.places if row.late]

    @property
    def rows(self) -> list[PlaceQuarter]:
        """The places as the table lists them: those short of a plan first (on a phone the list is two dozen
        rows long, and what a reader looks for is who is missing), then those with a plan published late, then
        the others, each in the tree's order."""
        return (self.short + [row for row in self.places if row.late and not row.missing]
                + [row for row in self.places if not row.missing and not row.late])


def _overview_city(form: PlanFilter) -> Jurisdiction | None:
    """The city whose counties the overview lists: the one chosen, a chosen county's, or the only one there is."""
    chosen = chosen_jurisdiction(form)
    if chosen is not None and chosen.level == Level.COUNTY:
        return chosen.parent
    if chosen is not None and chosen.level == Level.CITY:
        return chosen
    cities = Jurisdiction.objects.filter(level=Level.CITY)
    if chosen is not None:
        cities = cities.filter(path__startswith=chosen.path)
    found = list(cities.order_by("path")[:2])
    return found[0] if len(found) == 1 else None


def overview_quarter(form: PlanFilter, today: date) -> tuple[int, int] | None:
    """The quarter the overview is of: the one the filter names; with neither year nor quarter, today's; a year
    alone names four quarters, and the overview is of one."""
    if not form.is_valid():
        return None
    year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    if year and not quarter:
        return None
    return (year or today.year), (quarter or quarter_of(today))


def quarter_overview(form: PlanFilter, today: date) -> QuarterOverview | None:
    """The overview of the quarter and city the plans filter names (``overview_quarter``, ``_overview_city``)."""
    period = overview_quarter(form, today)
    city = _overview_city(form) if period else None
    if city is None:
        return None
    year, quarter = period
    places = [city, *Jurisdiction.objects.filter(parent=city, level=Level.COUNTY).order_by("path")]
    return places_quarter(city, places, year, quarter, today)


def places_quarter(city: Jurisdiction, places: list[Jurisdiction], year: int, quarter: int,
                   today: date) -> QuarterOverview:
    """The overview of ``places`` (the city and its counties, or fewer: the staff's 完成情况 page gives a county
    admin his own county) for one quarter: what each has published, what it owes and has not, and which plans
    met the deadline late. The portal's overview and the staff's completion page both read it."""
    found: dict[int, list[Plan]] = {place.pk: [] for place in places}
    for plan in (Plan.objects.published().filter(year=year, quarter=quarter, jurisdiction__in=places)
                 .select_related("jurisdiction", "department", "cross")
                 .prefetch_related(Prefetch("draws", queryset=listed_draws())).order_by("id")):
        found[plan.jurisdiction_id].append(plan)
    kinds = list(PlanKind.values)  # the regular plan first, as the policy lists them
    for plans_of_place in found.values():
        plans_of_place.sort(key=lambda plan: kinds.index(plan.kind))
    deadline, citation, workdays, problem = None, "", 0, ""
    joint, joint_citation = 0, ""
    try:
        policy = policy_for(year, quarter)
        workdays = policy.draw_window.workdays
        citation = citation_line(str(policy.draw_window.citation))
        # 实施方案 二(五): both levels must hold an internal joint inspection every quarter; its plan is drawn in
        # the same window as the regular one (services.window_warning), so the same deadline holds for it.
        joint = policy.joint_inspection.min_per_quarter
        joint_citation = citation_line(str(policy.joint_inspection.citation))
        deadline = gather.calendar().draw_window(policy, year, quarter)[-1]
    except CalendarUnknownError as error:
        problem = str(_("%(year)s年的放假和调休安排尚未录入，期限暂无法确定") % {"year": error.year})
    except ValidationError as error:  # no policy in force
        problem = join_semicolon(error.messages)
    # Every place owes its regular plan each quarter, and the joint ones the policy asks for: counting any
    # published plan let a county with only a joint (or cross-department) plan pass for one that published.
    # Without a policy in force only the regular plan is known to be owed.
    owed = [(PlanKind.REGULAR, 1), (PlanKind.JOINT, joint)]
    rows = [PlaceQuarter(place, found[place.pk],
                         [kind for kind, n in owed if n and sum(p.kind == kind for p in found[place.pk]) < n],
                         [_timing(plan, deadline, today) for plan in found[place.pk]])
            for place in places]
    return QuarterOverview(city=city, year=year, quarter=quarter, places=rows,
                           deadline=deadline, citation=citation, workdays=workdays,
                           late=deadline is not None and today > deadline, deadline_problem=problem,
                           joint_per_quarter=joint, joint_citation=joint_citation)


def _timing(plan: Plan, deadline: date | None, today: date) -> PlanTiming:
    """``PlanTiming`` of a published plan against the quarter's deadline (never late when it is unknown)."""
    day = first_drawn_on(plan)
    # Only the plans 二(四)/二(五) ask for each quarter have its deadline: a clue's check is planned when the
    # clue comes, a cross-department one when the other department starts it.
    if deadline is None or plan.kind not in (PlanKind.REGULAR, PlanKind.JOINT):
        return PlanTiming(plan, day, False)
    return PlanTiming(plan, day, day > deadline if day is not None else today > deadline)


@dataclass
class MonthDue:
    """One month of a plan's quarter: the last day to publish its results (None: not yet countable) and whether
    that day has passed."""

    year: int
    month: int
    due: date | None
    passed: bool

    @property
    def label(self) -> str:
        """The month as the portal names one (``services.month_label``: 4月, 2026-04)."""
        return month_label(self.year, self.month)

    @property
    def pending(self) -> str:
        """Why ``due`` is not known yet (December's falls in a year whose holidays are not entered)."""
        return "" if self.due else str(pending_deadline_note(self.year, self.month))


@dataclass
class PlanResultsDue:
    """When a plan's results are to be published: its checks run in its quarter, and each month's results are due
    ``workdays`` working days after the month (附件 二(四), ``services.results_deadline``)."""

    months: list[MonthDue]
    workdays: int
    citation: str

    @property
    def none_due(self) -> bool:
        """No month's results are due yet: an empty list is not yet a gap."""
        return not any(month.passed for month in self.months)


def plan_results_due(plan: Plan, today: date) -> PlanResultsDue | None:
    """The publication deadlines of the results of ``plan``'s quarter (None without a policy in force)."""
    try:
        policy = policy_for(plan.year, plan.quarter)
    except ValidationError:
        return None
    months = []
    for month in range(3 * plan.quarter - 2, 3 * plan.quarter + 1):
        due = known_results_deadline(plan.year, month)
        months.append(MonthDue(plan.year, month, due, due is not None and today > due))
    return PlanResultsDue(months, policy.monthly_publication.workdays,
                          citation_line(str(policy.monthly_publication.citation)))


def quarter_deadline(year: int, quarter: int) -> date | None:
    """The last day to draw and publish the quarter's regular and joint plans (the draw window's last day, 实施方案
    二(四)), or None when it cannot be known (no policy in force, the year's holidays not entered)."""
    try:
        return gather.calendar().draw_window(policy_for(year, quarter), year, quarter)[-1]
    except (CalendarUnknownError, ValidationError):
        return None


def plan_timing(plan: Plan, today: date) -> PlanTiming | None:
    """The plan page's "published on" and whether late (as the overview says it), for the kinds with a quarterly
    deadline; None for the others. Reads ``plan.draws`` (published draws)."""
    if plan.kind not in (PlanKind.REGULAR, PlanKind.JOINT):
        return None
    deadline = quarter_deadline(plan.year, plan.quarter)
    # the draws' times only: a draw row's bulk is its inputs and manifest
    prefetch_related_objects([plan], Prefetch("draws", queryset=listed_draws()))
    timing = _timing(plan, deadline, today)
    timing.deadline = deadline
    return timing
