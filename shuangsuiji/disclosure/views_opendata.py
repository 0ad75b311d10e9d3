"""/public/opendata/: how to take the portal's data away — every download and the read-only JSON API.

The columns listed are read from the API's own serializers, so this page cannot drift from what the API and
the downloads (the same rows, ``?format=csv`` and ``?format=json`` on each public list) serve.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from shuangsuiji.disclosure import api

FIELD_LABELS = {
    "public_id": _("公开编号（稳定，更正后不变）"),
    "jurisdiction": _("行政区划代码"),
    "jurisdiction_code": _("行政区划代码"),
    "jurisdiction_name": _("行政区"),
    "credit_code": _("统一社会信用代码"),
    "target_name": _("单位名称"),
    "name": _("名称"),
    "industry_code": _("行业代码"),
    "industry_name": _("行业名称"),
    "inspected_on": _("检查日期"),
    "plan_id": _("抽查计划编号"),
    "plan_label": _("抽查计划"),
    "mode": _("检查方式"),
    "items": _("抽查事项（编码、名称、结果）"),
    "outcome": _("检查结果代码：ok / problem / withheld"),
    "outcome_label": _("检查结果"),
    "problems": _("发现的问题、处理、整改期限、处罚决定书文号"),
    "redactions": _("依法隐去的内容及依据"),
    "withheld_basis": _("不予公开依据"),
    "corrected_at": _("最近更正时间"),
    "publication": _("公开批次"),
    "released_at": _("公开时间"),
    "corrections": _("更正记录"),
    "year": _("年度"),
    "address": _("地址"),
    "is_key_unit": _("重点排污单位"),
    "code": _("编码"),
    "legal_basis": _("检查依据"),
    "content": _("检查内容"),
    "list_level": _("清单层级"),
    "responsible_department": _("责任科室"),
    "check_method": _("检查方式"),
    "applies_general": _("适用一般排污单位"),
    "applies_key": _("适用重点排污单位"),
    "applies_special": _("适用特殊监管对象"),
    "id": _("编号"),
    "title": _("名称"),
    "level": _("层级"),
    "kind": _("类型"),
    "quarter": _("季度"),
    "status": _("状态代码"),
    "status_label": _("状态"),
    "policy_title": _("所依据的政策"),
    "policy_version": _("政策版本"),
    "policy_fingerprint": _("政策指纹（SHA-256）"),
    "check_items": _("抽查事项编码"),
    "strata": _("各类别：可抽对象数、政策最低数、计划抽查数、计算说明与依据"),
    "draws": _("抽取：输入哈希、密钥承诺、公开随机数；公开密钥后还有密钥、种子与完整清单"),
    "dispatched_at": _("派发时间"),
    "revealed_at": _("公开密钥时间"),
    "reason": _("更正理由"),
    "before": _("更正前"),
    "after": _("更正后"),
    "plan": _("抽查计划"),
    "draw": _("第几次抽取"),
    "draw_status": _("抽取状态"),
    "checked_at": _("验证时间"),
    "report": _("验证报告"),
    "manifest_url": _("抽取清单地址"),
}


@dataclass
class Dataset:
    title: str
    page: str  # URL name of the portal page (namespace public), "" when there is none
    api: str  # URL name in the API (namespace public-api)
    serializer: type
    params: tuple[str, ...]
    note: str = ""
    page_url: str = ""
    api_url: str = ""
    columns: list[tuple[str, str]] = field(default_factory=list)


DATASETS = [
    Dataset(_("抽查结果"), "results", "results", api.PublicResultSerializer, api.ResultList.allowed_params,
            _("每月公开批次中的检查结果，按检查日期从新到旧；依法不予公开的结果只留编号、日期和依据。")),
    Dataset(_("随机抽查对象名录"), "list", "list", api.PublicListedTargetSerializer,
            api.ListedTargetList.allowed_params, _("每年年初公开的本年度随机抽查对象。")),
    Dataset(_("抽查计划"), "plans", "plans", api.PublicPlanSerializer, api.PlanList.allowed_params,
            _("审定冻结后的季度计划：各类别数量与政策要求、输入哈希、密钥承诺；检查结束公开密钥后可验证。")),
    Dataset(_("随机抽查事项清单"), "items", "items", api.PublicCheckItemSerializer, api.CheckItemList.allowed_params,
            _("在用的抽查事项及其依据。")),
    Dataset(_("抽取验证状态"), "verification", "verification", api.PublicVerificationSerializer,
            api.VerificationList.allowed_params, _("每次抽取的清单是否通过验证（与独立验证程序相同的规则）。")),
    Dataset(_("更正记录"), "", "corrections", api.PublicCorrectionSerializer, api.CorrectionList.allowed_params,
            _("已公开结果的每次更正：更正前后与理由。")),
]


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # a portal page not routed (yet): the API still documents the data
        return ""


def opendata(request: HttpRequest) -> HttpResponse:
    datasets = []
    for spec in DATASETS:
        fields = spec.serializer.Meta.fields if hasattr(spec.serializer, "Meta") else list(
            spec.serializer().fields)
        datasets.append(Dataset(
            spec.title, spec.page, spec.api, spec.serializer, spec.params, spec.note,
            page_url=_url(f"public:{spec.page}") if spec.page else "", api_url=reverse(f"public-api:{spec.api}"),
            columns=[(name, FIELD_LABELS.get(name, "")) for name in fields]))
    base = request.build_absolute_uri(reverse("public-api:root"))
    context = {
        "datasets": datasets,
        "parameters": [(name, text) for name, (_kind, text) in api.PARAMETER_DOCS.items()],
        "api_base": base,
        "example": f"curl '{base}results/?month=2026-03&outcome=problem&page_size=2'",
        "page_size": api.PublicPagination.page_size,
        "max_page_size": api.PublicPagination.max_page_size,
        "rate": settings.PUBLIC_API_RATE,
        "schema_url": reverse("api-schema") + "?format=json",
        "verifier_url": _url("public:verify"),
    }
    return render(request, "disclosure/opendata.html", context)
