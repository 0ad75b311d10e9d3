"""The read-only public JSON API of 一公开 (/api/public/): the portal's data for anyone, without login.

Like the portal pages it reads only published data — released batches' snapshot rows, plans from their freeze,
manifests as ``published_manifest`` gives them, active check items — never an internal table (DESIGN §5). Ids
are the stable public ones: a result's ``public_id``, a target's credit code, a plan's id. Lists are paged by
page number in a fixed order, so a client walking the pages sees each row once. A parameter the API does not
know, or a value it cannot read, is a 400 that names the parameter: a typo must not silently return everything.
"""

import re
from datetime import date
from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from shuangsuiji.disclosure.models import (
    Correction,
    DrawVerification,
    ListedTarget,
    Outcome,
    PublishedResult,
)
from shuangsuiji.planning.models import Draw, DrawStatus, Plan, PlanStratum
from shuangsuiji.planning.services import published_manifest
from shuangsuiji.registry.models import CheckItem, Jurisdiction

# --- the common parts: throttle, paging, parameters --------------------------------------------------------------


class PublicThrottle(AnonRateThrottle):
    """Per client address, at ``settings.PUBLIC_API_RATE`` (None: off, as in tests and the benchmark). Read on
    each request rather than at import, so settings overrides take effect."""

    scope = "public"

    def get_rate(self) -> str | None:
        return getattr(settings, "PUBLIC_API_RATE", None)


class PublicPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({"page_size": [_("每页条数应为 1 到 %(max)s 的整数，收到“%(value)s”") % {
                "max": self.max_page_size, "value": raw}]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page": [_("页码应为从 1 起的整数，收到“%(value)s”") % {"value": raw}]})
        paginator = self.django_paginator_class(queryset, size)
        try:
            self.page = paginator.page(int(raw))
        except InvalidPage as error:  # DRF would answer a bare 404; say which pages exist
            raise ValidationError({"page": [_("页码超出范围：共 %(pages)s 页") % {"pages": paginator.num_pages}]}) \
                from error
        self.request = request
        return list(self.page)


class PublicListView(ListAPIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # no session, hence no CSRF: the API is for anyone
    throttle_classes = [PublicThrottle]
    pagination_class = PublicPagination
    filter_backends: list = []
    allowed_params: tuple[str, ...] = ()
    """Filter parameters this list reads; anything else but paging is refused."""

    def params(self) -> dict[str, str]:
        query = self.request.query_params
        known = {*self.allowed_params, "page", "page_size", "format"}
        unknown = sorted(set(query) - known)
        if unknown:
            raise ValidationError({name: [_("未知参数；可用参数：%(known)s") % {"known": "、".join(sorted(known))}]
                                   for name in unknown})
        return {name: query[name].strip() for name in self.allowed_params if query.get(name, "").strip()}


class PublicDetailView(RetrieveAPIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]


def jurisdiction_param(code: str, name: str = "jurisdiction") -> Jurisdiction:
    jurisdiction = Jurisdiction.objects.filter(code=code).first()
    if jurisdiction is None:
        raise ValidationError({name: [_("未知的行政区划代码：%(code)s") % {"code": code}]})
    return jurisdiction


def int_param(value: str, name: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValidationError({name: [_("应为 %(low)s 到 %(high)s 的整数，收到“%(value)s”") % {
            "low": low, "high": high, "value": value}]})
    return int(value)


def industry_param(value: str) -> str:
    """An industry-code prefix as the registry writes codes: the section letter, then up to four digits."""
    if not re.fullmatch(r"[A-Za-z]\d{0,4}", value):
        raise ValidationError({"industry": [
            _("行业代码前缀应为国民经济行业分类代码的开头（门类字母加数字），如 C 或 C26，收到“%(value)s”")
            % {"value": value}]})
    return value.upper()


PARAMETER_DOCS = {
    "jurisdiction": (str, "行政区划代码，含下级，如 130623"),
    "year": (int, "年度，如 2026"),
    "quarter": (int, "季度 1–4"),
    "month": (str, "检查月份 YYYY-MM，如 2026-03"),
    "industry": (str, "行业代码前缀（国民经济行业分类），如 C 或 C26"),
    "outcome": (str, "检查结果：ok 未发现问题，problem 发现问题，withheld 依法不予公开"),
    "q": (str, "单位名称的一部分，或 18 位统一社会信用代码，或公开编号"),
    "public_id": (str, "抽查结果的公开编号"),
}


def documented(*names: str):
    """The schema's description of a list's filter parameters (paging is added by the paginator)."""
    return extend_schema(parameters=[OpenApiParameter(name, kind, description=text)
                                     for name, (kind, text) in ((n, PARAMETER_DOCS[n]) for n in names)])


CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")


# --- check items ---------------------------------------------------------------------------------------------------


class PublicCheckItemSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    responsible_department = serializers.CharField(source="responsible_department.name")

    class Meta:
        model = CheckItem
        fields = ["code", "name", "legal_basis", "content", "jurisdiction", "list_level", "responsible_department",
                  "check_method", "applies_general", "applies_key", "applies_special"]


@documented("jurisdiction")
class CheckItemList(PublicListView):
    """随机抽查事项清单: the items in use."""

    serializer_class = PublicCheckItemSerializer
    allowed_params = ("jurisdiction",)

    def get_queryset(self) -> QuerySet:
        params = self.params()
        items = (CheckItem.objects.filter(is_active=True).select_related("jurisdiction", "responsible_department")
                 .order_by("code"))
        if "jurisdiction" in params:
            place = jurisdiction_param(params["jurisdiction"])
            # An item of a city's list applies in its counties too: the county sees its own and its ancestors'.
            items = items.filter(jurisdiction__code__in=[*place.ancestor_codes(), place.code])
        return items


# --- the year's list -----------------------------------------------------------------------------------------------


class PublicListedTargetSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="publication.year")

    class Meta:
        model = ListedTarget
        fields = ["year", "credit_code", "name", "jurisdiction_code", "jurisdiction_name", "industry_code",
                  "industry_name", "address", "is_key_unit"]


def subtree(queryset: QuerySet, field: str, place: Jurisdiction) -> QuerySet:
    return queryset.filter(**{f"{field}__path__startswith": place.path})


def name_or_code(queryset: QuerySet, q: str, name_field: str) -> QuerySet:
    if CREDIT_CODE.fullmatch(q.upper()):
        return queryset.filter(credit_code=q.upper())
    return queryset.filter(**{f"{name_field}__icontains": q})


@documented("year", "jurisdiction", "industry", "q")
class ListedTargetList(PublicListView):
    """随机抽查对象名录: rows of released annual lists."""

    serializer_class = PublicListedTargetSerializer
    allowed_params = ("year", "jurisdiction", "industry", "q")

    def get_queryset(self) -> QuerySet:
        params = self.params()
        rows = ListedTarget.objects.published().select_related("publication").order_by(
            "-publication__year", "jurisdiction_code", "credit_code", "id")
        if "year" in params:
            rows = rows.filter(publication__year=int_param(params["year"], "year", 2000, 2100))
        if "jurisdiction" in params:
            rows = subtree(rows, "publication__jurisdiction", jurisdiction_param(params["jurisdiction"]))
        if "industry" in params:
            rows = rows.filter(industry_code__startswith=industry_param(params["industry"]))
        if "q" in params:
            rows = name_or_code(rows, params["q"], "name")
        return rows


# --- plans and draws -----------------------------------------------------------------------------------------------


class PublicStratumSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_stratum_display")
    shortfall_state = serializers.CharField(source="get_shortfall_state_display")

    class Meta:
        model = PlanStratum
        fields = ["stratum", "label", "population", "minimum", "must_include", "requested", "drawn", "explanation",
                  "citation", "shortfall_state"]


class PublicDrawSerializer(serializers.ModelSerializer):
    """What of a draw is public grows with the ceremony; the secret and seed only once the plan is revealed."""

    status = serializers.CharField(source="get_status_display")
    secret = serializers.SerializerMethodField()
    seed = serializers.SerializerMethodField()
    manifest_url = serializers.SerializerMethodField()
    manifest_complete = serializers.SerializerMethodField()

    class Meta:
        model = Draw
        fields = ["number", "status", "inputs_hash", "frozen_at", "commitment", "committed_at", "public_source",
                  "public_value", "public_reference", "drawn_at", "secret", "seed", "manifest_url",
                  "manifest_complete"]

    def _revealed(self, draw: Draw) -> bool:
        return draw.plan.revealed_at is not None

    def get_secret(self, draw: Draw) -> str | None:
        return draw.secret or None if self._revealed(draw) else None

    def get_seed(self, draw: Draw) -> str | None:
        return draw.seed or None if self._revealed(draw) else None

    def get_manifest_url(self, draw: Draw) -> str | None:
        if not draw.manifest:
            return None
        return reverse("public-api:manifest", args=[draw.plan_id, draw.number], request=self.context.get("request"))

    def get_manifest_complete(self, draw: Draw) -> bool:
        return bool(draw.manifest) and self._revealed(draw)


class PublicPlanSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="__str__")
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    jurisdiction_name = serializers.CharField(source="jurisdiction.name")
    status_label = serializers.CharField(source="get_status_display")
    strata = PublicStratumSerializer(many=True)
    draws = PublicDrawSerializer(many=True)
    check_items = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "title", "jurisdiction", "jurisdiction_name", "level", "kind", "year", "quarter", "status",
                  "status_label", "policy_title", "policy_version", "policy_fingerprint", "check_items", "strata",
                  "draws", "dispatched_at", "revealed_at"]


def public_plans() -> QuerySet:
    draws = Draw.objects.exclude(status=DrawStatus.OPEN, inputs_hash="").order_by("number")
    return (Plan.objects.published().select_related("jurisdiction", "department")
            .prefetch_related("strata", "check_items", Prefetch("draws", queryset=draws))
            .order_by("-year", "-quarter", "jurisdiction__path", "kind", "id"))


@documented("year", "quarter", "jurisdiction")
class PlanList(PublicListView):
    """Quarterly plans from their freeze on: strata against the policy, hashes, commitment, reveal."""

    serializer_class = PublicPlanSerializer
    allowed_params = ("year", "quarter", "jurisdiction")

    def get_queryset(self) -> QuerySet:
        params = self.params()
        plans = public_plans()
        if "year" in params:
            plans = plans.filter(year=int_param(params["year"], "year", 2000, 2100))
        if "quarter" in params:
            plans = plans.filter(quarter=int_param(params["quarter"], "quarter", 1, 4))
        if "jurisdiction" in params:
            plans = subtree(plans, "jurisdiction", jurisdiction_param(params["jurisdiction"]))
        return plans


class PlanDetail(PublicDetailView):
    serializer_class = PublicPlanSerializer
    queryset = public_plans()


@extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
class ManifestView(APIView):
    """A draw's manifest as published now: sealed until the plan is revealed, complete after."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]

    def get(self, request, plan_id: int, number: int) -> HttpResponse:
        draw = get_object_or_404(Draw.objects.select_related("plan").filter(plan__in=Plan.objects.published()),
                                 plan_id=plan_id, number=number, manifest__isnull=False)
        body, complete = published_manifest(draw)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["X-Manifest-State"] = "complete" if complete else "sealed"
        return response


# --- results -------------------------------------------------------------------------------------------------------

MASK_COVERS = {"industry": ("industry_code", "industry_name")}


def hide_masked(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """A correction's "before" must not bring back what its "after" withholds or masks: a result withheld (or a
    field masked) by a later decision shows the withheld value on both sides."""
    masked = {note.get("field") for note in after.get("redactions") or []}
    if "*" in masked or after.get("outcome") == Outcome.WITHHELD:
        return dict(after)
    shown = dict(before)
    for field in masked:
        for key in MASK_COVERS.get(field, (field,)):
            if key in after:
                shown[key] = after[key]
    return shown


class PublicCorrectionSerializer(serializers.ModelSerializer):
    public_id = serializers.CharField(source="result.public_id")
    before = serializers.SerializerMethodField()

    class Meta:
        model = Correction
        fields = ["id", "public_id", "corrected_at", "reason", "before", "after"]

    def get_before(self, correction: Correction) -> dict[str, Any]:
        return hide_masked(correction.before, correction.after)


class PublicResultSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="jurisdiction.code")
    outcome_label = serializers.CharField(source="get_outcome_display")
    publication = serializers.CharField(source="publication.__str__")
    released_at = serializers.DateTimeField(source="publication.released_at")

    class Meta:
        model = PublishedResult
        fields = ["public_id", "jurisdiction", "jurisdiction_name", "credit_code", "target_name", "industry_code",
                  "industry_name", "inspected_on", "plan_id", "plan_label", "mode", "items", "outcome",
                  "outcome_label", "problems", "redactions", "withheld_basis", "corrected_at", "publication",
                  "released_at"]


class PublicResultDetailSerializer(PublicResultSerializer):
    corrections = serializers.SerializerMethodField()

    class Meta(PublicResultSerializer.Meta):
        fields = [*PublicResultSerializer.Meta.fields, "corrections"]

    def get_corrections(self, result: PublishedResult) -> list[dict]:
        return PublicCorrectionSerializer(result.corrections.order_by("corrected_at", "id"), many=True).data


def month_param(value: str) -> tuple[date, date]:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError({"month": [_("月份应写作 YYYY-MM，如 2026-03，收到“%(value)s”") % {"value": value}]})
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)


def filter_results(results: QuerySet, params: dict[str, str]) -> QuerySet:
    """The results search's filters (the portal's results page reads the same parameters)."""
    if "jurisdiction" in params:
        place = jurisdiction_param(params["jurisdiction"])
        results = results.filter(jurisdiction__in=Jurisdiction.objects.filter(path__startswith=place.path))
    if "month" in params:
        first, after = month_param(params["month"])
        results = results.filter(inspected_on__gte=first, inspected_on__lt=after)
    if "industry" in params:
        results = results.filter(industry_code__startswith=industry_param(params["industry"]))
    if "outcome" in params:
        if params["outcome"] not in Outcome.values:
            raise ValidationError({"outcome": [_("检查结果应为 %(choices)s 之一，收到“%(value)s”") % {
                "choices": "、".join(Outcome.values), "value": params["outcome"]}]})
        results = results.filter(outcome=params["outcome"])
    if "q" in params:
        q = params["q"]
        if CREDIT_CODE.fullmatch(q.upper()):
            results = results.filter(credit_code=q.upper())
        else:
            results = results.filter(Q(target_name__icontains=q) | Q(public_id=q))
    return results


@documented("jurisdiction", "month", "industry", "outcome", "q")
class ResultList(PublicListView):
    """抽查结果: rows of released monthly batches, newest inspection first."""

    serializer_class = PublicResultSerializer
    allowed_params = ("jurisdiction", "month", "industry", "outcome", "q")

    def get_queryset(self) -> QuerySet:
        results = (PublishedResult.objects.published().select_related("jurisdiction", "publication__jurisdiction")
                   .order_by("-inspected_on", "public_id"))
        return filter_results(results, self.params())


class ResultDetail(PublicDetailView):
    serializer_class = PublicResultDetailSerializer
    lookup_field = "public_id"
    queryset = PublishedResult.objects.published().select_related("jurisdiction", "publication__jurisdiction")


@documented("public_id")
class CorrectionList(PublicListView):
    """Every recorded correction of a published result, with its reason."""

    serializer_class = PublicCorrectionSerializer
    allowed_params = ("public_id",)

    def get_queryset(self) -> QuerySet:
        params = self.params()
        corrections = Correction.objects.published().select_related("result").order_by("corrected_at", "id")
        if "public_id" in params:
            corrections = corrections.filter(result__public_id=params["public_id"])
        return corrections


# --- verification status -------------------------------------------------------------------------------------------


class PublicVerificationSerializer(serializers.Serializer):
    plan_id = serializers.IntegerField()
    plan = serializers.CharField()
    draw = serializers.IntegerField()
    draw_status = serializers.CharField()
    revealed_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=["not_revealed", "unchecked", "verified", "failed"])
    checked_at = serializers.DateTimeField(allow_null=True)
    report = serializers.CharField()
    manifest_url = serializers.URLField()


@documented("year", "quarter", "jurisdiction")
class VerificationList(PublicListView):
    """Each published plan's draws and whether their manifest verifies (the server's check with the standalone
    verifier's rules; anyone can re-run it)."""

    serializer_class = PublicVerificationSerializer
    allowed_params = ("year", "quarter", "jurisdiction")

    def get_queryset(self) -> QuerySet:
        params = self.params()
        draws = (Draw.objects.filter(plan__in=Plan.objects.published(), manifest__isnull=False)
                 .select_related("plan__jurisdiction", "plan__department")
                 .prefetch_related(Prefetch("verifications", queryset=DrawVerification.objects.order_by(
                     "-checked_at", "-id")))
                 .order_by("-plan__year", "-plan__quarter", "plan__jurisdiction__path", "plan_id", "number"))
        if "year" in params:
            draws = draws.filter(plan__year=int_param(params["year"], "year", 2000, 2100))
        if "quarter" in params:
            draws = draws.filter(plan__quarter=int_param(params["quarter"], "quarter", 1, 4))
        if "jurisdiction" in params:
            draws = subtree(draws, "plan__jurisdiction", jurisdiction_param(params["jurisdiction"]))
        return draws

    def list(self, request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = []
        for draw in page:
            revealed = draw.plan.revealed_at is not None
            latest = draw.verifications.all()[0] if revealed and draw.verifications.all() else None
            status = ("not_revealed" if not revealed else "unchecked" if latest is None
                      else "verified" if latest.ok else "failed")
            rows.append({
                "plan_id": draw.plan_id, "plan": str(draw.plan), "draw": draw.number,
                "draw_status": draw.status, "revealed_at": draw.plan.revealed_at,
                "status": status, "checked_at": latest.checked_at if latest else None,
                "report": latest.report if latest else "",
                "manifest_url": reverse("public-api:manifest", args=[draw.plan_id, draw.number], request=request),
            })
        return self.get_paginated_response(rows)


@extend_schema(responses={200: OpenApiTypes.OBJECT})
class ApiRoot(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]

    def get(self, request) -> Response:
        names = ["items", "list", "plans", "results", "corrections", "verification"]
        return Response({name: reverse(f"public-api:{name}", request=request) for name in names})
