"""How the OpenAPI schema (/api/schema/, /api/public/schema/) describes the APIs' fields: every field with a
description in the reader's language, the staff APIs' as the public API's.

Apart from ``shuangsuiji.apischema`` (the schema's views and answers), which imports drf-spectacular's views: they
read REST_FRAMEWORK's schema class, this module's ``AutoSchema``, when they are defined.
"""

from typing import Any

from drf_spectacular import openapi


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
    """drf-spectacular's, with every field described: one without a description of its own (``describe_fields``,
    the model field's help text) says its name on the pages, the model field's verbose name in the reader's
    language. drf-spectacular gave that only as the field's ``title``, which Swagger UI does not show, and not at
    all when it reads like the field's name (``name``, "Name")."""

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # a serializer's field only: a path's id is read through a field of no serializer, and described by
        # drf-spectacular when its schema has no description ("A unique integer value identifying this …")
        if "description" not in meta and getattr(field, "label", None) and getattr(field, "parent", None) is not None:
            meta["description"] = str(field.label)
        return meta
