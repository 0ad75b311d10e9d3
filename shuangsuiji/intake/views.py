"""Pages of intake: lists, details and forms of the outside data, imports, and the classification.

Plain function views (Healthchecks style). Every queryset goes through ``visible_to(request.user)``;
outside the user's scope an object answers 404. Changes go through ``intake.services``; who may make
them is decided there (``intake.permissions``), and the pages only hide what the user cannot do.
"""

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from shuangsuiji import params
from shuangsuiji.audit.services import history_for
from shuangsuiji.engine.workdays import previous_quarter
from shuangsuiji.intake import rules, services
from shuangsuiji.intake.forms import (
    ClassifyForm,
    ClueDecisionForm,
    ClueForm,
    ComplaintForm,
    DeletionForm,
    ExceedanceForm,
    ImportForm,
    KeyUnitForm,
    PenaltyForm,
    PositiveListForm,
    RemovalForm,
    departments_for,
)
from shuangsuiji.intake.importers import IMPORTERS, importer_for
from shuangsuiji.intake.models import (
    Channel,
    Classification,
    ClassificationRun,
    Clue,
    ClueStatus,
    Complaint,
    Exceedance,
    KeyUnit,
    MonitoringImport,
    Penalty,
    PositiveListEntry,
    Source,
    quarter_label,
)
from shuangsuiji.intake.permissions import (
    can_record,
    can_report_clue,
    is_admin_of,
    is_any_admin,
    records_somewhere,
    reports_clues_somewhere,
)
from shuangsuiji.registry.models import Category, Jurisdiction, Target, TargetHistory
from shuangsuiji.registry.places import PlaceFilter, place_filter, readable_jurisdictions
from shuangsuiji.registry.search import by_target
from shuangsuiji.registry.views_excel import xlsx_response
from shuangsuiji.tabular.annotate import forget_rejected, keep_rejected, rejected_download
from shuangsuiji.tabular.importing import ImportRejected
from shuangsuiji.textsearch import every_word

PER_PAGE = 50


def _page(request: HttpRequest, queryset: QuerySet) -> Page:
    return params.Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _query_string(request: HttpRequest) -> str:
    """The list's filters without the page number, for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _jurisdictions(user) -> QuerySet:
    """The jurisdictions a list may be filtered by: the user's own subtree."""
    return readable_jurisdictions(user)


def _place(request: HttpRequest) -> PlaceFilter:
    """The list's ``?jurisdiction=``, resolved once per request: ``_filter_jurisdiction`` narrows by it and
    ``_render_list`` says why it refused."""
    if not hasattr(request, "_place_filter"):
        request._place_filter = place_filter(request)
    return request._place_filter


def _filter_jurisdiction(request: HttpRequest, queryset: QuerySet, field: str = "target__jurisdiction") -> QuerySet:
    # a place outside his area lists nothing (and ``_render_list`` says why), never his whole area
    return _place(request).narrow(queryset, field)


def _render_list(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A list narrowed by ``_filter_jurisdiction``: a place outside the reader's area, or naming none, refused in
    words with a 404 (registry/places.py), as every staff list answers it."""
    chosen = _place(request)
    return render(request, template, {**context, "refused": chosen.refused}, status=chosen.status)


def _parse_day(value: str | None) -> date | None:
    """A day of ?from= or ?to=, ignored when it is not one (or one whose times cannot be stored)."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if params.storable_day(day) else None


def _filter_period(request: HttpRequest, queryset: QuerySet, field: str) -> QuerySet:
    """?quarter=2021-2 or ?from=…&to=… (both ends included) on a date field."""
    quarter = request.GET.get("quarter", "")
    if "-" in quarter:
        year, _sep, number = quarter.partition("-")
        if params.year(year) is not None and number in ("1", "2", "3", "4"):
            queryset = queryset.filter(**{f"{field}__range": (rules.quarter_start(int(year), int(number)),
                                                             rules.quarter_end(int(year), int(number)))})
    first, last = _parse_day(request.GET.get("from")), _parse_day(request.GET.get("to"))
    if first:
        queryset = queryset.filter(**{f"{field}__gte": first})
    if last:
        queryset = queryset.filter(**{f"{field}__lte": last})
    return queryset


def _search_targets(request: HttpRequest, queryset: QuerySet, *extra: str) -> QuerySet:
    text = request.GET.get("q", "").strip()
    if not text:
        return queryset

    def one(word: str) -> Q:
        condition = by_target(word)  # the target's name or credit code, from the registry's indexes
        for name in extra:
            condition |= Q(**{f"{name}__icontains": word})
        return condition

    return queryset.filter(every_word(text, one))


def _quarter_choices() -> list[tuple[str, str]]:
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    choices = []
    for _step in range(8):
        choices.append((f"{year}-{quarter}", quarter_label(year, quarter)))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return choices


def _list_context(request: HttpRequest, queryset: QuerySet, **extra) -> dict:
    return {"page": _page(request, queryset), "query_string": _query_string(request),
            "jurisdictions": _jurisdictions(request.user), "quarters": _quarter_choices(), **extra}


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    last_year, last_quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    window = (rules.quarter_start(last_year, last_quarter), rules.quarter_end(last_year, last_quarter))
    cards = [
        {"label": _("行政处罚"), "url": reverse("intake:penalty_list"), "kind": "penalties",
         "count": Penalty.objects.visible_to(user).filter(decided_on__range=window).count(),
         "note": _("上一季度"), "icon": "bi-hammer"},
        {"label": _("群众举报"), "url": reverse("intake:complaint_list"), "kind": "complaints",
         "count": Complaint.objects.visible_to(user).filter(received_on__range=window).count(),
         "note": _("上一季度"), "icon": "bi-megaphone"},
        {"label": _("在线监测超标"), "url": reverse("intake:exceedance_list"), "kind": "exceedances",
         "count": Exceedance.objects.visible_to(user).filter(
             measured_at__gte=services.local_midnight(window[0]),
             measured_at__lt=services.local_midnight(window[1] + timedelta(days=1))).count(),
         "note": _("上一季度"), "icon": "bi-activity"},
        {"label": _("重点排污单位名录"), "url": reverse("intake:keyunit_list"), "kind": "key_units",
         "count": KeyUnit.objects.visible_to(user).filter(year=year).count(),
         "note": _("%(year)s年") % {"year": year}, "icon": "bi-star"},
        {"label": _("正面清单"), "url": reverse("intake:positive_list"), "kind": "positive_list",
         "count": PositiveListEntry.objects.visible_to(user).filter(start__lte=today).filter(
             Q(end__isnull=True) | Q(end__gte=today)).count(),
         "note": _("目前在清单中"), "icon": "bi-shield-check"},
        {"label": _("正面清单企业线索"), "url": reverse("intake:clue_list") + "?status=pending", "kind": "clues",
         "count": Clue.objects.visible_to(user).filter(status=ClueStatus.PENDING).count(),
         "note": _("待审批"), "icon": "bi-search"},
    ]
    # Per quarter, the user's own targets: a city's run also classifies his county, but its totals are the city's.
    counted = (Classification.objects.visible_to(user).values("year", "quarter", "category")
               .annotate(n=Count("id")).order_by("-year", "-quarter"))
    quarters: dict[tuple[int, int], dict[str, int]] = {}
    for row in counted:
        key = (row["year"], row["quarter"])
        if key not in quarters and len(quarters) == 4:
            break
        quarters.setdefault(key, {"all": 0})[row["category"]] = row["n"]
        quarters[key]["all"] += row["n"]
    recent = [{"year": year, "quarter": quarter, "period": quarter_label(year, quarter), **counts}
              for (year, quarter), counts in quarters.items()]
    return render(request, "intake/home.html", {"cards": cards, "recent": recent, "can_import": is_any_admin(user),
                                                "last_quarter": quarter_label(last_year, last_quarter)})


# --- penalties -----------------------------------------------------------------------------------------------


@login_required
def penalty_list(request: HttpRequest) -> HttpResponse:
    penalties = Penalty.objects.visible_to(request.user).select_related("target__jurisdiction", "department")
    penalties = _search_targets(request, penalties, "decision_number", "violation")
    penalties = _filter_period(request, _filter_jurisdiction(request, penalties), "decided_on")
    if request.GET.get("source") in Source.values:
        penalties = penalties.filter(source=request.GET["source"])
    return _render_list(request, "intake/penalty_list.html", _list_context(
        request, penalties, sources=Source.choices, can_add=records_somewhere(request.user),
        can_import=is_any_admin(request.user)))


@login_required
def penalty_detail(request: HttpRequest, pk: int, delete_form: DeletionForm | None = None) -> HttpResponse:
    penalty = get_object_or_404(Penalty.objects.visible_to(request.user).select_related(
        "target__jurisdiction", "department__jurisdiction", "created_by"), pk=pk)
    return _record_page(request, "penalty", penalty, delete_form)


def _record_page(request: HttpRequest, name: str, record: Penalty | Complaint | Exceedance,
                 delete_form: DeletionForm | None, *, can_edit: bool = True, **extra: Any) -> HttpResponse:
    """A recorded row's page (intake/<name>_detail.html): its history, and its delete card for those who record
    in its scope — with the refused deletion's form when there was one."""
    return render(request, f"intake/{name}_detail.html", {
        name: record, "history": history_for(record), "delete_form": delete_form or DeletionForm(),
        "can_edit": can_edit and can_record(request.user, record.target.jurisdiction), **extra})


def _delete(request: HttpRequest, record: Penalty | Complaint | Exceedance, delete: Callable[..., None],
            detail: Callable[..., HttpResponse], listing: str) -> HttpResponse:
    """Delete a record entered by mistake, or show its page again with the refusal and the reason as typed."""
    form = DeletionForm(request.POST)
    if form.is_valid():
        try:
            delete(record, acting_user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if getattr(error, "code", None) == "gone":  # deleted by someone else a moment ago: its page is gone too
                messages.error(request, error.messages[0])
                return redirect(listing)
            _form_errors(form, error)
        else:
            messages.success(request, _("已删除%(record)s；已分类的季度请重新分类") % {"record": record})
            return redirect(listing)
    return detail(request, record.pk, delete_form=form)


@login_required
@require_POST
def penalty_delete(request: HttpRequest, pk: int) -> HttpResponse:
    penalty = get_object_or_404(Penalty.objects.visible_to(request.user), pk=pk)
    return _delete(request, penalty, services.do_delete_penalty, penalty_detail, "intake:penalty_list")


def _penalty_form(request: HttpRequest, penalty: Penalty) -> HttpResponse:
    user = request.user
    if not records_somewhere(user):
        raise PermissionDenied(_("无权录入行政处罚"))
    form = PenaltyForm(request.POST or None, instance=penalty, targets=Target.objects.visible_to(user),
                       departments=departments_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.do_save_penalty(form.save(commit=False), acting_user=user,
                                             reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已保存行政处罚 %(number)s") % {"number": saved.decision_number})
            return redirect(saved)
    return render(request, "intake/form.html", {
        "form": form, "title": _("修改行政处罚") if penalty.pk else _("录入行政处罚"), "object": penalty,
        "section": "penalties",
        "cancel": penalty.get_absolute_url() if penalty.pk else reverse("intake:penalty_list")})


@login_required
def penalty_create(request: HttpRequest) -> HttpResponse:
    return _penalty_form(request, Penalty(source=Source.FORM))


@login_required
def penalty_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _penalty_form(request, get_object_or_404(Penalty.objects.visible_to(request.user), pk=pk))


# --- complaints ----------------------------------------------------------------------------------------------


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    complaints = Complaint.objects.visible_to(request.user).select_related("target__jurisdiction")
    complaints = _search_targets(request, complaints, "reference", "content")
    complaints = _filter_period(request, _filter_jurisdiction(request, complaints), "received_on")
    if request.GET.get("channel") in Channel.values:
        complaints = complaints.filter(channel=request.GET["channel"])
    if request.GET.get("verified") in ("yes", "no"):
        complaints = complaints.filter(verified=request.GET["verified"] == "yes")
    return _render_list(request, "intake/complaint_list.html", _list_context(
        request, complaints, channels=Channel.choices, can_add=records_somewhere(request.user),
        can_import=is_any_admin(request.user)))


@login_required
def complaint_detail(request: HttpRequest, pk: int, delete_form: DeletionForm | None = None) -> HttpResponse:
    complaint = get_object_or_404(Complaint.objects.visible_to(request.user).select_related(
        "target__jurisdiction", "created_by"), pk=pk)
    return _record_page(request, "complaint", complaint, delete_form,
                        clues=Clue.objects.visible_to(request.user).filter(complaint=complaint))


@login_required
@require_POST
def complaint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(Complaint.objects.visible_to(request.user), pk=pk)
    return _delete(request, complaint, services.do_delete_complaint, complaint_detail, "intake:complaint_list")


def _complaint_form(request: HttpRequest, complaint: Complaint) -> HttpResponse:
    user = request.user
    if not records_somewhere(user):
        raise PermissionDenied(_("无权录入群众举报"))
    form = ComplaintForm(request.POST or None, instance=complaint, targets=Target.objects.visible_to(user))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.do_save_complaint(form.save(commit=False), acting_user=user,
                                               reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已保存群众举报 %(reference)s") % {"reference": saved.reference})
            return redirect(saved)
    return render(request, "intake/form.html", {
        "form": form, "title": _("修改群众举报") if complaint.pk else _("录入群众举报"), "object": complaint,
        "section": "complaints",
        "cancel": complaint.get_absolute_url() if complaint.pk else reverse("intake:complaint_list")})


@login_required
def complaint_create(request: HttpRequest) -> HttpResponse:
    return _complaint_form(request, Complaint(source=Source.FORM))


@login_required
def complaint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _complaint_form(request, get_object_or_404(Complaint.objects.visible_to(request.user), pk=pk))


# --- online monitoring -----------------------------------------------------------------------------------------


@login_required
def exceedance_list(request: HttpRequest) -> HttpResponse:
    exceedances = Exceedance.objects.visible_to(request.user).select_related("outlet", "target__jurisdiction")
    exceedances = _filter_jurisdiction(request, _search_targets(request, exceedances, "pollutant"))
    outlet = params.number(request.GET.get("outlet"))
    if outlet is not None:
        exceedances = exceedances.filter(outlet_id=outlet)
    first, last = _parse_day(request.GET.get("from")), _parse_day(request.GET.get("to"))
    if first:
        exceedances = exceedances.filter(measured_at__gte=services.local_midnight(first))
    if last:
        exceedances = exceedances.filter(measured_at__lt=services.local_midnight(last + timedelta(days=1)))
    per_outlet = (exceedances.values("outlet_id", "outlet__code", "outlet__name", "target__name")
                  .annotate(n=Count("id")).order_by("-n")[:10])
    return _render_list(request, "intake/exceedance_list.html", _list_context(
        request, exceedances, per_outlet=per_outlet, total=exceedances.count(), can_import=is_any_admin(request.user),
        can_add=records_somewhere(request.user)))


@login_required
def exceedance_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not records_somewhere(user):
        raise PermissionDenied(_("无权录入在线监测超标数据"))
    form = ExceedanceForm(request.POST or None, instance=Exceedance(), targets=Target.objects.visible_to(user))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.do_record_exceedance(form.save(commit=False), acting_user=user)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已录入超标数据：%(what)s") % {"what": saved})
            return redirect(reverse("intake:exceedance_list") + f"?outlet={saved.outlet_id}")
    return render(request, "intake/form.html", {"form": form, "title": _("录入在线监测超标数据"),
                                                "section": "exceedances", "cancel": reverse("intake:exceedance_list")})


@login_required
def exceedance_detail(request: HttpRequest, pk: int, delete_form: DeletionForm | None = None) -> HttpResponse:
    exceedance = get_object_or_404(Exceedance.objects.visible_to(request.user).select_related(
        "outlet", "target__jurisdiction", "batch__imported_by"), pk=pk)
    # One the import wrote is corrected by importing again; only a hand-entered one is deleted here. The values
    # as measured, without the column's trailing zeros (80.5, not 80.5000; 0.0035 stays 0.0035).
    return _record_page(request, "exceedance", exceedance, delete_form, can_edit=exceedance.batch_id is None,
                        value=format(exceedance.value.normalize(), "f"),
                        limit=format(exceedance.limit.normalize(), "f"))


@login_required
@require_POST
def exceedance_delete(request: HttpRequest, pk: int) -> HttpResponse:
    exceedance = get_object_or_404(Exceedance.objects.visible_to(request.user).select_related("outlet"), pk=pk)
    return _delete(request, exceedance, services.do_delete_exceedance, exceedance_detail, "intake:exceedance_list")


@login_required
def monitoring_import_list(request: HttpRequest) -> HttpResponse:
    imports = MonitoringImport.objects.visible_to(request.user).select_related("jurisdiction", "imported_by")
    return render(request, "intake/monitoring_import_list.html", _list_context(request, imports))


# --- key-unit directory ----------------------------------------------------------------------------------------


@login_required
def keyunit_list(request: HttpRequest) -> HttpResponse:
    units = KeyUnit.objects.visible_to(request.user).select_related("target__jurisdiction")
    units = _filter_jurisdiction(request, _search_targets(request, units, "directory"))
    years = sorted(set(KeyUnit.objects.visible_to(request.user).values_list("year", flat=True)), reverse=True)
    year = params.year(request.GET.get("year"))
    if year is not None:
        units = units.filter(year=year)
    return _render_list(request, "intake/keyunit_list.html", _list_context(
        request, units, years=years, can_import=is_any_admin(request.user)))


@login_required
def keyunit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(KeyUnit.objects.visible_to(request.user).select_related(
        "target__jurisdiction", "created_by"), pk=pk)
    return render(request, "intake/keyunit_detail.html", {
        "unit": unit, "history": history_for(unit), "form": RemovalForm(),
        "can_edit": is_admin_of(request.user, unit.target.jurisdiction)})


@login_required
def keyunit_create(request: HttpRequest) -> HttpResponse:
    if not is_any_admin(request.user):
        raise PermissionDenied(_("只有管理员可以修改重点排污单位名录"))
    form = KeyUnitForm(request.POST or None, targets=Target.objects.editable_by(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.do_save_key_unit(form.save(commit=False), acting_user=request.user,
                                             reason=gettext_lazy("列入重点排污单位名录"))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已将%(target)s列入%(year)s年名录") % {
                "target": unit.target, "year": unit.year})
            return redirect("intake:keyunit_detail", pk=unit.pk)
    return render(request, "intake/form.html", {"form": form, "title": _("列入重点排污单位名录"),
                                                "section": "key_units", "cancel": reverse("intake:keyunit_list")})


@login_required
@require_POST
def keyunit_remove(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(KeyUnit.objects.visible_to(request.user).select_related("target"), pk=pk)
    form = RemovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写移出名录的理由"))
        return redirect("intake:keyunit_detail", pk=pk)
    try:
        services.do_remove_key_unit(unit, acting_user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:  # removed by another admin a moment ago
        messages.error(request, error.messages[0])
        return redirect(reverse("intake:keyunit_list") + f"?year={unit.year}")
    messages.success(request, _("已将%(target)s移出%(year)s年名录") % {"target": unit.target, "year": unit.year})
    return redirect(reverse("intake:keyunit_list") + f"?year={unit.year}")


# --- positive list ---------------------------------------------------------------------------------------------


@login_required
def positive_list(request: HttpRequest) -> HttpResponse:
    entries = PositiveListEntry.objects.visible_to(request.user).select_related("target__jurisdiction")
    entries = _filter_jurisdiction(request, _search_targets(request, entries, "document_number"))
    today = timezone.localdate()
    state = request.GET.get("state", "current")
    if state == "current":
        entries = entries.filter(start__lte=today).filter(Q(end__isnull=True) | Q(end__gte=today))
    elif state == "ended":
        entries = entries.filter(end__lt=today)
    return _render_list(request, "intake/positive_list.html", _list_context(
        request, entries, state=state, today=today, can_import=is_any_admin(request.user)))


@login_required
def positive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(PositiveListEntry.objects.visible_to(request.user).select_related(
        "target__jurisdiction", "created_by"), pk=pk)
    clues = Clue.objects.visible_to(request.user).filter(target=entry.target).order_by("-found_on")
    return render(request, "intake/positive_detail.html", {
        "entry": entry, "history": history_for(entry), "clues": clues,
        "can_edit": is_admin_of(request.user, entry.target.jurisdiction),
        "can_report": can_report_clue(request.user, entry.target.jurisdiction)})


def _positive_form(request: HttpRequest, entry: PositiveListEntry) -> HttpResponse:
    if not is_any_admin(request.user):
        raise PermissionDenied(_("只有管理员可以修改正面清单"))
    form = PositiveListForm(request.POST or None, instance=entry, targets=Target.objects.editable_by(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.do_save_positive_entry(form.save(commit=False), acting_user=request.user,
                                                    reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已保存正面清单条目"))
            return redirect(saved)
    return render(request, "intake/form.html", {
        "form": form, "title": _("修改正面清单条目") if entry.pk else _("列入正面清单"), "object": entry,
        "section": "positive_list",
        "cancel": entry.get_absolute_url() if entry.pk else reverse("intake:positive_list")})


@login_required
def positive_create(request: HttpRequest) -> HttpResponse:
    return _positive_form(request, PositiveListEntry())


@login_required
def positive_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _positive_form(request, get_object_or_404(PositiveListEntry.objects.visible_to(request.user), pk=pk))


# --- clues -----------------------------------------------------------------------------------------------------


@login_required
def clue_list(request: HttpRequest) -> HttpResponse:
    clues = Clue.objects.visible_to(request.user).select_related("target__jurisdiction", "reported_by", "decided_by",
                                                                 "check_plan")
    clues = _filter_jurisdiction(request, _search_targets(request, clues, "description"))
    clues = _filter_period(request, clues, "found_on")
    if request.GET.get("status") in ClueStatus.values:
        clues = clues.filter(status=request.GET["status"])
    user = request.user
    today = timezone.localdate()
    try:  # whether an approved clue without its 线索核查 waits for one, or for the next draw
        immediate = services.policy_for(today.year, (today.month - 1) // 3 + 1).immediate_clue_check
    except ValidationError:  # no policy in force: the page still lists the clues
        immediate = False
    return _render_list(request, "intake/clue_list.html", _list_context(
        request, clues, statuses=ClueStatus.choices, can_import=is_any_admin(user),
        can_add=reports_clues_somewhere(user), immediate=immediate))


@login_required
def clue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    clue = get_object_or_404(Clue.objects.visible_to(request.user).select_related(
        "target__jurisdiction", "complaint", "reported_by", "decided_by"), pk=pk)
    deciders = clue.status == ClueStatus.PENDING and is_admin_of(request.user, clue.target.jurisdiction)
    # four eyes (permissions.ensure_not_self): the admin who reported it is told another admin decides
    own = deciders and clue.reported_by_id == request.user.pk
    can_decide = deciders and not own
    return render(request, "intake/clue_detail.html", {
        "clue": clue, "history": history_for(clue), "can_decide": can_decide, "own": own,
        "form": ClueDecisionForm(initial={"decision": "approve"}) if can_decide else None})


@login_required
def clue_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not reports_clues_somewhere(user):
        raise PermissionDenied(_("无权报告线索"))
    initial = {}
    target_id = params.number(request.GET.get("target"))
    if target_id is not None:
        initial["target"] = Target.objects.visible_to(user).filter(pk=target_id).values_list(
            "credit_code", flat=True).first()
    form = ClueForm(request.POST or None, instance=Clue(), targets=Target.objects.visible_to(user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            clue = services.do_report_clue(form.save(commit=False), acting_user=user)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("线索已提交，等待执法机构负责人审批"))
            return redirect(clue)
    return render(request, "intake/form.html", {"form": form, "title": _("报告正面清单企业线索"), "section": "clues",
                                                "cancel": reverse("intake:clue_list")})


@login_required
@require_POST
def clue_decide(request: HttpRequest, pk: int) -> HttpResponse:
    clue = get_object_or_404(Clue.objects.visible_to(request.user), pk=pk)
    form = ClueDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.do_decide_clue(clue, approve=form.cleaned_data["decision"] == "approve",
                                    reason=form.cleaned_data["reason"], acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            if not is_admin_of(request.user, clue.target.jurisdiction):
                raise
            messages.error(request, str(error))  # his own clue: another admin decides it
        else:
            messages.success(request, _("已审批"))
    else:
        messages.error(request, _("请选择审批结果并填写审批意见"))
    return redirect(clue)


# --- imports ---------------------------------------------------------------------------------------------------


def _import_kind(kind: str) -> str:
    if kind not in IMPORTERS:
        raise Http404
    return kind


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    importer = importer_for(_import_kind(kind))
    # named like the registry's templates (检查对象名录库导入模板.xlsx), in the words of the page, not the URL's
    return xlsx_response(importer.template(), f"{importer.label}导入模板.xlsx")


@login_required
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    _import_kind(kind)
    if not is_any_admin(request.user):
        raise PermissionDenied(_("只有管理员可以导入数据"))
    form = ImportForm(request.POST or None, request.FILES or None, kind=kind)
    rejected = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.do_import(kind, upload, upload.name, acting_user=request.user,
                                        replace=form.cleaned_data.get("replace", False))
        except ImportRejected as error:
            rejected = error
            keep_rejected(request.session, "intake", upload, upload.name, error)
        else:
            forget_rejected(request.session)
            messages.success(request, _("已导入%(file)s：%(summary)s") % {"file": upload.name,
                                                                      "summary": result.summary()})
            return redirect("intake:import_upload", kind=kind)
    return render(request, "intake/import.html", {"form": form, "kind": kind, "importer": IMPORTERS[kind],
                                                  "rejected": rejected})


@login_required
def import_errors(request: HttpRequest) -> HttpResponse:
    """The last rejected upload given back with its problems marked (``tabular.annotate``)."""
    kept = rejected_download(request.session, "intake")
    if kept is None:
        raise Http404
    return xlsx_response(*kept)


# --- classification ----------------------------------------------------------------------------------------------


def _default_quarter(user, jurisdiction: Jurisdiction) -> tuple[int, int]:
    latest = (Classification.objects.visible_to(user)
              .filter(target__jurisdiction__path__startswith=jurisdiction.path)
              .order_by("-year", "-quarter").values_list("year", "quarter").first())
    if latest:
        return latest
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


@login_required
def classification_summary(request: HttpRequest) -> HttpResponse:
    user = request.user
    jurisdictions = _jurisdictions(user)
    chosen = params.number(request.GET.get("jurisdiction"))
    jurisdiction = (get_object_or_404(jurisdictions, pk=chosen) if chosen is not None
                    else user.jurisdiction or jurisdictions.filter(parent__isnull=True).first())
    if jurisdiction is None:
        raise Http404
    year, quarter = _default_quarter(user, jurisdiction)
    if params.year(request.GET.get("year")) is not None and request.GET.get("quarter") in ("1", "2", "3", "4"):
        year, quarter = int(request.GET["year"]), int(request.GET["quarter"])
    last_year, last_quarter = previous_quarter(year, quarter)
    rows = Classification.objects.visible_to(user).filter(target__jurisdiction__path__startswith=jurisdiction.path)
    labels = dict(Category.choices)
    # Counted by the database, grouped by (division, category, flags) and by (last quarter's category, this one's):
    # a province's quarter is some seventy thousand rows, which the page read into Python to count (1.3–1.6 s).
    previous = Subquery(Classification.objects.filter(target_id=OuterRef("target_id"), year=last_year,
                                                      quarter=last_quarter).values("category")[:1])
    current = rows.filter(year=year, quarter=quarter)
    groups = list(current.values_list("target__jurisdiction_id", "category", "positive_list", "on_site_eligible",
                                      "must_inspect").annotate(n=Count("pk")).order_by())
    counts: Counter = Counter()
    totals = {"all": 0, "positive_list": 0, "exempt": 0, "must_inspect": 0}
    for _place, category, positive, eligible, must, n in groups:
        counts[category] += n
        totals["all"] += n
        totals["positive_list"] += n if positive else 0
        totals["exempt"] += 0 if eligible else n
        totals["must_inspect"] += n if must else 0
    transitions = Counter({(old, new): n for old, new, n in current.annotate(before=previous)
                           .values_list("before", "category").annotate(n=Count("pk")).order_by() if old != new})
    # The rows whose category is not last quarter's, asked of the database rather than named by id: a province's
    # tens of thousands of ids in an IN list cost seconds to write and send, twice (the page and its count).
    same_as_before = Classification.objects.filter(target_id=OuterRef("target_id"), year=last_year,
                                                   quarter=last_quarter, category=OuterRef("category"))
    changed = (current.exclude(Exists(same_as_before)).annotate(before=previous)
               .select_related("target__jurisdiction").order_by("category", "target__name"))
    changed_page = params.Paginator(changed, PER_PAGE).get_page(request.GET.get("page"))
    for row in changed_page:
        row.previous = row.before
    children = jurisdiction.children.order_by("code")
    per_child = []
    if children:
        by_child: dict[int, Counter] = {}
        paths = {child.pk: child.path for child in children}
        jurisdiction_paths = dict(Jurisdiction.objects.filter(pk__in={group[0] for group in groups})
                                  .values_list("pk", "path"))
        for place, category, positive, _eligible, _must, n in groups:
            path = jurisdiction_paths[place]
            for child_id, child_path in paths.items():
                if path.startswith(child_path):
                    by_child.setdefault(child_id, Counter())[category] += n
                    by_child[child_id]["positive_list"] += n if positive else 0
                    by_child[child_id]["all"] += n
        per_child = [(child, by_child.get(child.pk, Counter())) for child in children]
    # The runs that classified this jurisdiction: its own, its counties', and a city's run over it. A run's
    # totals are shown only where they stay within the user's scope.
    runs = list(ClassificationRun.objects.visible_to(user).filter(year=year, quarter=quarter).filter(
        Q(jurisdiction__path__startswith=jurisdiction.path) | Q(jurisdiction__code__in=jurisdiction.ancestor_codes()))
        .select_related("jurisdiction", "run_by")[:10])
    for run in runs:
        run.totals_visible = user.is_superuser or (
            user.jurisdiction is not None and run.jurisdiction.path.startswith(user.jurisdiction.path))
    can_classify = is_admin_of(user, jurisdiction)
    next_year, next_quarter = rules.next_quarter(year, quarter)
    # The form proposes the next quarter once this one is classified, but not one that cannot be classified yet
    # (2027 Q2 in December 2026): then re-classifying the shown quarter, before its plan freezes, is what is due.
    proposed = (year, quarter)
    # A plan whose quarter was classified too early links here with ?reclassify=1: the shown quarter is what is due.
    if (groups and "reclassify" not in request.GET
            and services.classifiable_from(next_year, next_quarter) <= timezone.localdate()):
        proposed = (next_year, next_quarter)
    return render(request, "intake/classification_summary.html", {
        "jurisdiction": jurisdiction, "jurisdictions": jurisdictions, "year": year, "quarter": quarter,
        "period": quarter_label(year, quarter), "previous_period": quarter_label(last_year, last_quarter),
        "categories": [(value, labels[value], counts.get(value, 0)) for value in ("special", "key", "general")],
        "totals": totals,
        "had_previous": rows.filter(year=last_year, quarter=last_quarter).exists(),
        "transitions": sorted(((labels.get(old, _("（上季度未分类）")), labels[new], n)
                               for (old, new), n in transitions.items()), key=lambda t: (-t[2], t[0], t[1])),
        "page": changed_page, "query_string": _query_string(request),
        "per_child": per_child, "runs": runs, "can_classify": can_classify,
        "classify_form": ClassifyForm(jurisdictions=jurisdictions, initial={
            "jurisdiction": jurisdiction.pk, "year": proposed[0], "quarter": proposed[1]}) if can_classify else None,
        "previous_link": f"?jurisdiction={jurisdiction.pk}&year={last_year}&quarter={last_quarter}",
        "next_link": f"?jurisdiction={jurisdiction.pk}&year={next_year}&quarter={next_quarter}",
    })


@login_required
@require_POST
def classification_run(request: HttpRequest) -> HttpResponse:
    form = ClassifyForm(request.POST, jurisdictions=_jurisdictions(request.user))
    if not form.is_valid():
        messages.error(request, _("请选择行政区、年度和季度"))
        return redirect("intake:classification_summary")
    data = form.cleaned_data
    try:
        run = services.do_classify(year=data["year"], quarter=data["quarter"], jurisdiction=data["jurisdiction"],
                                   acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        counts = run.counts
        messages.success(request, ngettext(
            "已完成%(period)s分类：%(n)s家，特殊监管对象%(special)s家、重点排污单位%(key)s家、一般排污单位%(general)s家，"
            "正面清单%(positive)s家；类别变化%(changed)s家，已更新检查对象%(applied)s家",
            "已完成%(period)s分类：%(n)s家，特殊监管对象%(special)s家、重点排污单位%(key)s家、一般排污单位%(general)s家，"
            "正面清单%(positive)s家；类别变化%(changed)s家，已更新检查对象%(applied)s家", run.targets) % {
            "period": quarter_label(run.year, run.quarter), "n": run.targets, "special": counts["special"],
            "key": counts["key"], "general": counts["general"], "positive": counts["positive_list"],
            "changed": counts["changed"], "applied": counts["applied"]})
        for warning in run.warnings:
            messages.warning(request, warning)
    return redirect(reverse("intake:classification_summary")
                    + f"?jurisdiction={data['jurisdiction'].pk}&year={data['year']}&quarter={data['quarter']}")


@login_required
def target_classification(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target.objects.visible_to(request.user).select_related("jurisdiction"), pk=pk)
    return render(request, "intake/target_classification.html", {
        "target": target,
        "classifications": target.classifications.order_by("-year", "-quarter").select_related("run"),
        "history": TargetHistory.objects.filter(target=target, field__in=["category", "positive_list"])
        .select_related("recorded_by"),
        "category_labels": dict(Category.choices)})
