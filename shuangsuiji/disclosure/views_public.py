"""The public portal of 一公开 (/public/): no login, Chinese, phone first.

Plain views over ``disclosure.public``: every page and download reads only published data (released
snapshot rows, plans from their freeze on, the manifest as ``published_manifest`` gives it, active check
items). Every list also downloads as CSV (UTF-8 with a BOM, so Excel reads the Chinese) or JSON with the same
filters, streamed row by row so a national list does not sit in memory.
"""

import csv
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.core.paginator import Page
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shuangsuiji.disclosure import public
from shuangsuiji.disclosure.api import PublicThrottle
from shuangsuiji.disclosure.models import Outcome, Publication, PublishedResult
from shuangsuiji.fieldwork.models import Mode as ItemMode
from shuangsuiji.planning.models import Draw, DrawStatus, Plan, PlanKind, Stratum, bureau_name, said_plan_title
from shuangsuiji.planning.services import draw_revealed, published_manifest

PAGE_SIZE = 50
FORMATS = ("csv", "json")
TOOLS = Path(__file__).resolve().parents[2] / "tools"  # the repository's tools/, next to the package
DOCS = Path(__file__).resolve().parents[2] / "docs"  # the specifications the tools implement


# --- downloads -----------------------------------------------------------------------------------------------------


class _Echo:
    """csv.writer writes into this and gets the line back, so rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(kind: str, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    columns = public.COLUMNS[kind]
    yield "\ufeff" + writer.writerow([str(header) for _key, header in columns])
    for row in rows:
        yield writer.writerow([public.csv_cell(key, row.get(key)) for key, _header in columns])


def _json_chunks(filters: dict[str, Any], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield '{"filters": ' + json.dumps(filters, ensure_ascii=False) + ', "results": ['
    first = True
    for row in rows:
        yield ("" if first else ",") + "\n" + json.dumps(row, ensure_ascii=False, default=str)
        first = False
    yield "\n]}\n"


def download(request: HttpRequest, kind: str, form, rows: Iterable[Any],
             to_row: Callable[[Any], dict[str, Any]] = public.row_dict, *, named: dict[str, Any] | None = None
             ) -> HttpResponse:
    """The list as ``?format=csv|json``; a filter that cannot be read is a 400 saying which and why."""
    fmt = request.GET.get("format", "")
    # The downloads are the heaviest answers of the portal (a year's results in one file): they count against
    # the same limit per address as the open-data API, or they would be the way around it.
    throttle = PublicThrottle()
    if not throttle.allow_request(request, None):
        wait = math.ceil(throttle.wait() or 1)
        response = HttpResponse(_("请求过于频繁，请 %(seconds)s 秒后再试") % {"seconds": wait}, status=429,
                                content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(wait)
        return response
    if fmt not in FORMATS:
        return HttpResponseBadRequest(_("format 参数应为 csv 或 json，收到“%(value)s”") % {"value": fmt},
                                      content_type="text/plain; charset=utf-8")
    if form is not None and not form.is_valid():
        errors = {name: [str(e) for e in messages] for name, messages in form.errors.items()}
        return HttpResponse(json.dumps({"errors": errors}, ensure_ascii=False), status=400,
                            content_type="application/json; charset=utf-8")
    filters = form.active() if form is not None else {}
    dicts = (to_row(obj) for obj in rows)
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(kind, dicts), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_json_chunks(filters, dicts), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(kind, named or filters)}.{fmt}"'
    return response


def download_name(kind: str, filters: dict[str, Any]) -> str:
    """The file's name says what was asked for (``results-130623-2026-04-problem``): a reader downloading a few
    months or places gets files that do not overwrite one another. Only the ASCII letters, digits and dashes of
    each filter's value are kept (a name searched for in Chinese is left out rather than mangled), in the
    filter form's order. A month is written with two digits whichever way it was typed (2026-4 → 2026-04), as
    the other downloads name a month."""
    parts = [kind]
    for key, value in filters.items():
        month = public.MONTH.fullmatch(str(value)) if key == "month" else None
        if month:
            value = f"{month.group(1)}-{int(month.group(2)):02d}"
        cleaned = re.sub(r"[^0-9A-Za-z-]+", "", str(value))
        if cleaned:
            parts.append(cleaned[:32])
    return "-".join(parts)


def _iterate(queryset, chunk: int = 2000):
    return queryset.iterator(chunk_size=chunk)


def _query(request: HttpRequest) -> str:
    """The request's filters without the page number, for page links and download links."""
    return urlencode([(k, v) for k, v in request.GET.items() if k not in ("page", "format") and v])


def _page(request: HttpRequest, rows: QuerySet, size: int = PAGE_SIZE, *, ids_first: bool = False) -> Page:
    return public.PublicPaginator(rows, size, ids_first=ids_first).get_page(request.GET.get("page"))


def _jurisdictions(form: public.PublicFilter) -> list[tuple[str, str]]:
    """The filter's drill-down choices, opened along the way to the place the request names."""
    return public.jurisdiction_choices(public.chosen_jurisdiction(form))


def _list_context(request: HttpRequest, form, page, **extra) -> dict[str, Any]:
    # A search for a mistyped credit code says so, instead of only "nothing found" (public.credit_code_hint).
    return {"form": form, "page": page, "query": _query(request),
            "code_hint": public.credit_code_hint(request.GET.get("q", "")), **extra}


# --- pages ---------------------------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    releases = (Publication.objects.published().select_related("jurisdiction")
                .order_by("-released_at", "-id")[:10])
    return render(request, "disclosure/public/home.html", {"releases": releases})


def items(request: HttpRequest) -> HttpResponse:
    form, rows = public.check_items(request.GET)
    if "format" in request.GET:
        return download(request, "items", form, _iterate(rows))
    page = _page(request, rows)
    for item in page:
        # The method is typed in the catalogue; the default the system fills in (现场检查) is said in the reader's.
        item.method = public.stored_label(item.check_method, ItemMode)
    return render(request, "disclosure/public/items.html", _list_context(
        request, form, page, jurisdictions=_jurisdictions(form)),
        status=200 if form.is_valid() else 400)


def annual_list(request: HttpRequest) -> HttpResponse:
    form, rows = public.listed_targets(request.GET)
    if "format" in request.GET:
        return download(request, "list", form, _iterate(rows))
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return render(request, "disclosure/public/list.html", _list_context(
        request, form, _page(request, rows), year=year or public.latest_list_year(),
        jurisdictions=_jurisdictions(form)), status=200 if form.is_valid() else 400)


def plans(request: HttpRequest) -> HttpResponse:
    if "format" in request.GET:  # the downloads carry the check items' codes; the page does not show them
        form, rows = public.plans(request.GET)
        return download(request, "plans", form, _iterate(rows, 200))
    form, rows = public.plans(request.GET, item_codes=False)
    page = _page(request, rows, 20)
    for plan in page:
        # The strata the draw takes; the check-only ones (positive list, joint) are not "to be drawn".
        plan.drawn_counts = public.strata_counts(s for s in plan.strata.all() if s.drawn)
    # Every county of the city for the quarter, those that published nothing too (public.quarter_overview).
    overview = public.quarter_overview(form, timezone.localdate())
    hint = _("选择年度和季度，可查看各县（市、区）该季度抽查计划的公开情况。") \
        if overview is None and form.is_valid() else ""
    return render(request, "disclosure/public/plans.html", _list_context(
        request, form, page, jurisdictions=_jurisdictions(form), overview=overview, overview_hint=hint),
        status=200 if form.is_valid() else 400)


def _selection(draw: Draw, names: dict[str, str]) -> list[dict[str, Any]]:
    """The revealed manifest's selection per stratum, with names from the published lists."""
    strata = []
    for stratum in (draw.manifest or {}).get("strata", []):
        name = stratum.get("name", "")
        strata.append({"name": name, "label": Stratum(name).label if name in Stratum.values else name,
                       "quota": stratum.get("quota"),
                       "selected": [{"id": s["id"], "name": names.get(s["id"], ""), "via": s.get("via", "")}
                                    for s in stratum.get("selected", [])]})
    return strata


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.published().select_related("jurisdiction", "department", "cross"), pk=pk)
    revealed = plan.revealed_at is not None
    draws = list(public.public_draws().filter(plan=plan).prefetch_related("verifications"))
    shown = []
    for draw in draws:
        draw.plan = plan  # the status check reads plan.revealed_at; no query per draw
        entry = {"draw": draw, "status": public.draw_status(draw), "superseded": draw.status == DrawStatus.SUPERSEDED,
                 "revealed": draw_revealed(draw, plan)}  # the plan's reveal did not publish a later re-draw's secret
        if draw.manifest:
            # The sealed manifest's file hash, before the reveal and after it alike: noted from the page before the
            # reveal, it lets a reader hold the sealed file served after it to the one served at the draw.
            entry["sealed_sha256"] = sealed_sha256(draw)
        if entry["revealed"] and draw.manifest:
            codes = [s["id"] for st in draw.manifest.get("strata", []) for s in st.get("selected", [])]
            entry["selection"] = _selection(draw, public.names_for(codes, plan.year))
        shown.append(entry)
    # The draw in force (a re-draw's, not the one it superseded), whose inputs hash stands under the title: what the
    # verifier prints first, so a reader tells which plan a manifest is of (a place's regular and joint plans of a
    # quarter have the same year, quarter and division code).
    current = next((entry["draw"] for entry in shown if not entry["superseded"] and entry["draw"].inputs_hash), None)
    return render(request, "disclosure/public/plan_detail.html", {
        "plan": plan, "strata": plan.strata.order_by("id"), "draws": shown, "revealed": revealed,
        "bureau": bureau_name(plan.jurisdiction),  # whose record the selection hash rests on (not "本局": whose?)
        "current_draw": current,
        # a joint plan's departments, as its draw's inputs name them (verify_draw.py says them with the kind)
        "departments": list(plan.departments.order_by("name").values_list("name", flat=True)) if plan.is_joint else [],
        # its results, published month by month: how many are out, and when the rest are due
        "result_count": PublishedResult.objects.published().filter(plan_id=plan.pk).count(),
        # the day it counts as published (its first draw) and whether that was late, as the overview says
        "timing": public.plan_timing(plan, timezone.localdate()),
        "results_due": public.plan_results_due(plan, timezone.localdate()),
        "check_items": plan.check_items.filter(is_active=True).order_by("code")})


def manifest(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The manifest as published now: sealed (no secret, no selection) until the plan is revealed."""
    draw = get_object_or_404(Draw.objects.select_related("plan").filter(plan__in=Plan.objects.published()),
                             plan_id=pk, number=number, manifest__isnull=False)
    body, complete = published_manifest(draw)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    state = "complete" if complete else "sealed"
    response["X-Manifest-State"] = state
    response["Content-Disposition"] = f'inline; filename="{manifest_filename(pk, number, state)}"'
    return response


def manifest_sealed(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The sealed manifest, also after the reveal: a reader who did not save it at the draw still needs it for the
    verifier's ``--sealed`` check. It is not a stored copy but ``seal`` of the stored manifest, the very function
    and layout the draw's page served before the reveal; nothing it reads changes after the draw (a substitution
    only appends to ``substitutions`` and the assignment), so the bytes are the same — the file hash on the plan
    page, shown since the draw, lets anyone check that."""
    draw = get_object_or_404(Draw.objects.select_related("plan").filter(plan__in=Plan.objects.published()),
                             plan_id=pk, number=number, manifest__isnull=False)
    body, _complete = published_manifest(draw, sealed=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["X-Manifest-State"] = "sealed"
    response["Content-Disposition"] = f'inline; filename="{manifest_filename(pk, number, "sealed")}"'
    return response


def sealed_sha256(draw: Draw) -> str:
    """SHA-256 of the sealed manifest's bytes as the portal serves them (``sha256sum`` of the downloaded file)."""
    return hashlib.sha256(published_manifest(draw, sealed=True)[0].encode("utf-8")).hexdigest()


def manifest_filename(plan_id: int, number: int, state: str) -> str:
    """The name a downloaded manifest is saved under: the verify page's commands use it, so they run as written."""
    return f"plan{plan_id}-draw{number}-{state}.json"


def results(request: HttpRequest) -> HttpResponse:
    form, rows = public.results(request.GET)
    if "format" in request.GET:
        return download(request, "results", form, _iterate(rows))
    # Ids first, as the API pages: the same pager, so the page does not pay for skipping unreleased rows.
    page = _page(request, rows.select_related("publication").only(*public.RESULT_LIST_FIELDS), ids_first=True)
    public.mark_late_releases(page.object_list)
    plan = form.cleaned_data.get("plan") if form.is_valid() else None
    return render(request, "disclosure/public/results.html", _list_context(
        request, form, page, jurisdictions=_jurisdictions(form), outcomes=Outcome.choices,
        plan_kinds=PlanKind.choices, plan=plan,
        results_due=public.plan_results_due(plan, timezone.localdate()) if plan else None),
        status=200 if form.is_valid() else 400)


def result_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    result = public.result(public_id)
    if result is None:
        raise Http404(_("没有这条已公开的抽查结果"))
    corrections = [{"correction": c, "changes": public.correction_changes(c)} for c in public.corrections(result)]
    items = public.readable_items(result.items)
    notes = [{"field": public.redaction_field_label(n.get("field", "")),
              "basis": public.basis_label(n.get("basis", "")), "article": public.basis_article(n.get("basis", ""))}
             for n in result.redactions]
    return render(request, "disclosure/public/result_detail.html", {
        "result": result, "items": items, "mode": public.stored_label(result.mode, ItemMode),
        "plan_label": said_plan_title(result.plan_label), "problems": public.readable_problems(result.problems),
        "withheld": result.outcome == Outcome.WITHHELD, "notes": notes,
        "withheld_basis": public.basis_label(result.withheld_basis), "corrections": corrections,
        "withheld_article": public.basis_article(result.withheld_basis),
        "name_masked": any(n.get("field") == "target_name" for n in result.redactions),
        "release": public.release_timing(result.publication),
        "plan_public": result.plan_id and Plan.objects.published().filter(pk=result.plan_id).exists()})


def target(request: HttpRequest, credit_code: str) -> HttpResponse:
    found, listed = public.target_history(credit_code)
    if "format" in request.GET:
        return download(request, "results", None, _iterate(found.defer(None)),
                        named={"credit_code": credit_code})
    found_rows, listed_rows = public.mark_late_releases(list(found[:500])), list(listed)
    if not found_rows and not listed_rows:
        raise Http404(_("没有该统一社会信用代码的已公开信息"))
    name = next((r.name for r in listed_rows), "") or next((r.target_name for r in found_rows if r.target_name), "")
    return render(request, "disclosure/public/target.html", {
        "credit_code": credit_code.upper(), "name": name, "results": found_rows, "listed": listed_rows})


def verify(request: HttpRequest) -> HttpResponse:
    # A draw the reveal published (drawn before it): a re-draw made after the reveal keeps its seed (draw_revealed).
    example = (Draw.objects.filter(plan__in=Plan.objects.published().filter(revealed_at__isnull=False),
                                   manifest__isnull=False, drawn_at__lte=F("plan__revealed_at"))
               .exclude(status=DrawStatus.SUPERSEDED)
               .select_related("plan__jurisdiction", "plan__department").order_by("-plan__revealed_at").first())
    stratum = None
    if example is not None:
        # A stratum without weights, to show the consistent-sampler command with real values.
        inputs = example.manifest.get("inputs", {})
        for spec, drawn in zip(inputs.get("strata", []), example.manifest.get("strata", []), strict=False):
            if not spec.get("weighted") and spec.get("targets"):
                others = [t[0] for t in spec["targets"] if not t[2]]
                must = len(spec["targets"]) - len(others)
                first = [s["id"] for s in drawn.get("selected", []) if s.get("via") == "ticket"][:3]
                name = spec.get("name", "")
                stratum = {"name": name, "label": Stratum(name).label if name in Stratum.values else name,
                           "seed": drawn.get("seed", ""),
                           "take": spec.get("quota", 0) - must, "count": len(others), "first": first}
                break
    filename = manifest_filename(example.plan_id, example.number, "complete") if example is not None else ""
    return render(request, "disclosure/public/verify.html", {"example": example, "stratum": stratum,
                                                             "filename": filename})


def tool(request: HttpRequest, name: str) -> HttpResponse:
    """tools/verify_draw.py and the verify_assignment.py it imports, served as they are in the repository; and the
    specifications they implement (docs/draw-spec.md, docs/assignment-spec.md), which the verify page and the
    programs themselves cite, as plain text to read in the browser."""
    if name in ("draw-spec.md", "assignment-spec.md"):
        response = HttpResponse((DOCS / name).read_bytes(), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    if name not in ("verify_draw.py", "verify_assignment.py"):
        raise Http404
    response = HttpResponse((TOOLS / name).read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _status_row(draw: Draw) -> dict[str, Any]:
    return public.row_dict(public.draw_status(draw))


def verification(request: HttpRequest) -> HttpResponse:
    form, draws = public.verification(request.GET)
    if "format" in request.GET:
        return download(request, "verification", form, _iterate(draws, 200), _status_row)
    page = _page(request, draws)
    return render(request, "disclosure/public/verification.html", _list_context(
        request, form, page, rows=[public.draw_status(d) for d in page], jurisdictions=_jurisdictions(form)),
        status=200 if form.is_valid() else 400)

