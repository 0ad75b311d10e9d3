"""How the OpenAPI schema (/api/schema/, /api/public/schema/) describes the APIs' fields: every field with a
description in the reader's language, the staff APIs' as the public API's.

Apart from ``shuangsuiji.apischema`` (the schema's views and answers), which imports drf-spectacular's views: they
read REST_FRAMEWORK's schema class, this module's ``AutoSchema``, when they are defined.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi

SUMMARIES = {
    "/api/fieldwork/records/": _("列出已封存的检查记录"),
    "/api/fieldwork/records/{id}/": _("读取一份已封存的检查记录"),
    "/api/planning/plans/": _("列出抽查计划"),
    "/api/planning/plans/{id}/": _("读取一份抽查计划"),
    "/api/planning/plans/{id}/draws/{number}/manifest/": _("下载一次抽取的清单"),
    "/api/planning/tasks/": _("列出抽查任务"),
    "/api/planning/tasks/{id}/": _("读取一项抽查任务"),
    "/api/public/": _("公开接口的目录"),
    "/api/public/corrections/": _("列出已公开结果的更正"),
    "/api/public/items/": _("列出随机抽查事项清单"),
    "/api/public/list/": _("列出随机抽查对象名录"),
    "/api/public/plans/": _("列出已公开的抽查计划"),
    "/api/public/plans/{id}/": _("读取一份已公开的抽查计划"),
    "/api/public/plans/{plan_id}/draws/{number}/manifest-sealed.json": _("下载一次抽取的封存清单"),
    "/api/public/plans/{plan_id}/draws/{number}/manifest.json": _("下载一次抽取现在公开的清单"),
    "/api/public/results/": _("列出已公开的抽查结果"),
    "/api/public/results/{public_id}/": _("读取一条已公开的抽查结果"),
    "/api/public/verification/": _("列出各次抽取的验证结果"),
    "/api/registry/departments/": _("列出部门"),
    "/api/registry/departments/{id}/": _("读取一个部门"),
    "/api/registry/inspectors/": _("列出执法检查人员"),
    "/api/registry/inspectors/{id}/": _("读取一名执法检查人员"),
    "/api/registry/items/": _("列出抽查事项"),
    "/api/registry/items/{id}/": _("读取一个抽查事项"),
    "/api/registry/jurisdictions/": _("列出行政区划"),
    "/api/registry/jurisdictions/{id}/": _("读取一个行政区划"),
    "/api/registry/targets/": _("列出检查对象"),
    "/api/registry/targets/{id}/": _("读取一个检查对象"),
    "/api/schema/": _("读取本文档（OpenAPI 描述）"),
}
"""Each operation's one-line summary, by its path (every API answers GET alone), lazy: the schema is served in the
reader's language. Swagger UI shows it beside the path, where an operation had only its path; a path added without
one fails tests/test_api_schema.py."""


def describe_fields(serializer: type, **descriptions: Any) -> None:
    """The schema's description of ``serializer``'s fields, each a lazy text (the schema is served in the reader's
    language): a declared field's ``help_text``, a model field's through ``Meta.extra_kwargs``. Without one a client
    read a name and a type — ``id``, ``secret``, ``state`` — not which id, when it is null, what a state means."""
    meta = serializer.Meta
    extra = {name: dict(kwargs) for name, kwargs in getattr(meta, "extra_kwargs", {}).items()}
    for name, text in descriptions.items():
        if name not in meta.fields:
            raise ValueError(f"{serializer.__name__} has no field {name!r}")
        declared = serializer._declared_fields.get(name)
        if declared is not None:
            # each serializer deep-copies its declared fields, which DRF makes anew from their arguments
            declared._kwargs["help_text"] = declared.help_text = text
        else:
            extra.setdefault(name, {})["help_text"] = text
    meta.extra_kwargs = extra


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, with every operation summarized (``SUMMARIES``) and every field described: one without a
    description of its own (``describe_fields``, the model field's help text) says its name on the pages, the model
    field's verbose name in the reader's language. drf-spectacular gave that only as the field's ``title``, which
    Swagger UI does not show, and not at all when it reads like the field's name (``name``, "Name")."""

    def get_summary(self) -> str | None:
        summary = SUMMARIES.get(self.path)
        return str(summary) if summary is not None else None

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # a serializer's field only: a path's id is read through a field of no serializer, and described by
        # drf-spectacular when its schema has no description ("A unique integer value identifying this …")
        if "description" not in meta and getattr(field, "label", None) and getattr(field, "parent", None) is not None:
            meta["description"] = str(field.label)
        return meta
