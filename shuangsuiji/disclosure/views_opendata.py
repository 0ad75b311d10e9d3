"""/public/opendata/: how to take the portal's data away — every download and the read-only JSON API.

The columns listed are read from where the data is made — the downloads' columns from ``public.COLUMNS``, the
API's fields from the descriptions its schema is built from — so this page cannot drift from what is served.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shuangsuiji.disclosure import api, public


@dataclass
class Dataset:
    title: str
    page: str  # URL name of the portal page (namespace public), "" when there is none
    api: str  # URL name in the API (namespace public-api)
    fields: dict[str, str]  # the API row's keys and what they mean
    params: tuple[str, ...]
    note: str = ""
    page_url: str = ""
    api_url: str = ""
    download_columns: list[tuple[str, str, str]] = field(default_factory=list)  # key, header, how it is written
    api_fields: list[tuple[str, str]] = field(default_factory=list)


DATASETS = [
    Dataset(_("抽查结果"), "results", "results", api.RESULT_FIELDS, api.ResultList.allowed_params,
            _("每月公开批次中的检查结果，按检查日期从新到旧；依法不予公开的结果只留编号、日期和依据。")),
    Dataset(_("随机抽查对象名录"), "list", "list", api.LIST_FIELDS, api.ListedTargetList.allowed_params,
            _("每年年初公开的本年度随机抽查对象。页面默认显示最近一年，接口不加 year 时返回各年。")),
    Dataset(pgettext_lazy("list", "抽查计划"), "plans", "plans", api.PLAN_FIELDS, api.PlanList.allowed_params,
            _("审定冻结后的季度计划：各类别数量与政策要求、输入哈希、密钥承诺；检查结束公开密钥后可验证。")),
    Dataset(_("随机抽查事项清单"), "items", "items", api.ITEM_FIELDS, api.CheckItemList.allowed_params,
            _("在用的抽查事项及其依据。")),
    Dataset(_("抽取验证状态"), "verification", "verification", api.VERIFICATION_FIELDS,
            api.VerificationList.allowed_params, _("每次抽取的清单是否通过验证（与独立验证程序相同的规则）。")),
    Dataset(pgettext_lazy("corrections", "更正记录"), "", "corrections", api.CORRECTION_FIELDS,
            api.CorrectionList.allowed_params,
            _("已公开结果的每次更正：更正前后与理由。")),
]


SYNC_EXAMPLE = """\
url='{base}results/?changed_since=2026-04-15T09:40:00%2B08:00&page_size=500'
while [ "$url" != null ]; do
  curl -sf "$url" > page.json || exit 1
  jq -c '.results[]' page.json >> changes.jsonl
  url=$(jq -r .next page.json)
done
jq -r .changed_at changes.jsonl | sort | tail -n 1"""
"""A sync in the shell for the open-data page: the last sync's latest change time minus five minutes, the "+" of
its offset written %2B; every page through ``next`` (jq), each row to be upserted by public_id; then the latest
change time read, from which the next sync starts."""


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # a portal page not routed (yet): the API still documents the data
        return ""


def error_example() -> str:
    """The API's answer to a month that cannot be read, in the language of the request: the body of its 400, as
    the same filter form writes it (the page showed the Chinese answer to English readers)."""
    form = public.ResultFilter({"month": "2026-13"})
    return json.dumps({name: [str(message) for message in messages] for name, messages in form.errors.items()},
                      ensure_ascii=False, separators=(",", ":"))  # as the API writes it


def opendata(request: HttpRequest) -> HttpResponse:
    datasets = []
    for spec in DATASETS:
        datasets.append(Dataset(
            spec.title, spec.page, spec.api, spec.fields, spec.params, spec.note,
            page_url=_url(f"public:{spec.page}") if spec.page else "", api_url=reverse(f"public-api:{spec.api}"),
            download_columns=[(key, str(label), str(public.COLUMN_NOTES.get(spec.page, {}).get(key, "")))
                              for key, label in public.COLUMNS.get(spec.page, [])],
            # The API's descriptions are Chinese literals (the OpenAPI schema is built from them at import):
            # translated here, in the reader's language.
            api_fields=[(key, gettext(text)) for key, text in spec.fields.items() if key != "__name__"]))
    base = request.build_absolute_uri(reverse("public-api:root"))
    context = {
        "datasets": datasets,
        "parameters": [(name, gettext(text)) for name, (_kind, text) in api.PARAMETER_DOCS.items()],
        "api_base": base,
        "example": f"curl '{base}results/?month=2026-03&outcome=problem&page_size=2'",
        "sync_example": SYNC_EXAMPLE.format(base=base),
        "page_size": api.PublicPagination.page_size,
        "max_page_size": api.PublicPagination.max_page_size,
        "rate": settings.PUBLIC_API_RATE,
        "schema_url": reverse("public-api-schema") + "?format=json",
        # The API's language follows this cookie only (accounts.middleware): the page tells a client so.
        "language_cookie": settings.LANGUAGE_COOKIE_NAME,
        "verifier_url": _url("public:verify"),
        "error_example": error_example(),
    }
    # The API answers in Chinese unless the language cookie says otherwise: a page read in another language shows
    # its example as the cookie gets it, and the answer a client without the cookie gets.
    if not (translation.get_language() or "").startswith("zh"):
        with translation.override(settings.LANGUAGE_CODE):
            context["error_example_default"] = error_example()
    return render(request, "disclosure/opendata.html", context)
