"""Excel in and out of 两库一单, and the quarterly list of new and defunct targets (动态管理)."""

import datetime
import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook

from shuangsuiji import params
from shuangsuiji.audit.services import system_language
from shuangsuiji.engine import policy as policies
from shuangsuiji.registry.excel import IMPORTERS, export_workbook
from shuangsuiji.registry.models import Jurisdiction, Recusal, TargetHistory, TargetStatus
from shuangsuiji.registry.services import do_import_registry
from shuangsuiji.registry.views import REGISTRIES, filtered, officers_private_to
from shuangsuiji.tabular.annotate import forget_rejected, keep_rejected, rejected_download
from shuangsuiji.tabular.importing import ImportRejected
from shuangsuiji.tabular.writer import as_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SLUG_OF = {"targets": "target", "inspectors": "inspector", "items": "checkitem", "recusals": "inspector"}
"""The list page each kind belongs to (recusals are kept with the inspectors)."""


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def with_shown_reason(queryset: QuerySet, user) -> QuerySet:
    """The recusals with ``shown_reason``, their reason as this reader may read it (as on the officer's page):
    for those who keep the officer's registry and for the officer himself; anyone else's export has it empty."""
    if user.is_superuser:
        return queryset.annotate(shown_reason=F("reason"))
    keeps = Q(inspector__in=officers_private_to(user).values("pk"))
    return queryset.annotate(shown_reason=Case(When(keeps, then=F("reason")), default=Value("")))


def with_shown_phone(queryset: QuerySet, user) -> QuerySet:
    """The inspectors with ``shown_phone``, the phone number this reader may see (``InspectorImporter.export_row``
    writes it): an officer's phone is for those who keep the registry and for himself, as on his page
    (``views._private_fields``); a leader's, a department's or another officer's export gets the column empty."""
    if user.is_superuser:
        return queryset.annotate(shown_phone=F("phone"))
    keeps = Q(pk__in=officers_private_to(user).values("pk"))
    return queryset.annotate(shown_phone=Case(When(keeps, then=F("phone")), default=Value("")))


def _importer(kind: str):
    if kind not in IMPORTERS:
        raise Http404
    return IMPORTERS[kind]


@login_required
def download_template(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer(kind)
    return xlsx_response(importer.template(), f"{importer.label}导入模板.xlsx")


@login_required
def export_list(request: HttpRequest, kind: str) -> HttpResponse:
    """The list page's rows (same scope, same filters) as a workbook that can be imported again."""
    importer = _importer(kind)
    registry = REGISTRIES[SLUG_OF[kind]]
    _form, queryset = filtered(registry, request)
    if kind == "recusals":
        # the recusals of the inspectors the list shows (same filters), through the recusals' own gate
        queryset = (Recusal.objects.visible_to(request.user)
                    .filter(inspector__in=queryset.order_by().values("pk"))
                    .select_related("inspector", "target")
                    .order_by("inspector__jurisdiction__path", "inspector__certificate_number", "target__credit_code"))
        queryset = with_shown_reason(queryset, request.user)
    elif kind == "items":
        queryset = queryset.select_related("jurisdiction", "specialty").prefetch_related("cooperating_departments")
    elif kind == "inspectors":
        queryset = with_shown_phone(queryset, request.user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(export_workbook(importer, queryset), f"{importer.label}-{stamp}.xlsx")


@login_required
def import_workbook(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer(kind)
    if not request.user.can_edit_registry:
        raise PermissionDenied(_("只有市局和分局管理员可以导入名录库"))
    origin = f"registry:{kind}"
    if request.GET.get("download") == "errors":
        kept = rejected_download(request.session, origin)
        if kept is not None:
            return xlsx_response(*kept)
    registry = REGISTRIES[SLUG_OF[kind]]
    context = {"importer": importer, "kind": kind, "list_url": registry.url("list"), "list_title": registry.title}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["problem"] = _("请选择要导入的 Excel 文件")
        else:
            try:
                summary = do_import_registry(kind, upload, upload.name, acting_user=request.user)
            except ImportRejected as rejected:
                keep_rejected(request.session, origin, upload, upload.name, rejected)
                context.update(rejected=rejected, file_name=upload.name)
                return render(request, "registry/excel_import.html", context, status=400)
            forget_rejected(request.session)
            messages.success(request, ngettext("导入完成：共 %(rows)s 行，新增 %(created)s，"
                                               "更新 %(updated)s，未变 %(unchanged)s",
                                               "导入完成：共 %(rows)s 行，新增 %(created)s，"
                                               "更新 %(updated)s，未变 %(unchanged)s",
                                               summary["rows"]) % summary)
            return redirect(context["list_url"])
    return render(request, "registry/excel_import.html", context)


def _quarter(request: HttpRequest) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        quarter = int(request.GET.get("quarter") or (today.month - 1) // 3 + 1)
    except ValueError as error:
        raise Http404 from error
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2100:
        raise Http404
    return year, quarter


def dynamic_changes(request: HttpRequest, year: int, quarter: int):
    """The quarter's new and defunct targets within the user's scope (and the chosen jurisdiction)."""
    first = datetime.date(year, 3 * quarter - 2, 1)
    last = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - datetime.timedelta(1)
    rows = (TargetHistory.objects.visible_to(request.user)
            .filter(field=TargetHistory.Field.STATUS, effective_date__range=(first, last))
            .select_related("target__jurisdiction").order_by("target__jurisdiction__path", "effective_date"))
    jurisdiction = None
    if request.GET.get("jurisdiction"):
        chosen = params.number(request.GET["jurisdiction"])  # not an id: no such jurisdiction (404, as below)
        jurisdiction = Jurisdiction.objects.visible_to(request.user).filter(pk=chosen).first() if chosen else None
        if jurisdiction is None:
            raise Http404
        rows = rows.filter(target__jurisdiction__path__startswith=jurisdiction.path)
    new = [row for row in rows if not row.old_value and row.new_value == TargetStatus.ACTIVE]
    defunct = [row for row in rows if row.new_value == TargetStatus.DEFUNCT]
    return first, last, jurisdiction, new, defunct


def _due(year: int, quarter: int) -> datetime.date | None:
    try:
        policy = policies.select(policies.load_all(), datetime.date(year, 3 * quarter - 2, 1))
    except LookupError:
        return None
    return policy.registry_upkeep.adjustment_due[quarter - 1].in_year(year)


@login_required
def dynamic_report(request: HttpRequest) -> HttpResponse:
    year, quarter = _quarter(request)
    first, last, jurisdiction, new, defunct = dynamic_changes(request, year, quarter)
    counts: dict[str, dict[str, int]] = {}
    for key, items in (("new", new), ("defunct", defunct)):
        for row in items:
            counts.setdefault(row.target.jurisdiction.name, {"new": 0, "defunct": 0})[key] += 1
    return render(request, "registry/dynamic_report.html", {
        "year": year, "quarter": quarter, "first": first, "last": last, "due": _due(year, quarter),
        "jurisdiction": jurisdiction, "new": new, "defunct": defunct, "counts": sorted(counts.items()),
        "jurisdictions": Jurisdiction.objects.visible_to(request.user).filter(level="county"),
        "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1), "quarters": range(1, 5),
        "query": request.GET.urlencode(),
    })


@login_required
def dynamic_report_export(request: HttpRequest) -> HttpResponse:
    year, quarter = _quarter(request)
    _first, _last, jurisdiction, new, defunct = dynamic_changes(request, year, quarter)
    book = Workbook(write_only=True)
    # In the system's language whoever downloads it, as the file name is: the county sends it to the city (按季度报送
    # 消亡企业, as the monthly and quarterly sheets of disclosure.report_books), and its rows are Chinese anyway.
    with system_language():
        for title, items in ((_("新增检查对象"), new), (_("消亡检查对象"), defunct)):
            sheet = book.create_sheet(title)
            # Excel's default width (8.43) showed the dates as ##### and cut the codes and names: wide enough for
            # each column's content (set before the rows, as a write-only sheet requires).
            for letter, width in zip("ABCDE", (14, 22, 36, 12, 30), strict=True):
                sheet.column_dimensions[letter].width = width
            sheet.append([_("行政区"), _("统一社会信用代码"), _("单位名称"), _("日期"), _("原因")])
            for row in items:
                sheet.append(as_text(sheet, [row.target.jurisdiction.name, row.target.credit_code, row.target.name,
                                             row.effective_date, row.reason]))
    buffer = io.BytesIO()
    book.save(buffer)
    scope = jurisdiction.name if jurisdiction else (request.user.jurisdiction.name if request.user.jurisdiction_id
                                                    else "")
    return xlsx_response(buffer.getvalue(), f"{scope}{year}年第{quarter}季度检查对象动态调整.xlsx")
