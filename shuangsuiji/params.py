"""Values read from a request outside a form's own fields, and the limits every form's values share.

Numbers read by hand (an id, a year, a page, a revision): ``str.isdigit()`` is not the test for them — it also
accepts "²" and other Unicode digits that ``int()`` refuses (a server error), and it puts no bound on the
length, so a year of twenty digits reached ``date()`` and an id overflowed the database's integer columns.
``number`` is the one reader of them: ASCII digits, and the full-width ones a Chinese input method types
(１２３), within bounds; it answers None for anything else, and the caller then ignores the parameter, or says what
is wrong with it. Forms and API filters read their whole numbers through it too (``IntegerField``): the public
API read a full-width year (Django's IntegerField calls ``int()``, which takes any Unicode digits, "٢٠٢٦" and
"2_026" too) but refused a full-width page.

Times: a date and time is stored in UTC, and Beijing time on the calendar's first day (0001-01-01 00:00) is
the year before it in UTC, which neither Python nor PostgreSQL has (nor a day after 9999-12-31): such a time
is refused where it is read, saying between which days it must lie.

Text read by hand (a reason, a caption): PostgreSQL refuses a NUL character in text (a server error, where
SQLite stored it), as the forms' own text fields already say.
"""

import datetime
import re

import django_filters
import django_filters.rest_framework
from django import forms
from django.conf import settings
from django.core import paginator
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from shuangsuiji.punctuation import join_sep

MAX_ID = 2**63 - 1  # the largest value of a BigAutoField (and of PostgreSQL's bigint)


FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def digits(value: str) -> str:
    """``value`` with its full-width digits written in ASCII (a Chinese input method's "２０２６" is 2026)."""
    return value.translate(FULL_WIDTH_DIGITS)


def number(value: object, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """The integer ``value`` writes in ASCII or full-width digits when it lies in [low, high], else None."""
    if not isinstance(value, str):
        return None
    value = digits(value)
    if not value.isascii() or not value.isdigit() or len(value) > len(str(high)):
        return None
    result = int(value)
    return result if low <= result <= high else None


class IdConverter:
    """``<id:pk>`` in the URLs: an id or a number in a path, as Django's ``<int:…>`` but no larger than a bigint.
    A larger one is no URL of the site (404): as a filter value (a foreign key's, ``plan_id=…``) it overflowed
    SQLite's integers, a server error, where a missing id of any size is simply not found."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        result = int(value)
        if result > MAX_ID:
            raise ValueError(value)  # the converter's way of saying "no match"
        return result

    def to_url(self, value: int) -> str:
        return str(value)


class KeyConverter:
    """``<key:…>`` in the URLs: a key in a path (a public id, a credit code, a kind), as Django's ``<str:…>`` but
    without NUL, which PostgreSQL refuses in the look-up (a 500 there): such a path is no address (404)."""

    regex = "[^/\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def year(value: object) -> int | None:
    """A year a date can have (1–9999)."""
    return number(value, low=1, high=9999)


# The days whose every time of day, in any time zone, is a datetime in UTC too.
FIRST_DAY = datetime.date(1, 1, 2)
LAST_DAY = datetime.date(9999, 12, 30)


def storable_day(day: datetime.date | None) -> bool:
    """Whether the day's times can be stored (its local midnight, and the next day's, are datetimes in UTC)."""
    return day is None or FIRST_DAY <= day <= LAST_DAY


def check_storable(moment: datetime.datetime | None) -> None:
    """Refuse a time too close to either end of the calendar to be stored (ValidationError)."""
    if moment is not None and not storable_day(moment.date()):
        raise ValidationError(_("时间超出可记录的范围：应在 %(first)s 至 %(last)s 之间") % {
            "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}, code="out_of_range")


def local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """The same instant in the system's time zone. ISO 8601 lets a client write any offset under 24 hours
    (``+23:13``), which Python keeps and PostgreSQL refuses beyond ±15:59 ("time zone displacement out of range",
    a server error there; SQLite was sent UTC). Call after ``check_storable``: the instant then has a local time."""
    return timezone.localtime(moment) if moment is not None and timezone.is_aware(moment) else moment


class DateTimeField(forms.DateTimeField):
    """A form's date and time, refused (as a form error) when it cannot be stored."""

    def to_python(self, value):
        moment = super().to_python(value)
        check_storable(moment)
        return local(moment)


MOMENT_EXAMPLE = "2026-03-01T00:00:00+08:00"

UNENCODED_PLUS = re.compile(r".*\d{2}:\d{2}(:\d{2}(\.\d+)?)? \d{2}(:?\d{2})?")
"""A time whose offset's "+" reached us as a space: an unencoded "+" in a query string means a space."""


def unencoded_plus(raw: str, name: str = "") -> ValidationError | None:
    """The error of a date and time whose offset's "+" came as a space (``?sealed_after=…T00:00:00+08:00`` typed
    into curl unencoded), None for any other value: the commonest way to write a good time and have it refused.
    Its message is a template with its params, as django-filter formats every filter's error (``message % params``)."""
    if not UNENCODED_PLUS.fullmatch(raw):
        return None
    values = {"name": name, "encoded": MOMENT_EXAMPLE.replace("+", "%2B"), "value": raw}
    if name:
        return ValidationError(_("时区偏移前的“+”在地址中须写作 %%2B（未编码的“+”会被读作空格），"
                                 "如 %(name)s=%(encoded)s，收到“%(value)s”"), code="invalid", params=values)
    return ValidationError(_("时区偏移前的“+”在地址中须写作 %%2B（未编码的“+”会被读作空格），如 %(encoded)s，"
                             "收到“%(value)s”"), code="invalid", params=values)


class IsoDateTimeFilterField(IsoDateTimeField):
    """An API filter's ISO 8601 date and time, refused (a 400 naming the parameter) when it cannot be stored
    or compared with stored times, or read at all: Django's "输入一个有效的日期/时间。" said neither the form it
    wants nor what it got, and an offset's unencoded "+" (a space by then) was refused with it."""

    def to_python(self, value):
        try:
            moment = super().to_python(value)
        except ValidationError:
            raw = str(value).strip()
            raise unencoded_plus(raw) or ValidationError(
                _("应为 ISO 8601 日期时间，如 %(example)s（不写时区偏移的按北京时间），收到“%(value)s”"),
                code="invalid", params={"example": MOMENT_EXAMPLE, "value": raw}) from None
        check_storable(moment)
        return local(moment)


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = IsoDateTimeFilterField


TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})


class BooleanFilterField(forms.NullBooleanField):
    """An API filter's yes or no. django-filter's own ignores a value it cannot read, so ``?publishable=1`` (or
    a typo) silently returned every row — to a client syncing "publishable" records, the unpublishable too.
    Here a value that is neither is refused (a 400 naming the parameter)."""

    widget = forms.TextInput

    def to_python(self, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValidationError(_("应为 true 或 false（也可写 1 或 0），收到“%(value)s”"), code="invalid",
                              params={"value": value})

    def validate(self, value) -> None:
        """Nothing to add: an empty value is no filter."""


class BooleanFilter(django_filters.BooleanFilter):
    field_class = BooleanFilterField


class IntegerField(forms.IntegerField):
    """A whole number read from a query (a filter's year or quarter), as ``number`` reads it, within
    ``min_value``/``max_value``: a value it cannot read is refused with the bounds and the value given, in one
    message (Django's said "输入整数。" or "确保该值大于或等于 2000。", without what was typed)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        raw = str(value).strip()
        if raw in self.empty_values:
            return None
        low = self.min_value if self.min_value is not None else 0
        high = self.max_value if self.max_value is not None else MAX_ID
        # "2021.0" is the whole number 2021, as Django's field read it and clients rely on (tests/planning/test_api.py)
        result = number(self.re_decimal.sub("", raw), low=low, high=high)
        if result is None:
            if self.max_value is None:
                message = _("应为从 %(min)s 起的整数，收到“%(value)s”")
            else:
                message = _("应为 %(min)s 到 %(max)s 的整数，收到“%(value)s”")
            raise ValidationError(message, code="invalid", params={"min": low, "max": high, "value": raw})
        return result  # within the bounds: their validators, which would say it without the value, pass


class TextField(forms.CharField):
    """Text read from a query (a name or credit code searched for), at most ``max_length`` characters: one over
    is refused naming the field and the limit. Django's message was "确保该变量包含不超过 64 字符 (目前字符数 65)。",
    with half-width brackets in a Chinese sentence and "变量" naming nothing a reader wrote."""

    def __init__(self, *, max_length: int, **kwargs) -> None:
        super().__init__(max_length=max_length, **kwargs)  # the widget's maxlength stays
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def validate(self, value: str) -> None:
        super().validate(value)
        if self.max_length is not None and len(value) > self.max_length:
            raise ValidationError(_("%(label)s最多 %(limit)s 个字符，收到 %(count)s 个"), code="max_length",
                                  params={"label": self.label, "limit": self.max_length, "count": len(value)})


class IntegerFilter(django_filters.NumberFilter):
    """An API filter's whole number, within ``min_value``/``max_value`` when given. django-filter's NumberFilter reads
    a decimal, which an integer column rounds down: ``?year=2026.5`` listed every plan of 2026 — to a client, the
    filter it asked for — and ``?quarter=5`` an empty list that reads as "nothing there". Both are a 400 naming the
    parameter here, with the value given."""

    field_class = IntegerField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The schema says the bounds it reads with (drf-spectacular's django-filter extension said a bare integer, so
        # a client built from it sent quarter 0 or year 1 and met a 400 it had not been told of).
        schema: dict = {"type": "integer", "description": self.label}  # lazy: the schema's ?lang= translates it
        bounds = {"minimum": self.extra.get("min_value"), "maximum": self.extra.get("max_value")}
        schema.update({key: value for key, value in bounds.items() if value is not None})
        extend_schema_field(schema)(self)


def year_filter() -> IntegerFilter:
    """``year``: as the public API reads it (ListFilter, PlanFilter of disclosure.public)."""
    return IntegerFilter(min_value=2000, max_value=2100, label=_("年度"))


def quarter_filter() -> IntegerFilter:
    return IntegerFilter(min_value=1, max_value=4, label=_("季度 1–4"))


FILTER_DESCRIPTIONS: dict[tuple[type, str], str] = {}
"""What a filter a list makes from its model's field (``filterset_fields``, a filter set's ``Meta.fields``) reads, by
(model, field name): ``describe_filters`` fills it beside the views, ``FilterSet`` gives it to the filter."""


def describe_filters(model: type, **descriptions: str) -> None:
    """The schema's description of the filters made from ``model``'s fields, each a lazy text (the schema is
    served in the reader's language): without one a client read only a name and a type — ``is_joint``, ``code`` —
    not what true keeps, nor whether a code is matched whole or by its beginning."""
    FILTER_DESCRIPTIONS.update({(model, name): text for name, text in descriptions.items()})


class FilterSet(django_filters.rest_framework.FilterSet):
    """The staff APIs' filter sets: yes-or-no fields read strictly, and a parameter the list does not know
    refused with the ones it does (it was ignored, so a misspelt filter returned the whole list)."""

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        made = super().filter_for_field(field, field_name, lookup_expr)
        described = FILTER_DESCRIPTIONS.get((field.model, field_name))
        if described is not None:
            made.extra["help_text"] = described  # what drf-spectacular says of the parameter
        return made

    FILTER_DEFAULTS = {**django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
                       models.BooleanField: {"filter_class": BooleanFilter}}
    # What the list reads besides its filters: the page (PageNumberPagination) and the renderer (?format=).
    OTHER_PARAMETERS = frozenset({"page", "format"})

    def is_valid(self) -> bool:
        for field in self.form.fields.values():
            # Django's "选择一个有效的选项。 bad 不在可用的选项中。" named no value the filter takes (the schema's
            # enum does, which a reader of the answer does not have): the message lists them
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                values = [str(value) for value, _label in field.choices if value not in ("", None)]
                field.error_messages = {**field.error_messages, "invalid_choice": str(
                    _("应为 %(choices)s 之一，收到“%%(value)s”") % {"choices": join_sep(values)})}
        valid = super().is_valid()
        unknown = sorted(set(self.data) - set(self.filters) - self.OTHER_PARAMETERS)
        known = join_sep(sorted({*self.filters, *self.OTHER_PARAMETERS}))
        for name in unknown:
            self.errors[name] = self.form.error_class([_("未知参数；可用参数：%(known)s") % {"known": known}])
        return valid and not unknown


class FilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    """The staff APIs' filter backend: a view that lists only ``filterset_fields`` gets the strict set too."""

    filterset_base = FilterSet


class Pagination(PageNumberPagination):
    """The staff APIs' pages: a page that is no number, or past the last, is a 400 naming ``page`` (DRF answers
    404 "无效页面", which reads as "no such list"), as the public API answers."""

    def get_schema_operation_parameters(self, view) -> list[dict]:
        """``page`` as it is read: from 1 (the schema said any integer, and page 0 or -1 is a 400)."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """The page's keys described, as the public API's pages are."""
        response = super().get_paginated_response_schema(schema)
        for key, text in (("count", _("总条数")), ("next", _("下一页的地址，没有时为 null")),
                          ("previous", _("上一页的地址，没有时为 null")), ("results", _("本页各行"))):
            response["properties"][key]["description"] = str(text)
        return response

    def get_page_number(self, request, paginator) -> int:
        raw = request.query_params.get(self.page_query_param, "").strip() or "1"  # blank (" ") as empty: the first
        page = number(raw, low=1)
        if page is None:
            raise exceptions.ValidationError({"page": [_("页码应为从 1 起的整数，收到“%(value)s”") % {"value": raw}]})
        return page

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            pages = self.django_paginator_class(queryset, self.get_page_size(request)).num_pages
            message = ngettext("页码超出范围：共 %(pages)s 页", "页码超出范围：共 %(pages)s 页", pages)
            raise exceptions.ValidationError({"page": [message % {"pages": pages}]}) from None


class Paginator(paginator.Paginator):
    """The pages' pager (Django's): the page number in the address read as every number is, by ``number`` — Django's
    ``int()`` took "٢" and " 2 " and refused nothing a page needs, but the API read the page by ``number``, so the
    same address paged on the portal and was a 400 in the API. As ``get_page`` does with Django's, a page that is no
    number shows the first page, one past the last (or past any integer) the last."""

    def validate_number(self, page):  # Django calls it with the page positionally
        if isinstance(page, str):
            read = number(page.strip())
            if read is None:
                written = digits(page.strip())
                if written.isascii() and written.isdigit():
                    raise paginator.EmptyPage(self.error_messages["no_results"])
                raise paginator.PageNotAnInteger(self.error_messages["invalid_page"])
            page = read
        return super().validate_number(page)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing a value that is no id before its look-up of the chosen ids: ``pk__in`` with a number
    past 64 bits overflows SQLite's integers (a server error, where one id alone is simply not found).

    A chosen id that is not among the choices (another department's item, a county's department: a crafted POST,
    or a page left open while the list changed) is refused in words, naming the field: Django's "选择一个有效的选项。
    17 不在可用的选项中。" showed the database id, which says nothing to the user and tells an outsider which ids
    exist. A form sets its own ``invalid_choice`` to say why (which choices it offers); ``%(field)s`` is the label."""

    default_error_messages = {
        "invalid_choice": _("%(field)s：所选的有不在可选范围内的（已停用、已删除，或不属于您可以选择的范围），"
                            "请按页面列出的选项重新选择"),
    }

    def _check_values(self, value):
        if not self.to_field_name:
            for pk in value:
                if number(str(pk).strip()) is None:
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                          params={"pk": pk})
        try:
            return super()._check_values(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            # only the label: the id posted is not said back
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"field": self.label or ""}) from None


def text(value: str, label: str) -> str:
    """Free text read by hand, refused when it holds a NUL character (ValidationError naming the field)."""
    if "\x00" in value:
        raise ValidationError(_("%(field)s含有空字符（NUL），请删除后重新提交") % {"field": label},
                              code="null_characters")
    return value


class NulInQueryMiddleware:
    """A query parameter holding NUL is refused before any view reads it: 400 naming the parameter (JSON for
    the API, as its other 400s; a page otherwise). PostgreSQL refuses NUL in text, so each list's hand-read
    filters (?q=, ?handling=, ?public_id=, a jurisdiction's code …) was a server error there; no real value
    holds one, and the forms' fields already refuse it in what is posted."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        names = sorted({name for name, values in request.GET.lists()
                        if "\x00" in name or any("\x00" in value for value in values)})
        if not names:
            return self.get_response(request)
        shown = [name.replace("\x00", "\\0") for name in names]
        messages = {name: [str(_("参数“%(name)s”含有空字符（NUL），请删除后重试") % {"name": name})] for name in shown}
        if request.path.startswith("/api/"):
            return JsonResponse(messages, status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "400.html", {"problems": [m for ms in messages.values() for m in ms]}, status=400)


class RequestSizeMiddleware:
    """A request whose body is larger than ``MAX_REQUEST_BYTES`` is refused (413) before anything reads it.

    Django bounds the fields of a form (DATA_UPLOAD_MAX_MEMORY_SIZE) but not its files: an upload of any size was
    streamed to a temporary file as soon as something read the body — the form token's check, before the sign-in's
    — so anyone could send gigabytes to any address, and the 50 MB limit of a photo was checked only once the whole
    file was on disk. The length the client announces is enough to refuse: a body is never read past it. Every
    middleware's ``__call__`` runs before the form token is checked (a view's hook), so the place in the list only
    decides what the answer may use (the reader's language, his session). JSON for the API and for a page's script
    (the phone's photo upload shows ``message``), a page otherwise."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        announced = request.META.get("CONTENT_LENGTH") or ""
        limit = settings.MAX_REQUEST_BYTES
        # more digits than any limit has is too large, before int() (which refuses thousands of digits); a length
        # that is no number is Django's to ignore (it reads no body then)
        if not (announced.isascii() and announced.isdigit()) or (len(announced) <= 18 and int(announced) <= limit):
            return self.get_response(request)
        message = str(_("提交的内容过大，一次提交不超过 %(max)s MB；照片请用手机相机的常规尺寸，"
                        "大批数据请拆分为几个文件") % {"max": limit // 2**20})
        wants_json = "application/json" in request.headers.get("Accept", "")
        if request.path.startswith("/api/") or wants_json:
            return JsonResponse({"ok": False, "message": message, "detail": message}, status=413,
                                json_dumps_params={"ensure_ascii": False})
        return render(request, "400.html", {"problems": [message]}, status=413)


def client_address(request: HttpRequest) -> str:
    """The address a request came from, as the public API's limit and the sign-in records count it.

    With ``TRUSTED_PROXIES`` = 0 (no proxy) the connection's own, ``REMOTE_ADDR``: an ``X-Forwarded-For`` the client
    wrote is never believed. Behind N reverse proxies, each appending the address it saw, the N-th entry of
    ``X-Forwarded-For`` from the right (what the outermost proxy saw), as DRF reads it with ``NUM_PROXIES``.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))] or remote
    return remote
