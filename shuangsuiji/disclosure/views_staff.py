"""The bureau's side of 一公开 (/disclosure/): where each county stands against its deadlines, batches prepared,
previewed as the public will see them, reviewed by a second person and released; redaction rules and case
decisions; corrections.

Plain function views. Admins of a jurisdiction and leaders read these pages (404 outside their scope);
department users and inspectors have nothing to do here (403). Every change goes through
``disclosure.services``, which decides who may make it; the pages only hide buttons a user cannot use.
"""

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from shuangsuiji import params
from shuangsuiji.accounts.models import Role
from shuangsuiji.disclosure import public, report_books, reports, services
from shuangsuiji.disclosure.forms import (
    CaseForm,
    CorrectionForm,
    NoteForm,
    PrepareForm,
    ReasonForm,
    RuleForm,
    put_errors,
)
from shuangsuiji.disclosure.models import (
    MASKABLE_FIELDS,
    Correction,
    Publication,
    PublicationKind,
    PublicationStatus,
    PublishedResult,
    RedactionCase,
    RedactionRule,
)
from shuangsuiji.engine.workdays import CalendarUnknownError
from shuangsuiji.fieldwork.models import InspectionRecord
from shuangsuiji.punctuation import colon, join_semicolon, join_sep
from shuangsuiji.registry.models import Jurisdiction, Level, Target
from shuangsuiji.registry.views_excel import xlsx_response

PER_PAGE = 50

FIELD_LABELS = {
    "target_name": _lazy("单位名称"), "credit_code": _lazy("统一社会信用代码"), "industry_code": _lazy("行业代码"),
    "industry_name": _lazy("行业名称"), "inspected_on": _lazy("检查日期"), "items": _lazy("抽查事项"),
    "outcome": _lazy("检查结果"), "problems": _lazy("发现的问题及处理"), "redactions": _lazy("隐去的内容"),
    "withheld_basis": _lazy("不予公开依据"), "plan_label": _lazy("抽查计划"), "plan_id": _lazy("计划编号"),
    "mode": _lazy("检查方式"),
}
"""Names of a published result's fields, for the list of what a pending correction changes."""



def can_read(user) -> bool:
    """Who works with publication: the admins of a jurisdiction and the leaders who review."""
    return user.is_superuser or (user.jurisdiction_id is not None
                                 and (user.is_admin_role or user.role == Role.LEADER))


def _reader(request: HttpRequest) -> None:
    if not can_read(request.user):
        raise PermissionDenied(_("公开管理只对管理员和局领导开放"))


def _root(user) -> Jurisdiction:
    """The top of what ``user`` oversees (a superuser without a jurisdiction oversees every city)."""
    if user.jurisdiction_id is not None:
        return user.jurisdiction
    return Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()


def _in_scope(user, field: str) -> Q:
    if user.is_superuser:
        return Q()
    return Q(**{f"{field}__path__startswith": user.jurisdiction.path})


def _counties(user) -> QuerySet:
    """Jurisdictions that publish: the counties in scope (their targets are the inspected ones)."""
    return Jurisdiction.objects.visible_to(user).filter(level=Level.COUNTY).order_by("path")


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _fail(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    text = join_semicolon(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


# --- overview ------------------------------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Each county's months of the year: deadline, batches, what is still unpublished, overdue in red."""
    _reader(request)
    user = request.user
    year = _year(request)
    today = timezone.localdate()
    root = _root(user)
    states = services.month_states(root, year, today) if root else []
    for state in states:
        state.is_overdue = state.overdue(today)
        state.can_prepare = (state.unpublished and services.can_publish(user, state.jurisdiction)
                             and not any(not b.is_released for b in state.batches))
    # The counties whose months were worked out above: a superuser sees every county, but the states are those of
    # his own jurisdiction (or the first province), and a row outside it read 无需公开 whatever it held.
    counties = list(_counties(user).filter(path__startswith=root.path)) if root else []
    # The city's view: one row per county, one cell per month; a county's months in detail below when chosen
    # (a county admin sees his own months in detail at once).
    chosen = request.GET.get("jurisdiction", "")
    if len(counties) == 1:
        chosen = counties[0].code
    by_cell = {(s.jurisdiction.pk, s.month): s for s in states}
    last_month = 12 if year < today.year else today.month
    months = list(range(1, last_month + 1))
    # A month's column head (services.month_label): 1月, and in English 2026-01. Each
    # cell carries its month too (a phone shows a county's months as a card, each mark under its month), the heads
    # worked out once here rather than in each of a national grid's thirty thousand cells.
    month_labels = [services.month_label(year, m) for m in months]
    grid = [{"jurisdiction": c, "cells": list(zip(month_labels, [by_cell.get((c.pk, m)) for m in months], strict=True)),
             "overdue": sum(1 for m in months if (c.pk, m) in by_cell and by_cell[(c.pk, m)].is_overdue)}
            for c in counties]
    detail = [s for s in states if s.jurisdiction.code == chosen]
    lists: dict[int, list[Publication]] = {}
    for batch in (Publication.objects.visible_to(user).filter(kind=PublicationKind.ANNUAL_LIST, year=year)
                  .select_related("jurisdiction").order_by("sequence")):
        lists.setdefault(batch.jurisdiction_id, []).append(batch)
    # The years whose holidays are missing while a deadline shown here falls in them (December's results in
    # January, the list's if the policy counts it in working days): the page says so and links to 工作日安排.
    calendar_years = {services.results_deadline_year(s.year, s.month) for s in states if s.deadline is None}
    try:
        list_deadline = services.annual_list_deadline(year)[0] if counties else None
    except CalendarUnknownError as error:  # the year's holidays not entered yet: the list is shown without its deadline
        list_deadline = None
        calendar_years.add(error.year)
    annual = []
    for county in counties:
        batches = lists.get(county.pk, [])
        released = [b for b in batches if b.is_released]
        overdue = (any(b.is_overdue(today) for b in released)
                   or (not released and list_deadline is not None and today > list_deadline))
        annual.append({"jurisdiction": county, "batches": batches, "overdue": overdue,
                       "can_prepare": services.can_publish(user, county)
                       and not any(not b.is_released for b in batches)})
    waiting = (Publication.objects.visible_to(user).exclude(status=PublicationStatus.RELEASED)
               .select_related("jurisdiction", "prepared_by").order_by("deadline", "pk"))
    return render(request, "disclosure/staff/overview.html", {
        "year": year, "years": range(today.year, today.year - 4, -1), "today": today, "states": states,
        "month_labels": month_labels, "grid": grid, "detail": detail, "chosen": chosen,
        "single": len(counties) == 1,
        "overdue_months": sum(1 for s in states if s.is_overdue), "annual": annual, "list_deadline": list_deadline,
        "calendar_years": sorted(calendar_years),
        "waiting": waiting, "can_publish_any": any(services.can_publish(user, c) for c in counties),
        "prepare_form": PrepareForm(jurisdictions=_counties(user), initial={"year": year}),
    })


@login_required
@require_POST
def prepare(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = PrepareForm(request.POST, jurisdictions=_counties(request.user))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}{colon()}{join_semicolon(errors)}" if label else join_semicolon(errors))
        return redirect("disclosure:overview")
    data = form.cleaned_data
    jurisdiction = data["jurisdiction"]
    if not services.can_publish(request.user, jurisdiction):
        raise PermissionDenied(_("只有%(name)s的管理员可以办理公开") % {"name": jurisdiction.name})
    try:
        if data["kind"] == PublicationKind.ANNUAL_LIST:
            batch = services.do_prepare_annual_list(jurisdiction=jurisdiction, year=data["year"],
                                                    acting_user=request.user)
        else:
            batch = services.do_prepare_results(jurisdiction=jurisdiction, year=data["year"], month=data["month"],
                                                acting_user=request.user)
    except ValidationError as error:
        _fail(request, error)
        return redirect(f"{reverse('disclosure:overview')}?year={data['year']}")
    messages.success(request, ngettext("已生成“%(batch)s”，共 %(n)s 条，请另一位管理员或局领导审核",
                                       "已生成“%(batch)s”，共 %(n)s 条，请另一位管理员或局领导审核",
                                       batch.row_count) % {
        "batch": batch, "n": batch.row_count})
    return redirect("disclosure:batch_detail", pk=batch.pk)


# --- a batch -------------------------------------------------------------------------------------------------


def _batch(request: HttpRequest, pk: int) -> Publication:
    _reader(request)
    return get_object_or_404(Publication.objects.visible_to(request.user).select_related(
        "jurisdiction", "prepared_by", "reviewed_by", "released_by"), pk=pk)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_page(request, _batch(request, pk))


def _batch_page(request: HttpRequest, batch: Publication, *, typed: dict[str, Form] | None = None,
                status: int = 200) -> HttpResponse:
    """The batch's rows exactly as the portal will show them (the portal's own row serialiser and columns).

    ``typed``: a refused decision's form (``note_form``, ``return_form`` or ``reason_form``) as it was posted, shown
    with its problem instead of an empty one."""
    user = request.user
    if batch.kind == PublicationKind.ANNUAL_LIST:
        rows = batch.listed_targets.select_related("publication").order_by("jurisdiction_code", "credit_code")
        columns = public.COLUMNS["list"]
    else:
        rows = batch.results.order_by("inspected_on", "public_id")
        columns = public.COLUMNS["results"]
    page = params.Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    table = []
    for obj in page.object_list:
        row = public.row_dict(obj)
        table.append({"obj": obj, "cells": [public.csv_cell(key, row.get(key)) for key, _label in columns],
                      "withheld": getattr(obj, "outcome", "") == "withheld",
                      "masked": bool(getattr(obj, "redactions", None))})
    # A field empty in every row of the page (a batch not yet released was never corrected or changed) is named
    # under the table instead of taking a column of dashes: sixteen columns of English headings scrolled sideways
    # at 1280 px and squeezed the unit's name to three characters a line.
    shown = [i for i in range(len(columns)) if any(r["cells"][i] not in ("", None) for r in table)] if table \
        else list(range(len(columns)))
    for r in table:
        r["cells"] = [r["cells"][i] for i in shown]
        # each cell with its column's heading: a phone stacks a row as "heading：value" lines
        r["labelled"] = [(columns[i][1], cell) for i, cell in zip(shown, r["cells"], strict=True)]
    return render(request, "disclosure/staff/batch_detail.html", {
        "batch": batch, "page": page, "table": table, "columns": [columns[i] for i in shown],
        "empty_columns": [label for i, (_key, label) in enumerate(columns) if i not in shown],
        "overdue": batch.is_overdue(), "can_publish": services.can_publish(user, batch.jurisdiction),
        "can_review": services.can_review(user, batch.jurisdiction) and batch.prepared_by_id != user.pk,
        "own_batch": batch.prepared_by_id == user.pk,
        "note_form": NoteForm(), "return_form": ReasonForm(auto_id="return-%s"), "reason_form": ReasonForm(),
        **(typed or {}),
        # A withholding decided since the snapshot: the preview is no longer what would go out.
        "changed": [] if batch.is_released else services.redactions_changed(batch),
    }, status=status)


def _thrown_away(request: HttpRequest, pk: int) -> HttpResponse | None:
    """A batch of the user's scope discarded or returned by someone else since his page was loaded: the overview,
    told who threw it away and why (it was "page not found")."""
    _reader(request)
    if Publication.objects.filter(pk=pk).exists():
        return None
    event = services.thrown_away(pk)
    user = request.user
    if event is None or event.jurisdiction is None or not (
            user.is_superuser or (user.jurisdiction is not None
                                  and event.jurisdiction.path.startswith(user.jurisdiction.path))):
        return None  # not one the user could see: page not found, as before
    messages.error(request, services.thrown_away_message(event))
    return redirect("disclosure:overview")


def _batch_action(request: HttpRequest, pk: int, act, *, typed: tuple[str, Form] | None = None) -> HttpResponse:
    """Run ``act`` on the batch. ``typed`` names the decision's form: refused, the page is shown again with what
    was typed and the refusal at its field (a redirect lost the reviewer's note or reason)."""
    gone = _thrown_away(request, pk)
    if gone is not None:
        return gone
    batch = _batch(request, pk)
    try:
        message = act(batch)
    except ValidationError as error:
        if getattr(error, "code", None) == "gone":
            # Discarded or returned by someone else a moment ago: its page is gone too (404), so the overview.
            _fail(request, error)
            return redirect("disclosure:overview")
        about_text = typed is not None and (typed[1].errors or hasattr(error, "error_dict"))
        if not about_text:
            _fail(request, error)  # the batch's state (already reviewed, one's own batch): said above the page
            return redirect("disclosure:batch_detail", pk=pk)
        name, form = typed
        field = next(iter(form.fields))
        if hasattr(error, "error_dict"):
            for problems in error.message_dict.values():
                form.add_error(field, problems)
        else:
            _fail(request, error)  # what was not done, above the page; the form's own problem at its field
        batch.refresh_from_db()
        return _batch_page(request, batch, typed={name: form}, status=400)
    else:
        messages.success(request, message)
        if batch.pk is None:  # discarded
            return redirect("disclosure:overview")
    return redirect("disclosure:batch_detail", pk=pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    form = NoteForm(request.POST)

    def act(batch: Publication) -> str:
        if not services.can_review(request.user, batch.jurisdiction):
            raise PermissionDenied(_("只有管理员或局领导可以审核公开批次"))
        if not form.is_valid():
            # not approved without the note its reviewer wrote (a note too long was dropped and the batch approved)
            raise ValidationError(_("未审核：请更正审核意见"))
        services.do_review(batch, note=form.cleaned_data["note"], acting_user=request.user)
        if services.can_publish(request.user, batch.jurisdiction):
            return _("已审核，可以发布")
        # A leader reviews but does not release: "can be released" had him look for a button he has not.
        return _("已审核，等待%(name)s的管理员发布") % {"name": batch.jurisdiction.name}

    return _batch_action(request, pk, act, typed=("note_form", form))


@login_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    def act(batch: Publication) -> str:
        services.ensure_can_publish(request.user, batch.jurisdiction)
        batch = services.do_release(batch, acting_user=request.user)
        if batch.is_overdue():
            return _("已公开（晚于公开期限 %(deadline)s）") % {"deadline": batch.deadline}
        return _("已公开，门户即日可见")

    return _batch_action(request, pk, act)


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)

    def act(batch: Publication) -> str:
        services.ensure_can_publish(request.user, batch.jurisdiction)
        if not form.is_valid():
            blank = form.has_error("reason", "required")
            raise ValidationError(_("请填写撤销理由") if blank else _("未撤销：请更正撤销理由"))
        label = str(batch)
        services.do_discard(batch, reason=form.cleaned_data["reason"], acting_user=request.user)
        batch.pk = None
        return _("已撤销“%(batch)s”，其中的结果可重新生成") % {"batch": label}

    return _batch_action(request, pk, act, typed=("reason_form", form))


@login_required
@require_POST
def return_batch(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST, auto_id="return-%s")

    def act(batch: Publication) -> str:
        if not services.can_review(request.user, batch.jurisdiction):
            raise PermissionDenied(_("只有管理员或局领导可以审核公开批次"))
        if not form.is_valid():
            raise ValidationError(_("未退回：请更正退回理由"))  # a reason too long was reported as none at all
        label = str(batch)
        services.do_return(batch, reason=form.cleaned_data["reason"], acting_user=request.user)
        batch.pk = None
        return _("已退回“%(batch)s”，其中的结果等待重新生成") % {"batch": label}

    return _batch_action(request, pk, act, typed=("return_form", form))


# --- redaction -----------------------------------------------------------------------------------------------


def _rules_for(user) -> QuerySet:
    """Rules that apply in the user's scope: his subtree's and those of the jurisdictions above him."""
    if user.is_superuser:
        return RedactionRule.objects.all()
    codes = user.jurisdiction.ancestor_codes()
    return RedactionRule.objects.filter(Q(jurisdiction__path__startswith=user.jurisdiction.path)
                                        | Q(jurisdiction__code__in=codes))


def _rule_jurisdictions(user) -> QuerySet:
    qs = Jurisdiction.objects.visible_to(user)
    if not user.is_superuser:
        qs = qs.filter(path__startswith=user.jurisdiction.path)
    return qs.filter(level__in=[Level.CITY, Level.COUNTY]).order_by("path")


@login_required
def redaction(request: HttpRequest) -> HttpResponse:
    _reader(request)
    return _redaction_page(request, RuleForm(jurisdictions=_rule_jurisdictions(request.user)), CaseForm())


def _redaction_page(request: HttpRequest, rule_form: RuleForm, case_form: CaseForm, status: int = 200):
    user = request.user
    rules = list(_rules_for(user).select_related("jurisdiction", "target", "created_by")
                 .order_by("-active", "jurisdiction__path", "-created_at"))
    cases = list(RedactionCase.objects.visible_to(user).select_related("record__target", "decided_by")
                 .order_by("-decided_at")[:200])
    for decision in [*rules, *cases]:
        decision.field_labels = join_sep(str(MASKABLE_FIELDS.get(f, f)) for f in decision.fields)
    return render(request, "disclosure/staff/redaction.html", {
        "rules": [(r, services.can_publish(user, r.jurisdiction)) for r in rules], "cases": cases,
        "rule_form": rule_form, "case_form": case_form, "reason_form": ReasonForm(),
        "can_decide": user.is_superuser or user.is_admin_role,
    }, status=status)


@login_required
@require_POST
def rule_add(request: HttpRequest) -> HttpResponse:
    _reader(request)
    user = request.user
    if not (user.is_superuser or user.is_admin_role):
        raise PermissionDenied(_("只有管理员可以设定不予公开规则"))
    form = RuleForm(request.POST, jurisdictions=_rule_jurisdictions(user))
    if form.is_valid():
        data = form.cleaned_data
        target = None
        if data["credit_code"]:
            target = Target.objects.visible_to(user).filter(credit_code=data["credit_code"]).first()
            if target is None:
                form.add_error("credit_code", _("在您的辖区内找不到统一社会信用代码为 %(code)s 的检查对象") % {
                    "code": data["credit_code"]})
        if form.is_valid():
            try:
                services.do_add_redaction_rule(
                    jurisdiction=data["jurisdiction"], action=data["action"], basis=data["basis"],
                    reason=data["reason"], fields=data["fields"], industry_prefix=data["industry_prefix"],
                    target=target, acting_user=user)
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(request, _("已添加不予公开规则；已公开的结果如受影响，请在“待更正”中重新公开"))
                return redirect("disclosure:redaction")
    return _redaction_page(request, form, CaseForm(), status=400)


@login_required
@require_POST
def rule_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    rule = get_object_or_404(_rules_for(request.user).select_related("jurisdiction"), pk=pk)
    services.ensure_can_publish(request.user, rule.jurisdiction)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写停用理由"))
        services.do_deactivate_redaction_rule(rule, reason=form.cleaned_data["reason"], acting_user=request.user)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("规则已停用；受影响的已公开结果见“待更正”"))
    return redirect("disclosure:redaction")


@login_required
@require_POST
def case_add(request: HttpRequest) -> HttpResponse:
    _reader(request)
    user = request.user
    if not (user.is_superuser or user.is_admin_role):
        raise PermissionDenied(_("只有管理员可以作出个案不予公开决定"))
    form = CaseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        record = (InspectionRecord.objects.sealed().filter(_in_scope(user, "target__jurisdiction"))
                  .select_related("target__jurisdiction").filter(number=data["record_number"]).first())
        if record is None:
            form.add_error("record_number", _("在您的辖区内找不到编号为 %(number)s 的已提交检查记录") % {
                "number": data["record_number"]})
        else:
            try:
                services.do_decide_redaction(record, action=data["action"], basis=data["basis"],
                                             reason=data["reason"], fields=data["fields"], acting_user=user)
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(request, _("已记录对 %(number)s 的个案决定") % {"number": record.number})
                return redirect("disclosure:redaction")
    return _redaction_page(request, RuleForm(jurisdictions=_rule_jurisdictions(user)), form, status=400)


# --- corrections ---------------------------------------------------------------------------------------------


def _results(user) -> QuerySet:
    return PublishedResult.objects.published().filter(_in_scope(user, "jurisdiction"))


@login_required
def corrections(request: HttpRequest) -> HttpResponse:
    """Published results behind their record (an approved amendment, a penalty decided, a redaction decision),
    and the corrections made so far."""
    _reader(request)
    user = request.user
    wanted = request.GET.get("public_id", "").strip().upper()
    if wanted:  # the manual-correction lookup box
        if _results(user).filter(public_id=wanted).exists():
            return redirect("disclosure:correct", public_id=wanted)
        messages.error(request, _("在您的辖区内找不到已公开的结果 %(id)s") % {"id": wanted})
    root = _root(user)
    pending = []
    for result, record, fresh in (services.pending_corrections(root) if root else []):
        changed = [str(FIELD_LABELS.get(k, k)) for k in fresh if fresh[k] != services._json(getattr(result, k))]
        pending.append({"result": result, "record": record, "changed": changed,
                        "can_publish": services.can_publish(user, result.jurisdiction)})
    done = (Correction.objects.published().filter(_in_scope(user, "result__jurisdiction"))
            .select_related("result", "corrected_by").order_by("-corrected_at")[:100])
    return render(request, "disclosure/staff/corrections.html", {
        "pending": pending, "done": done, "reason_form": ReasonForm(),
    })



@login_required
@require_POST
def republish(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    result = get_object_or_404(_results(request.user).select_related("jurisdiction"), pk=pk)
    services.ensure_can_publish(request.user, result.jurisdiction)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写更正理由"))
        services.do_republish_amended(result, reason=form.cleaned_data["reason"], acting_user=request.user)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("%(id)s 已按最新记录重新公开，门户显示为更正") % {"id": result.public_id})
    return redirect("disclosure:corrections")


@login_required
def correct(request: HttpRequest, public_id: str) -> HttpResponse:
    """Correct a published result by hand, with the reason the portal shows next to it."""
    _reader(request)
    result = get_object_or_404(_results(request.user).select_related("jurisdiction", "publication"),
                               public_id=public_id)
    services.ensure_can_publish(request.user, result.jurisdiction)
    form = CorrectionForm(request.POST or None, result=result)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            form.add_error(None, _("没有修改任何内容"))
        else:
            try:
                services.do_correct_result(result, values=changes, reason=form.cleaned_data["reason"],
                                           acting_user=request.user)
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(request, _("%(id)s 已更正，门户显示更正前后内容和理由") % {"id": result.public_id})
                return redirect("disclosure:corrections")
    # The bureau's own history shows every text a correction replaced, which the portal no longer shows.
    history = [{"correction": c, "changes": public.staff_correction_changes(c)} for c in
               Correction.objects.filter(result=result).select_related("corrected_by").order_by("-corrected_at")]
    return render(request, "disclosure/staff/correct.html", {"result": result, "form": form, "history": history},
                  status=400 if form.errors else 200)


# --- reports to the city (报送材料) ---------------------------------------------------------------------------


class BadReport(ValueError):
    """A parameter of the report page that cannot be used; its text is shown on the page."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def can_report(user) -> bool:
    """Who makes the reports the city is sent: the admins of a jurisdiction (a county's, or the city office),
    and who reads them: its leaders (局领导 read the reports of their scope, DESIGN §1)."""
    return user.oversees


def _reporter(request: HttpRequest) -> None:
    if not can_report(request.user):
        raise PermissionDenied(_("报送材料只对市局、分局管理员和局领导开放"))


def _report_places(user) -> QuerySet:
    """The jurisdictions the user may report for: his own and, for the city office, each county below.
    ``visible_to`` also lets a county read its city (the city's own items); a county does not report for it."""
    places = Jurisdiction.objects.visible_to(user).filter(level__in=[Level.CITY, Level.COUNTY])
    if user.jurisdiction_id is not None:
        places = places.filter(path__startswith=user.jurisdiction.path)
    return places.order_by("path")


def _report_params(request: HttpRequest) -> dict:
    """The chosen report from the query string (defaults: the user's jurisdiction, last month, the quarter of
    last month), or ``BadReport`` saying what is wrong."""
    today = timezone.localdate()
    last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    kind = request.GET.get("kind") or reports.MONTHLY
    if kind not in (reports.MONTHLY, reports.QUARTERLY):
        raise BadReport(_("没有这种报送材料：%(kind)s") % {"kind": kind})
    try:
        year = int(request.GET.get("year") or last_month.year)
        month = int(request.GET.get("month") or last_month.month)
        quarter = int(request.GET.get("quarter") or (last_month.month - 1) // 3 + 1)
    except ValueError:
        raise BadReport(_("年度、月份和季度应为数字")) from None
    if not 2000 <= year <= 2100:
        raise BadReport(_("年度应在 2000 至 2100 之间"))
    if not 1 <= month <= 12:
        raise BadReport(_("月份应在 1 至 12 之间"))
    if not 1 <= quarter <= 4:
        raise BadReport(_("季度应在 1 至 4 之间"))
    places = _report_places(request.user)
    code = request.GET.get("jurisdiction") or (request.user.jurisdiction.code if request.user.jurisdiction_id
                                               else "")
    jurisdiction = places.filter(code=code).first() if code else places.first()
    if jurisdiction is None:
        # Outside one's scope a jurisdiction does not exist, as everywhere else (404).
        raise BadReport(_("没有代码为 %(code)s 的行政区，或它不在您的管辖范围内") % {"code": code}, status=404)
    period = f"{year}-{month:02d}" if kind == reports.MONTHLY else f"{year}Q{quarter}"
    return {"kind": kind, "year": year, "month": month, "quarter": quarter, "jurisdiction": jurisdiction,
            "period": period, "places": places}


def month_options() -> list[tuple[int, str]]:
    """The month dropdown's (value, label): the bare number under the label 月份 on a Chinese page, as it always
    read; the month's name in English ("January", Django's own catalogue), where a bare "3" says little."""
    if (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh"):
        return [(month, str(month)) for month in range(1, 13)]
    return [(month, str(MONTHS[month])) for month in range(1, 13)]


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    """报送材料: pick a jurisdiction and a month or quarter, see when the policy wants it, download the sheet."""
    _reporter(request)
    today = timezone.localdate()
    context = {"today": today, "years": range(today.year, today.year - 6, -1), "months": month_options(),
               "quarters": range(1, 5), "kinds": [(reports.MONTHLY, _("月度情况明细表")),
                                                  (reports.QUARTERLY, _("季度监管工作落实情况"))],
               "upcoming": reports.upcoming(today)}
    try:
        params = _report_params(request)
    except BadReport as error:
        context.update(problem=str(error), places=_report_places(request.user), kind=reports.MONTHLY)
        return render(request, "disclosure/staff/reports.html", context, status=error.status)
    context.update(params)
    jurisdiction = params["jurisdiction"]
    context["deadline"] = reports.deadline_of(params["kind"], params["period"])
    if params["kind"] == reports.MONTHLY:
        context["rows"] = reports.monthly_detail(jurisdiction, params["year"], params["month"],
                                                 translation.get_language())
        context["unreviewed"] = reports.unreviewed_count(jurisdiction, params["year"], params["month"])
        # the records it counts, on the list where they are reviewed (it said so and led nowhere)
        context["unreviewed_query"] = urlencode({"state": "pending", "jurisdiction": jurisdiction.pk,
                                                 "month": f"{params['year']}-{params['month']:02d}"})
        context["title"] = report_books.monthly_title(jurisdiction, params["year"], params["month"])
    else:
        context["status"] = reports.quarterly_status(jurisdiction, params["year"], params["quarter"], today)
        context["title"] = report_books.quarterly_title(jurisdiction, params["year"], params["quarter"])
    context["query"] = request.GET.urlencode()
    return render(request, "disclosure/staff/reports.html", context)


@login_required
def report_download(request: HttpRequest) -> HttpResponse:
    """The chosen report as a workbook to print, stamp, scan and e-mail to the city (实施方案 四(三))."""
    _reporter(request)
    try:
        params = _report_params(request)
    except BadReport as error:
        messages.error(request, str(error))
        return redirect("disclosure:reports")
    jurisdiction, year = params["jurisdiction"], params["year"]
    today = timezone.localdate()
    if params["kind"] == reports.MONTHLY:
        content = report_books.monthly_workbook(jurisdiction, year, params["month"], today)
        name = report_books.monthly_file_name(jurisdiction, year, params["month"])
    else:
        content = report_books.quarterly_workbook(jurisdiction, year, params["quarter"], today)
        name = f"{report_books.quarterly_title(jurisdiction, year, params['quarter'])}.xlsx"
    return xlsx_response(content, name)
