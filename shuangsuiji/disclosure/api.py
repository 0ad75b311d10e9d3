"""The read-only public JSON API of 一公开 (/api/public/): the portal's data for anyone, without login.

It serves what the portal pages and downloads serve — the same querysets, filter forms and rows of
``disclosure.public`` — plus, where a program needs it, a few ids the pages show as links (a result's
jurisdiction code, a plan's strata and draws). Like the pages it reads only published data — released
batches' snapshot rows, plans from their freeze, manifests as ``published_manifest`` gives them, active check
items — never an internal table (DESIGN §5). Ids are the stable public ones: a result's ``public_id``, a
target's credit code, a plan's id. Lists are paged by page number in a fixed order, so a client walking the
pages sees each row once while nothing is published meanwhile; a copy of the results is kept in sync with
``changed_since`` and the cursor of ``next`` instead (``ResultList``, docs/publication.md). A parameter the API
does not know, or a value it cannot read, is a 400 that names the parameter: a typo must not silently return
everything.
"""

import base64
import binascii
import re
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.throttling import AnonRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from shuangsuiji import params
from shuangsuiji.apifields import describe_fields
from shuangsuiji.disclosure import public
from shuangsuiji.disclosure.models import Correction, Outcome, PublishedResult
from shuangsuiji.planning.models import Draw, Plan, PlanKind, PlanStratum
from shuangsuiji.planning.services import draw_revealed, published_manifest
from shuangsuiji.punctuation import join_sep

# --- the common parts: throttle, paging, parameters --------------------------------------------------------------


class PublicThrottle(AnonRateThrottle):
    """Per client address, at ``settings.PUBLIC_API_RATE`` (None: off, as in tests and the benchmark). Read on
    each request rather than at import, so settings overrides take effect."""

    scope = "public"

    def get_rate(self) -> str | None:
        return getattr(settings, "PUBLIC_API_RATE", None)

    def get_ident(self, request) -> str:
        return params.client_address(request)  # the address the sign-in records name too


COUNT_LIMIT = public.PublicPaginator.limit
"""Lists count at most this many rows (as the registry pages do): an exact COUNT(*) over a year of national
results costs more than the page itself. Beyond it ``count_capped`` is true; pages still go on through ``next``."""


class _Page:
    """What DRF's link building needs of a page, without a paginator that must count everything first."""

    def __init__(self, rows: list, number: int, has_next: bool) -> None:
        self.rows, self.number, self._has_next = rows, number, has_next

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


MAX_PAGE = 10**9
"""No list has this many pages (500 million rows at the smallest page size)."""


class PublicPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        # a blank one is none, as a blank filter is (and the staff APIs' blank page): "?page_size= " too, which a
        # form's field left with a space sends, was a 400 where "?page_size=" was the default
        if not raw or not raw.strip():
            return self.page_size
        size = params.number(raw, low=1, high=self.max_page_size)
        if size is None:
            raise ValidationError({"page_size": [_("每页条数应为 1 到 %(max)s 的整数，收到“%(value)s”") % {
                "max": self.max_page_size, "value": raw}]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param, "").strip() or "1"  # blank: the first, as empty
        number = params.number(raw, low=1)
        written = params.digits(raw)  # a page too is read in full-width digits, as every number is (params.number)
        if number is None and written.isascii() and written.isdigit() and written.strip("0"):
            number = MAX_PAGE + 1  # more digits than any page: past the last one, as said below
        if number is None:
            raise ValidationError({"page": [_("页码应为从 1 起的整数，收到“%(value)s”") % {"value": raw}]})
        offset = (number - 1) * size
        # The portal pages' pager (ids first where the view asks for it, the capped count), read by offset:
        # unlike a page, a client may walk on past the counted rows through ``next``.
        pager = public.PublicPaginator(queryset, size, ids_first=getattr(view, "ids_first", False),
                                       limit=COUNT_LIMIT)
        # One more than the page: is there a next one? A page past MAX_PAGE has no rows, and its offset would not
        # fit the database's integer (a 500 on SQLite and PostgreSQL alike).
        rows = pager.rows(offset, offset + size + 1) if number <= MAX_PAGE else []
        self.counted, self.capped = pager.count, pager.capped
        if number > 1 and not rows[:size]:
            pages = -(-self.counted // size) or 1
            message = ngettext("页码超出范围：共 %(pages)s 页", "页码超出范围：共 %(pages)s 页", pages)
            raise ValidationError({"page": [message % {"pages": pages}]})
        self.page = _Page(rows[:size], number, len(rows) > size)
        self.request = request
        return rows[:size]

    def get_paginated_response(self, data) -> Response:
        return Response({
            "count": self.counted, "count_capped": self.capped,
            "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_capped"] = {"type": "boolean", "example": False,
                                                  "description": "总条数超过 10,000 时为 true，count 为 10000"}
        return response


class PublicView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # no session, hence no CSRF: the API is for anyone
    throttle_classes = [PublicThrottle]


class PublicListView(PublicView):
    """A list: the filter form of ``disclosure.public`` reads the parameters, a bad one is a 400 naming it."""

    allowed_params: tuple[str, ...] = ()
    """Filter parameters this list reads; anything else but paging is refused."""

    def params(self) -> dict[str, str]:
        query = self.request.query_params
        known = {*self.allowed_params, "page", "page_size", "format"}
        unknown = sorted(set(query) - known)
        if unknown:
            raise ValidationError({name: [_("未知参数；可用参数：%(known)s") % {"known": join_sep(sorted(known))}]
                                   for name in unknown})
        # Given twice (?year=2026&year=2025), a parameter was read as its last value and the other ignored: a
        # client that meant both, or built the address by appending, got one year's rows without a word.
        repeated = sorted(name for name in query if len(query.getlist(name)) > 1)
        if repeated:
            raise ValidationError({name: [_("参数只能给一次，收到 %(count)s 个值：%(values)s") % {
                "count": len(query.getlist(name)), "values": join_sep(query.getlist(name))}] for name in repeated})
        # A NUL would reach the database, which PostgreSQL refuses with a 500 (the filter forms check it too).
        with_nul = sorted(name for name in self.allowed_params if "\x00" in query.get(name, ""))
        if with_nul:
            raise ValidationError({name: [str(ProhibitNullCharactersValidator.message)] for name in with_nul})
        return {name: query[name].strip() for name in self.allowed_params if query.get(name, "").strip()}

    def rows(self, params: dict[str, str]) -> QuerySet | list:
        raise NotImplementedError

    def row(self, obj: Any) -> dict[str, Any]:
        return public.row_dict(obj)

    def get(self, request) -> Response:
        paginator = PublicPagination()
        page = paginator.paginate_queryset(self.rows(self.params()), request, self)
        return paginator.get_paginated_response([self.row(obj) for obj in page])


def valid(form_and_rows: tuple[Any, Any]) -> Any:
    form, rows = form_and_rows
    if not form.is_valid():
        raise ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    return rows


# The bounds and forms each parameter is read with (the filter forms of disclosure.public, PublicPagination): the
# schema said a bare integer or string, so a client built from it (and a fuzzer checking the API against it) sent
# page 0, quarter 7 or month "abc" as valid values and was refused with a 400 the schema did not explain.
PARAMETER_DOCS = {
    "jurisdiction": (str, gettext_noop("行政区划代码，含下级，如 130623")),
    "year": ({"type": "integer", "minimum": 2000, "maximum": 2100}, gettext_noop("年度，如 2026")),
    "quarter": ({"type": "integer", "minimum": 1, "maximum": 4}, gettext_noop("季度 1–4")),
    "month": ({"type": "string", "pattern": r"^(20[0-9]{2}|2100)-(0?[1-9]|1[0-2])$"},
              gettext_noop("检查月份 YYYY-MM，如 2026-03")),
    "inspected_from": ({"type": "string", "format": "date"},
                       gettext_noop("检查日期从 YYYY-MM-DD（含当日），如 2026-03-01；可与 month 同时使用")),
    "inspected_to": ({"type": "string", "format": "date"},
                     gettext_noop("检查日期到 YYYY-MM-DD（含当日），不得早于 inspected_from")),
    "plan_kind": ({"type": "string", "enum": list(PlanKind.values)},
                  gettext_noop("计划类型：regular 双随机抽查，joint 内部联合抽查，clue 线索核查，"
                               "cross 跨部门联合抽查")),
    "plan": ({"type": "integer", "minimum": 1, "maximum": params.MAX_ID}, gettext_noop(
        "只列出这一份已公开抽查计划的结果：计划的编号，即计划列表中的 id；不是已公开计划的编号时回答 400")),
    "industry": (str, gettext_noop("行业代码前缀（国民经济行业分类），如 C、C26 或 26：带不带门类字母的代码都能查到")),
    "outcome": ({"type": "string", "enum": list(Outcome.values)},
                gettext_noop("检查结果：ok 未发现问题，problem 发现问题，withheld 依法不予公开")),
    "q": ({"type": "string", "maxLength": 64}, gettext_noop("单位名称的一部分，或 18 位统一社会信用代码，或公开编号")),
    "public_id": (str, gettext_noop("抽查结果的公开编号")),
    # What the open-data page's table says, true of both lists that take it; each list's schema has its own
    # reading (RESULT_SYNC_DOCS, PLAN_SYNC_DOCS): this one said "results" of the plans list too.
    "changed_since": (datetime, gettext_noop(
        "抽查结果和抽查计划的列表：只列出此时刻及以后公开或有变化的行（结果：公开、更正或其他变化；计划：审定冻结后"
        "公开的内容的每次变化，见各自的 changed_at），按最近变更时间从早到晚排列、用 next 地址（after 游标）翻页，"
        "供保持一份副本同步；带时区偏移的 ISO 8601 时间，如 2026-03-01T00:00:00+08:00，地址中的“+”写作 %2B。"
        "取上次读到的最晚的 changed_at 减去几分钟，不要用本机时钟。"
        "已公开的结果和计划都不会被删除，副本不必删除任何行")),
    "after": (str, gettext_noop(
        "游标：上一页回答的 next 地址所带的值，从上一页最后一行之后接着读；原样使用，不要自己拼写")),
    "page": ({"type": "integer", "minimum": 1}, gettext_noop("页码，从 1 起")),
    "page_size": ({"type": "integer", "minimum": 1, "maximum": PublicPagination.max_page_size},
                  gettext_noop("每页条数，默认 50，最多 500")),
}


_ROWS: dict[str, type] = {}

# What each key of a public row holds, as public.row_dict writes it. The schema said nothing of it (every key was
# "any value"), so a client generated from it typed every field as unknown, and nothing held the rows to a type.
# A time or a value not there yet (revealed_at before the reveal, corrected_at of a result never corrected, a
# plan's secret) is an empty string, never null, as in the downloads.
_TEXT: dict[str, Any] = {"type": "string"}
_TIME: dict[str, Any] = {"type": "string", "pattern": r"^$|^\d{4}-\d{2}-\d{2}T"}  # ISO 8601 with offset, or ""
_WHOLE: dict[str, Any] = {"type": "integer"}
_YES_NO: dict[str, Any] = {"type": "boolean"}
_OBJECTS: dict[str, Any] = {"type": "array", "items": {"type": "object"}}
ROW_TYPES: dict[str, dict[str, Any]] = {
    "id": _WHOLE, "year": _WHOLE, "quarter": {"type": "integer", "minimum": 1, "maximum": 4},
    "requested": _WHOLE, "draw": _WHOLE, "plan_id": {"type": "integer", "nullable": True},
    "is_key_unit": _YES_NO, "applies_general": _YES_NO, "applies_key": _YES_NO, "applies_special": _YES_NO,
    "inspected_on": {"type": "string", "format": "date"},
    "changed_at": {"type": "string", "format": "date-time"}, "corrected_at": _TIME, "drawn_at": _TIME,
    "revealed_at": _TIME, "checked_at": _TIME,
    "state": {"type": "string", "enum": ["sealed", "unchecked", "verified", "failed"]},
    "manifest_url": {"type": "string", "format": "uri"},
    "items": {"type": "array", "items": {"type": "object", "properties": {
        "code": _TEXT, "name": _TEXT, "outcome": _TEXT}}},
    "problems": _OBJECTS, "changes": _OBJECTS,
    "redactions": {"type": "array", "items": {"type": "object", "properties": {"field": _TEXT, "basis": _TEXT},
                                              "required": ["field", "basis"]}},
    "check_items": {"type": "array", "items": _TEXT},
    "before": {"type": "object"}, "after": {"type": "object"},
}
_TYPED: dict[str, type] = {}
NESTED_ROWS: dict[str, type] = {}
"""Row keys holding a list of what a serializer writes (a plan's strata and draws, a result's corrections): the
schema says each one's keys and types from it. Filled in below, where the serializers are defined."""


def _typed_field(key: str, text: str) -> serializers.Field:
    """The schema's field for row key ``key``: its type from ROW_TYPES (text when not listed), described. A result's
    outcome is the model's choice field, so the schema names its enum as ENUM_NAME_OVERRIDES says (PublicOutcomeEnum)
    beside the field records' outcome (ok, problem, na)."""
    if key == "outcome":
        return serializers.ChoiceField(choices=Outcome.choices, help_text=gettext_lazy(text))
    if key not in _TYPED:
        _TYPED[key] = extend_schema_field(ROW_TYPES.get(key, _TEXT))(
            type(f"Public{key.title().replace('_', '')}Field", (serializers.JSONField,), {}))
    return _TYPED[key](help_text=gettext_lazy(text))


def _row_serializer(fields: dict[str, str]) -> type:
    """A serializer only for the schema: the row's keys, each typed and described (the rows come from
    public.row_dict)."""
    name = "Public" + "".join(part.title() for part in fields.get("__name__", "row").split("_"))
    if name not in _ROWS:
        _ROWS[name] = type(name, (serializers.Serializer,), {
            key: (NESTED_ROWS[key](many=True, help_text=gettext_lazy(text)) if key in NESTED_ROWS
                  else _typed_field(key, text))
            for key, text in fields.items() if key != "__name__"})
    return _ROWS[name]


def documented(fields: dict[str, str], *names: str, many: bool = True, path: list | None = None,
               description: str = "", parameters: dict[str, tuple[Any, str]] | None = None):
    """The schema of a list (or one object, with its ``path`` parameters): what it is (``description``, a lazy
    text: drf-spectacular took the view's docstring, English in either language), its filter and paging
    parameters and its rows, each described."""
    row = _row_serializer(fields)
    if not many:
        return _named(responses=row, parameters=path or [], description=description)
    page = type(f"{row.__name__}Page", (serializers.Serializer,), {
        "count": serializers.IntegerField(help_text=gettext_lazy("总条数，最多 10,000")),
        "count_capped": serializers.BooleanField(help_text=gettext_lazy("总条数超过 10,000 时为 true")),
        "next": serializers.URLField(allow_null=True, help_text=gettext_lazy("下一页的地址，没有时为 null")),
        "previous": serializers.URLField(allow_null=True, help_text=gettext_lazy("上一页的地址，没有时为 null")),
        "results": row(many=True, help_text=gettext_lazy("本页各行"))})
    # ``parameters``: this list's own reading of a parameter another list shares (changed_since of plans)
    documents = (((parameters or {}).get(n) or PARAMETER_DOCS[n]) for n in (*names, "page", "page_size"))
    documents = zip((*names, "page", "page_size"), documents, strict=True)
    # lazy, so the schema says them in the reader's language (the texts were Chinese in the English schema, though
    # the open-data page has them in English)
    return _named(parameters=[OpenApiParameter(name, kind, description=gettext_lazy(text))
                              for name, (kind, text) in documents],
                  responses=page, description=description)


def _named(**kwargs):
    """The view's GET documented by ``kwargs`` and named after the view (ResultList → ``public_result_list``): a
    plain GET view is a "retrieve" to drf-spectacular, so a list and its detail would otherwise share a name and
    be told apart by a number."""

    def decorate(view):
        name = "public_" + "_".join(word.lower() for word in re.findall(r"[A-Z][a-z]*", view.__name__))
        return extend_schema_view(get=extend_schema(operation_id=name, **kwargs))(view)

    return decorate


def fields_of(kind: str, **extra: str) -> dict[str, str]:
    """The row keys of a list as documented: the download's columns (public.COLUMNS) and what the API adds."""
    described = {key: str(label) for key, label in public.COLUMNS.get(kind, [])}
    return {**described, **extra}


# --- check items ---------------------------------------------------------------------------------------------------

ITEM_FIELDS = {**fields_of("items"), "list_level": gettext_noop("清单层级"),
               "applies_general": gettext_noop("适用一般排污单位"), "applies_key": gettext_noop("适用重点排污单位"),
               "applies_special": gettext_noop("适用特殊监管对象"),
               "industries": gettext_noop("适用行业：国民经济行业分类（GB/T 4754-2017）代码或其开头，以空格隔开，"
                                          "行业代码以其中之一开头的检查对象才检查本事项；空为所有行业"),
               "__name__": "check_item"}


@documented(ITEM_FIELDS, "jurisdiction", description=gettext_lazy(
    "随机抽查事项清单：在用的抽查事项；加 jurisdiction 时为适用于该行政区的（本级及上级的清单）"))
class CheckItemList(PublicListView):
    """随机抽查事项清单: the items in use; with ``jurisdiction``, those that apply there (its own and its
    ancestors' lists)."""

    allowed_params = ("jurisdiction",)

    def rows(self, params):
        return valid(public.check_items(params))


# --- the year's list -----------------------------------------------------------------------------------------------

LIST_FIELDS = {**fields_of("list"), "__name__": "listed_target"}


@documented(LIST_FIELDS, "year", "jurisdiction", "industry", "q", description=gettext_lazy(
    "随机抽查对象名录：已公开的年度名录各行，不加 year 时为各年的"))
class ListedTargetList(PublicListView):
    """随机抽查对象名录: rows of released annual lists, every year unless ``year`` says which."""

    allowed_params = ("year", "jurisdiction", "industry", "q")

    def rows(self, params):
        return valid(public.listed_targets(params, default_year=False))


# --- plans and draws -----------------------------------------------------------------------------------------------


class StratumSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_stratum_display")
    shortfall_state = serializers.CharField(source="get_shortfall_state_display")

    class Meta:
        model = PlanStratum
        fields = ["stratum", "label", "population", "minimum", "must_include", "requested", "drawn", "explanation",
                  "citation", "shortfall_state"]


class DrawSerializer(serializers.ModelSerializer):
    """What of a draw is public grows with the ceremony; the secret and seed only once the plan is revealed."""

    status = serializers.CharField(source="get_status_display")
    secret = serializers.SerializerMethodField()
    seed = serializers.SerializerMethodField()
    manifest_url = serializers.SerializerMethodField()
    manifest_sealed_url = serializers.SerializerMethodField()
    manifest_complete = serializers.SerializerMethodField()

    class Meta:
        model = Draw
        fields = ["number", "status", "inputs_hash", "frozen_at", "commitment", "committed_at", "public_source",
                  "public_value", "public_reference", "drawn_at", "secret", "seed", "manifest_url",
                  "manifest_sealed_url", "manifest_complete"]

    def _revealed(self, draw: Draw) -> bool:
        return draw_revealed(draw)  # not the plan's reveal alone: a later re-draw keeps its secret

    def get_secret(self, draw: Draw) -> str | None:
        return (draw.secret or None) if self._revealed(draw) else None

    def get_seed(self, draw: Draw) -> str | None:
        return (draw.seed or None) if self._revealed(draw) else None

    # The draws come from public.listed_draws: ``has_manifest`` in place of the manifest itself.
    def get_manifest_url(self, draw: Draw) -> str | None:
        if not draw.has_manifest:
            return None
        return reverse("public-api:manifest", args=[draw.plan_id, draw.number], request=self.context.get("request"))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_manifest_sealed_url(self, draw: Draw) -> str | None:
        """The sealed manifest's address: before the reveal the same file as ``manifest_url``, after it still
        there, for the verifier's ``--sealed`` check."""
        if not draw.has_manifest:
            return None
        return reverse("public-api:manifest_sealed", args=[draw.plan_id, draw.number],
                       request=self.context.get("request"))

    def get_manifest_complete(self, draw: Draw) -> bool:
        return draw.has_manifest and self._revealed(draw)


describe_fields(StratumSerializer, label=gettext_lazy("类别名称"),
                shortfall_state=gettext_lazy("计划抽查数低于政策最低数时的处理状态"))
describe_fields(DrawSerializer, status=gettext_lazy("抽取状态"),
                secret=gettext_lazy("密钥：公开密钥之前为 null"), seed=gettext_lazy("种子：公开密钥之前为 null"),
                manifest_url=gettext_lazy(
                    "抽取清单的地址：抽取之后才有，此前为 null；公开密钥之前是封存清单，之后是完整清单"),
                manifest_sealed_url=gettext_lazy(
                    "封存清单的地址，公开密钥之后仍可下载，供 verify_draw.py --sealed 核对；抽取之前为 null"),
                manifest_complete=gettext_lazy("manifest_url 给出的是否为完整清单"))
NESTED_ROWS.update(strata=StratumSerializer, draws=DrawSerializer)

PLAN_FIELDS = {**fields_of("plans"), "jurisdiction": gettext_noop("行政区"),
               "strata": gettext_noop("各类别：可抽对象数、政策最低数、计划抽查数、计算说明与依据"),
               "draws": gettext_noop(
                   "每次抽取：输入哈希、密钥承诺、公开随机数、抽取时间；公开密钥后还有密钥、种子与完整清单地址"),
               # the plan's items as they stand in the registry, in use or not: the plan page lists those in use
               "check_items": gettext_noop(
                   "抽查事项编码：计划所列的全部事项，其后停用的也在内（计划页面只列仍在用的事项）"),
               "changed_at": gettext_noop(
                   "最近变更时间：计划公开的内容（各类别数量及少抽审批、状态、抽取、递补替换、重新抽取、公开密钥、"
                   "所在行政区的代码或名称、联合抽查发起科室的名称、抽查事项的编码、名称、适用行业或停用）最近一次变化的时间"),
               "__name__": "plan"}
# The plans list's own reading of changed_since: what dates a plan (planning.services: the freeze to the reveal,
# plan_changed, plans_moved, items_changed). It left out the shortfall decision and the jurisdiction's change.
PLAN_SYNC_DOCS = {"changed_since": (datetime, gettext_noop(
    "只列出此时刻及以后公开或有变化的计划：审定冻结（计划自此公开），其后承诺密钥、录入公开随机数、抽取、派发、"
    "递补替换、重新抽取（及其后调整各类别数量、少抽审批）、公开密钥，所在行政区更名、改代码或改隶，"
    "联合抽查计划的发起科室更名，计划的抽查事项改编码、名称或适用行业或停用；"
    "按最近变更时间从早到晚排列、用 next 地址（after 游标）翻页，供保持一份副本同步；带时区偏移的 ISO 8601 时间，"
    "如 2026-03-01T00:00:00+08:00，地址中的“+”写作 %2B。取上次读到的最晚的 changed_at 减去几分钟，不要用本机时钟。"
    "已公开的计划不会被删除，副本不必删除任何行"))}


def plan_row(plan: Plan, request) -> dict[str, Any]:
    draws = list(plan.draws.all())
    for draw in draws:
        draw.plan = plan  # the reveal check reads plan.revealed_at; no query per draw
    # the row of the downloads (its check_items the items' codes, prefetched by public.plans) and the nested lists
    return {**public.row_dict(plan), "strata": StratumSerializer(plan.strata.all(), many=True).data,
            "draws": DrawSerializer(draws, many=True, context={"request": request}).data}


@documented(PLAN_FIELDS, "year", "quarter", "jurisdiction", "changed_since", "after", parameters=PLAN_SYNC_DOCS,
            description=gettext_lazy(
                "季度抽查计划（审定冻结之后）：各类别数量与政策要求、输入哈希、密钥承诺，公开密钥后的密钥与种子。加 "
                "changed_since（或游标 after）时为保持副本同步的读法：此时刻及以后公开或有变化的计划，"
                "按变更时间从早到晚，沿 next 地址翻页"))
class PlanList(PublicListView):
    """Quarterly plans from their freeze on: strata against the policy, hashes, commitment, reveal.

    With ``changed_since`` (or a cursor ``after``), as the results list: the plans whose public fields changed from
    that moment on, oldest change first, then by id, paged by a cursor (``Plan.changed_at``)."""

    allowed_params = ("year", "quarter", "jurisdiction", "changed_since", "after")

    def rows(self, params):
        return valid(public.plans(params))  # with the check items' codes prefetched

    def row(self, obj):
        return plan_row(obj, self.request)

    def get(self, request) -> Response:
        if not any(name in request.query_params for name in SYNC_PARAMS):
            return super().get(request)
        return sync_page(self, request, public.changed_plans, key=int)


ID_PATH = {"type": "string", "pattern": f"^{params.IdConverter.regex}$"}  # as the converter gives it undescribed
PLAN_ID = gettext_lazy("抽查计划的编号，即计划列表中的 id")
"""The path parameters' descriptions: lazy, as the schema is served in the reader's language (the query parameters'
are Chinese texts for now; these were not described at all)."""


@documented(PLAN_FIELDS, many=False, path=[OpenApiParameter("id", ID_PATH, OpenApiParameter.PATH, description=PLAN_ID)],
            description=gettext_lazy("一份已公开的抽查计划；尚未审定冻结或不存在的回答 404"))
class PlanDetail(PublicView):
    def get(self, request, pk: int) -> Response:
        rows = valid(public.plans({}))
        return Response(plan_row(get_object_or_404(rows, pk=pk), request))


DRAW_PATH = [OpenApiParameter("plan_id", ID_PATH, OpenApiParameter.PATH, description=PLAN_ID),
             OpenApiParameter("number", ID_PATH, OpenApiParameter.PATH,
                              description=gettext_lazy("该计划的第几次抽取，从 1 起，即计划的 draws 中的 number"))]
"""The path parameters of a draw's manifests, described (the schema said only their pattern)."""


def _published_draw(plan_id: int, number: int) -> Draw:
    return get_object_or_404(Draw.objects.select_related("plan").filter(plan__in=Plan.objects.published()),
                             plan_id=plan_id, number=number, manifest__isnull=False)


@extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT}, parameters=DRAW_PATH,
               description=gettext_lazy("一次抽取的清单，按现在公开的样子：公开密钥之前是封存清单（无密钥、无抽中名单），"
                                        "之后是完整清单；响应头 X-Manifest-State 为 sealed 或 complete"))
class ManifestView(PublicView):
    """A draw's manifest as published now: sealed until the plan is revealed, complete after."""

    def get(self, request, plan_id: int, number: int) -> HttpResponse:
        body, complete = published_manifest(_published_draw(plan_id, number))
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["X-Manifest-State"] = "complete" if complete else "sealed"
        return response


@extend_schema_view(get=extend_schema(
    operation_id="public_plan_draw_manifest_sealed", parameters=DRAW_PATH,
    responses={(200, "application/json"): OpenApiTypes.OBJECT},
    description=gettext_lazy(
        "抽取的封存清单（哈希、密钥承诺、公开随机数、抽取结果哈希；无密钥、无抽中名单）。公开密钥前后都可下载，"
        "与门户计划页的“封存清单”逐字节相同：其 SHA-256 即计划页自抽取时起显示的文件哈希，"
        "可用于 verify_draw.py 的 --sealed 核对。响应头 X-Manifest-State 为 sealed。")))
class SealedManifestView(PublicView):
    """The sealed manifest, also after the reveal, as the portal serves it (views_public.manifest_sealed): the
    manifest endpoint gives the complete one then, so a client that did not save the sealed one at the draw had
    no way to it through the API for the verifier's ``--sealed`` check. The same ``published_manifest(sealed=True)``
    writes both, hence the same bytes and the same hash as the plan page shows."""

    def get(self, request, plan_id: int, number: int) -> HttpResponse:
        body, _complete = published_manifest(_published_draw(plan_id, number), sealed=True)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["X-Manifest-State"] = "sealed"
        return response


# --- results and corrections ---------------------------------------------------------------------------------------


def correction_row(correction: Correction) -> dict[str, Any]:
    return {"id": correction.pk, "public_id": correction.result.public_id,
            "corrected_at": public.instant(correction.corrected_at), "reason": correction.reason,
            "before": public.shown_before(correction), "after": public.shown_after(correction),
            "changes": public.correction_changes(correction)}


CORRECTION_FIELDS = {"id": gettext_noop("更正编号"), "public_id": gettext_noop("公开编号"),
                     "corrected_at": gettext_noop("更正时间"), "reason": gettext_noop("更正理由"),
                     "before": gettext_noop("更正前（已依法隐去的内容、已更正的问题描述不再显示）"),
                     "after": gettext_noop("更正后（其后再次更正的问题描述不再显示）"),
                     "changes": gettext_noop("逐项的更正内容"), "__name__": "correction"}
NESTED_ROWS["corrections"] = _row_serializer(CORRECTION_FIELDS)
RESULT_FIELDS = {**fields_of("results"), "outcome": gettext_noop("检查结果代码：ok / problem / withheld"),
                 "changed_at": gettext_noop("最近变更时间：所在批次公开的时间，更正过的为最近一次更正的时间，"
                                               "其后行政区划代码或上级调整过的为调整的时间"),
                 "items": gettext_noop("抽查事项（编码、名称、结果）"),
                 "jurisdiction_code": gettext_noop("行政区划代码"), "__name__": "result"}


def result_row(result: PublishedResult) -> dict[str, Any]:
    return {**public.row_dict(result), "jurisdiction_code": result.jurisdiction.code}


SYNC_PARAMS = ("changed_since", "after")
"""The results list's parameters that read it in the order of change, by cursor, for keeping a copy in sync."""
RESULT_SYNC_DOCS = {"changed_since": (datetime, gettext_noop(
    "只列出此时刻及以后公开、更正或有其他变化（如所在行政区改代码或改隶）的结果，按最近变更时间从早到晚排列、"
    "用 next 地址（after 游标）翻页，供保持一份副本同步；带时区偏移的 ISO 8601 时间，如 2026-03-01T00:00:00+08:00，"
    "地址中的“+”写作 %2B。取上次读到的最晚的 changed_at 减去几分钟，不要用本机时钟。已公开的结果不会被删除或撤回，"
    "副本不必删除任何行"))}
"""The results list's own reading of changed_since in its schema (PARAMETER_DOCS has the one of both lists)."""

def read_moment(name: str, raw: str) -> datetime:
    """The ISO 8601 date and time with an offset that parameter ``name`` gives; a 400 naming it when it has none.

    Without an offset a moment is ambiguous by the client's time zone (Beijing's eight hours, where a sync must
    not lose a row), so it is refused rather than guessed."""
    example = params.MOMENT_EXAMPLE
    unencoded = params.unencoded_plus(raw, name)
    if unencoded is not None:
        raise ValidationError({name: unencoded.messages})
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: [_("应为带时区偏移的 ISO 8601 日期时间，如 %(example)s，收到“%(value)s”") % {
            "example": example, "value": raw}]}) from None
    if moment.utcoffset() is None:
        raise ValidationError({name: [_("缺少时区偏移：请写明与 UTC 的差，如 %(example)s 或 2026-02-28T16:00:00Z，"
                                        "收到“%(value)s”") % {"example": example, "value": raw}]})
    try:
        params.check_storable(moment)
    except DjangoValidationError as error:
        raise ValidationError({name: error.messages}) from None
    return params.local(moment)


CURSOR_VERSION = "1"


def change_cursor(row: PublishedResult | Plan) -> str:
    """The position just past ``row`` in the order of change: its change time (UTC, to the microsecond, as
    stored) and key (a result's public id, a plan's id). Opaque to clients, who take it from ``next``; versioned,
    so its form can change."""
    moment = row.changed_at.astimezone(UTC).isoformat(timespec="microseconds")
    text = f"{CURSOR_VERSION}|{moment}|{row.public_id if isinstance(row, PublishedResult) else row.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def read_cursor(raw: str, *, key: type = str) -> tuple[datetime, Any]:
    """The position ``change_cursor`` wrote into ``after``; a 400 naming ``after`` for anything else."""
    shown = raw if len(raw) <= 80 else raw[:80] + "…"
    refused = ValidationError({"after": [_("无法识别的游标“%(value)s”：after 应原样取自上一页回答的 next 地址，"
                                           "不要自己拼写或修改") % {"value": shown}]})
    try:
        text = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_", validate=True).decode()
        version, moment_text, public_id = text.split("|", 2)
        moment = datetime.fromisoformat(moment_text)
    except (ValueError, binascii.Error):  # not base64, not UTF-8, too few parts, no time
        raise refused from None
    if (version != CURSOR_VERSION or moment.utcoffset() is None or not params.storable_day(moment.date())
            or not public_id or len(public_id) > 48 or "\x00" in public_id):
        raise refused
    if key is int:  # a plan's id
        if not public_id.isascii() or not public_id.isdigit() or int(public_id) > params.MAX_ID:
            raise refused
        return params.local(moment), int(public_id)
    return params.local(moment), public_id  # a cursor written by hand may carry any offset


@documented(RESULT_FIELDS, "jurisdiction", "month", "inspected_from", "inspected_to", "plan", "plan_kind",
            "industry", "outcome", "q", *SYNC_PARAMS, parameters=RESULT_SYNC_DOCS, description=gettext_lazy(
                "抽查结果：已公开的每月批次中的各行，按检查日期从新到旧。加 changed_since（或游标 after）时为保持副本"
                "同步的读法：此时刻及以后公开、更正或有其他变化的结果，按变更时间从早到晚，沿 next 地址翻页"))
class ResultList(PublicListView):
    """抽查结果: rows of released monthly batches, newest inspection first.

    With ``changed_since`` (or a cursor ``after``) the list is what a copy kept in sync reads instead: the rows
    published, corrected or otherwise changed from that moment on, oldest change first, then by public id, paged
    by a cursor. Page numbers shift when a batch is released while a client pages through (rows are skipped or
    read twice); a cursor is a position in an order where every change goes to the end, so they do not."""

    # plan: one published plan's results, as the portal's results page reads it (/public/results/?plan=)
    allowed_params = ("jurisdiction", "month", "inspected_from", "inspected_to", "plan", "plan_kind", "industry",
                      "outcome", "q", *SYNC_PARAMS)
    ids_first = True  # see public.PublicPaginator

    def rows(self, params):
        return valid(public.results(params)).select_related("jurisdiction")

    def row(self, obj):
        return result_row(obj)

    def get(self, request) -> Response:
        if not any(name in request.query_params for name in SYNC_PARAMS):
            return super().get(request)
        return sync_page(self, request, public.changed_results, key=str)


def sync_page(view: PublicListView, request, changed, *, key: type) -> Response:
    """A page of ``view``'s rows in the order of change (``changed``: ``public.changed_results`` or
    ``changed_plans``), from ``changed_since`` and past the cursor ``after``; ``key`` reads the cursor's row key (a
    result's public id, a plan's id)."""
    params = view.params()
    problems: dict[str, list[str]] = {}
    since = position = None  # a blank one is no bound, as a blank filter is none
    try:
        since = read_moment("changed_since", params["changed_since"]) if "changed_since" in params else None
    except ValidationError as error:
        problems.update(error.detail)
    try:
        position = read_cursor(params["after"], key=key) if "after" in params else None
    except ValidationError as error:
        problems.update(error.detail)
    if PublicPagination.page_query_param in request.query_params:
        problems["page"] = [_("按变更时间读取（changed_since、after）时没有页码：请沿回答中的 next 地址翻页，"
                              "它带着从上一页最后一行之后接着读的游标 after")]
    if problems:
        raise ValidationError(problems)
    rows = view.rows(params)
    paginator = ChangePagination()
    page = paginator.paginate(changed(rows, since=since), changed(rows, since=since, past=position), request)
    return paginator.get_paginated_response([view.row(obj) for obj in page])


class ChangePagination(PublicPagination):
    """Pages of the results in the order of change, by cursor: ``next`` carries ``after``, the position past the
    page's last row; there is no ``previous`` (a copy kept in sync reads forwards)."""

    def paginate(self, listed: QuerySet, remaining: QuerySet, request) -> list:
        """A page of ``remaining`` (the rows past the cursor); the count is of ``listed``, all the rows since."""
        size = self.get_page_size(request)
        rows = list(remaining[:size + 1])
        pager = public.PublicPaginator(listed, size, limit=COUNT_LIMIT)
        self.counted, self.capped = pager.count, pager.capped
        self.request = request
        self.next_url = None
        if len(rows) > size:
            url = remove_query_param(request.build_absolute_uri(), self.page_query_param)
            self.next_url = replace_query_param(url, "after", change_cursor(rows[size - 1]))
        return rows[:size]

    def get_next_link(self) -> str | None:
        return self.next_url

    def get_previous_link(self) -> str | None:
        return None


@documented({**RESULT_FIELDS, "corrections": "更正记录", "__name__": "result_detail"}, many=False, path=[
    OpenApiParameter("public_id", {"type": "string", "pattern": f"^{params.KeyConverter.regex}$"},
                     OpenApiParameter.PATH,
                     description=gettext_lazy("抽查结果的公开编号，即结果列表中的 public_id"))],
            description=gettext_lazy("一条已公开的抽查结果及其各次更正；尚未公开或不存在的回答 404"))
class ResultDetail(PublicView):
    def get(self, request, public_id: str) -> Response:
        result = public.result(public_id)
        if result is None:
            raise Http404(_("没有这条已公开的抽查结果"))
        return Response({**result_row(result),
                         "corrections": [correction_row(c) for c in public.corrections(result)]})


@documented(CORRECTION_FIELDS, "public_id",
            description=gettext_lazy("已公开结果的每次更正：更正前后与理由，按更正时间排列"))
class CorrectionList(PublicListView):
    """Every recorded correction of a published result, with its reason."""

    allowed_params = ("public_id",)

    def rows(self, params):
        corrections = Correction.objects.published().select_related("result").order_by("corrected_at", "id")
        if "public_id" in params:
            corrections = corrections.filter(result__public_id=params["public_id"])
        return corrections

    def row(self, obj):
        return correction_row(obj)


# --- verification status -------------------------------------------------------------------------------------------

VERIFICATION_FIELDS = {**fields_of("verification"),
                       "state": gettext_noop("验证状态代码：sealed / unchecked / verified / failed"),
                       "report": gettext_noop("验证报告"), "manifest_url": gettext_noop("抽取清单地址"),
                       "__name__": "verification"}


@documented(VERIFICATION_FIELDS, "year", "quarter", "jurisdiction", description=gettext_lazy(
    "每份已公开计划的各次抽取及其清单是否通过验证（服务器按独立验证程序的规则核对，任何人都可重新核对）"))
class VerificationList(PublicListView):
    """Each published plan's draws and whether their manifest verifies (the server's check with the standalone
    verifier's rules; anyone can re-run it)."""

    allowed_params = ("year", "quarter", "jurisdiction")

    def rows(self, params):
        return valid(public.verification(params))

    def row(self, obj):
        status = public.draw_status(obj)
        return {**public.row_dict(status), "report": status.report,
                "manifest_url": reverse("public-api:manifest", args=[obj.plan_id, obj.number],
                                        request=self.request)}


@extend_schema(responses={200: OpenApiTypes.OBJECT}, description=gettext_lazy("公开接口的目录：各列表的地址"))
class ApiRoot(PublicView):
    def get(self, request) -> Response:
        names = ["items", "list", "plans", "results", "corrections", "verification"]
        return Response({name: reverse(f"public-api:{name}", request=request) for name in names})
