"""What the OpenAPI schema (/api/schema/) says besides what drf-spectacular reads from the views: the answers other
than 200 that every operation of the APIs gives.

drf-spectacular documents a view's own 200 only, so a client generated from the schema (and a fuzzer checking the
API against it) met answers it was told nothing of: the 400 naming a parameter the list cannot read (an unknown
parameter, a page past the last, ``?format=`` naming no format), the 404 of an id that is not there or not in the
caller's scope, the staff API's 401 without credentials or with a refused token and 403 with a password that must
be changed first, the 406 to an Accept header that names no format the API gives, and the 429 of the public API's
rate and of a name locked after failed sign-ins. And that a query parameter left blank is read as absent.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer

from shuangsuiji.punctuation import join_sep

DETAIL = "ErrorDetail"
PARAMETERS = "ParameterErrors"

SCHEMAS: dict[str, dict[str, Any]] = {
    DETAIL: {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"],
             "detail": gettext_noop("原因，说给读的人"),
             "description": gettext_noop("为什么没有回答请求的内容")},
    PARAMETERS: {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                 "description": gettext_noop("每个读不了的参数及其原因，如 {\"page\": [\"页码超出范围：共 3 页\"]}")},
}

ANSWERS: dict[str, tuple[str, str]] = {
    "400": (PARAMETERS, gettext_noop("参数有误：未知参数、读不了的值、超出范围的页码或未知格式，逐个说明")),
    "401": (DETAIL, gettext_noop(
        "未登录，或用户名、密码错误，或 API 令牌无效（未知、格式不对、已吊销、已过期、所有者已停用）")),
    "403": (DETAIL, gettext_noop("无权读取：须先修改密码，或本角色不能读取此项，或用 API 令牌请求修改")),
    "404": (DETAIL, gettext_noop("不存在，或不在本人的管辖范围内")),
    "406": (DETAIL, gettext_noop("请求的 Accept 头中没有本接口能给出的格式（JSON）")),
    "429": (DETAIL, gettext_noop("请求过多（公开接口按来源地址限速），或该用户名因连续登录失败已被锁定；稍后重试")),
}


class SchemaView(SpectacularAPIView):
    """The schema, in YAML unless JSON is asked for; its refusals (401, 406, 429…) in JSON, as the documented
    ``ErrorDetail`` of every other API. The YAML renderer wrote a refusal as ``detail: {string: …, code: …}``."""

    @extend_schema(
        description=gettext_lazy("本文档：各接口的 OpenAPI 3 描述，供生成客户端或核对回答；登录后或带 API 令牌可读"),
        parameters=[
            OpenApiParameter("format", str, enum=["json", "yaml"], description=gettext_lazy(
                "描述的格式：yaml（默认）或 json；也可以用 Accept 头选择")),
            OpenApiParameter("lang", str, enum=[code for code, _name in settings.LANGUAGES], description=gettext_lazy(
                "描述所用的语言：zh-hans 中文，en 英文；不写时按界面语言（语言 cookie），没有时为中文"))],
        responses={200: OpenApiTypes.OBJECT})
    def get(self, request, *args, **kwargs):
        # an unknown language was served in the default one without a word, as a misspelt filter lists everything
        raw = request.query_params.get("lang", "")
        languages = [code for code, _name in settings.LANGUAGES]
        if raw.strip() and raw not in languages:
            raise exceptions.ValidationError({"lang": [gettext("未知语言“%(value)s”；可用语言：%(known)s") % {
                "value": raw, "known": join_sep(languages)}]})
        return super().get(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> Any:
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


def _answer(code: str) -> dict[str, Any]:
    schema, description = ANSWERS[code]
    return {"description": gettext(description),
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def document_error_answers(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular's postprocessing hook: every operation's non-200 answers, as the views give them.

    400 and 406 everywhere (``?format=``, unknown parameters and the Accept header are read by every view, a
    detail's too); 404 where the path names something; 401 and 403 where signing in is required (the staff APIs);
    429 for the public API (its rate) and for the staff API (HTTP Basic of a locked name)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    # the descriptions in the language the schema was asked in (?lang=), as drf-spectacular's own
    schemas.update({name: {**schema, "description": gettext(schema["description"])}
                    for name, schema in SCHEMAS.items()})
    detail = schemas[DETAIL].pop("detail")
    schemas[DETAIL]["properties"] = {"detail": {"type": "string", "description": gettext(detail)}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                # a blank value is no value (a filter left empty in a form): ?status= lists everything, as the
                # schema now says; it said the value had to be one of the statuses, yet the list answered it
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
            codes = ["400", "406", "429"]
            if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
                codes.append("404")
            if {} not in operation.get("security", [{}]):
                codes += ["401", "403"]
            for code in sorted(codes):
                operation["responses"].setdefault(code, _answer(code))
    return result


class ApiDocsView(SpectacularSwaggerSplitView):
    """/api/docs/, Swagger UI over /api/schema/: like the schema, for a signed-in user or a valid API token
    (``SERVE_PERMISSIONS``). It is a page: a browser that is not signed in is sent to the login page and back,
    not shown the API's 401; a client that sent credentials the API refuses still gets that 401."""

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, exceptions.NotAuthenticated) and "HTTP_AUTHORIZATION" not in self.request.META:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
