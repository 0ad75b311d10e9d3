"""Read-only REST API of 两库一单 for provincial platforms and mobile apps.

Every queryset goes through the scoping gate; changes go through the pages (and their service
functions), so the API cannot bypass history or the audit log. Personal data of inspectors (phone
numbers) stays out of the API.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from shuangsuiji import params
from shuangsuiji.apifields import describe_fields
from shuangsuiji.registry.models import CheckItem, Department, Inspector, Jurisdiction, Outlet, Target
from shuangsuiji.textsearch import contains_piece, every_word


class JurisdictionSerializer(serializers.ModelSerializer):
    # allow_null: a read-only related field is documented as never null otherwise, and the top of the tree (the
    # province) and an item without a specialty are null — a client generated from the schema failed on them.
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Jurisdiction
        fields = ["id", "code", "name", "level", "parent"]


class DepartmentSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "code", "jurisdiction", "has_enforcement_duty", "is_active"]


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["code", "name", "kind", "online_monitored"]


class TargetSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    outlets = OutletSerializer(many=True, read_only=True)

    class Meta:
        model = Target
        fields = ["id", "credit_code", "name", "address", "jurisdiction", "industry_code", "industry_name",
                  "longitude", "latitude", "legal_representative", "permit_number", "status", "defunct_date",
                  "defunct_reason", "category", "positive_list", "outlets", "updated_at"]


class InspectorSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.StringRelatedField()
    specialties = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Inspector
        fields = ["id", "name", "certificate_number", "certificate_expiry", "jurisdiction", "department",
                  "qualifications", "specialties", "status", "is_double_random", "is_external", "external_kind",
                  "organisation"]


class CheckItemSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    responsible_department = serializers.StringRelatedField()
    cooperating_departments = serializers.StringRelatedField(many=True)
    specialty = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = CheckItem
        fields = ["id", "code", "name", "legal_basis", "content", "jurisdiction", "list_level",
                  "responsible_department", "cooperating_departments", "categories", "industries", "specialty",
                  "check_method", "is_active"]


describe_fields(JurisdictionSerializer, id=_("行政区的 id，用于详情地址"),
                parent=_("上级行政区的代码；最上一级为 null"))
describe_fields(DepartmentSerializer, id=_("部门的 id，用于详情地址"), jurisdiction=_("所属行政区的代码"))
describe_fields(TargetSerializer, id=_("检查对象的 id，用于详情地址"), jurisdiction=_("所属行政区的代码"),
                outlets=_("排放口"))
describe_fields(InspectorSerializer, id=_("执法检查人员的 id，用于详情地址"),
                jurisdiction=_("所属行政区的代码"), department=_("所属部门（科室）的名称"),
                specialties=_("专业领域的代码"))
describe_fields(CheckItemSerializer, id=_("抽查事项的 id，用于详情地址"),
                jurisdiction=_("制定清单的行政区的代码"),
                responsible_department=_("责任部门（科室）的名称"),
                cooperating_departments=_("配合部门（科室）的名称"),
                categories=_("适用的检查对象类别：general 一般排污单位，key 重点排污单位，special 特殊监管对象"),
                specialty=_("所需专业领域的代码；不限时为 null"))


def in_jurisdiction(queryset: QuerySet, field: str, code: str) -> QuerySet:
    """Rows of the jurisdiction with this division code and of its sub-jurisdictions. The path is the chain
    of codes, each followed by a dot, so a whole segment is matched: 1306 does not find 130623."""
    code = code.strip()
    return queryset.filter(Q(**{f"{field}__path__startswith": f"{code}."})
                           | Q(**{f"{field}__path__contains": f".{code}."}))


class JurisdictionCodeField(forms.CharField):
    """A division code the system knows: an unknown one ("abc", a misspelt code) is refused, not a list of
    nothing that reads as "no rows there". The tree itself is public (the portal shows it)."""

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and not Jurisdiction.objects.filter(code=value.strip()).exists():
            raise ValidationError(_("未知的行政区划代码：%(code)s"), code="unknown", params={"code": value})


class JurisdictionCodeFilter(django_filters.CharFilter):
    """The APIs' ``jurisdiction`` parameter: a division code, its sub-jurisdictions included. ``field_name`` is
    the path to the row's jurisdiction ("jurisdiction", "target__jurisdiction")."""

    field_class = JurisdictionCodeField

    def __init__(self, field_name: str = "jurisdiction", **kwargs) -> None:
        super().__init__(field_name=field_name, label=_("行政区划代码（含下级）"), **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        return in_jurisdiction(qs, self.field_name, value) if value else qs


params.describe_filters(
    Jurisdiction, code=_("6 位行政区划代码，完全相同的那一个（不含下级），如 130623"))
params.describe_filters(
    Department, has_enforcement_duty=_("true 只列具有行政执法职能的部门，false 只列没有的"),
    is_active=_("true 只列在用的，false 只列已停用的"))
params.describe_filters(
    Target, industry_code=_("行业代码，与登记的写法完全相同，如 C2614"),
    positive_list=_("true 只列纳入监督执法正面清单的单位，false 只列未纳入的"))
params.describe_filters(
    Inspector, certificate_number=_("执法证号，完全相同"),
    is_external=_("true 只列外部专家，false 只列执法人员"))
params.describe_filters(
    CheckItem, code=_("抽查事项编码，完全相同"), is_active=_("true 只列在用的，false 只列已停用的"))


class TargetFilter(params.FilterSet):
    jurisdiction = JurisdictionCodeFilter()
    # translated: the schema is served in the reader's language
    q = django_filters.CharFilter(method="search", label=_("名称或统一社会信用代码"))

    class Meta:
        model = Target
        fields = ["category", "positive_list", "status", "industry_code"]

    def search(self, queryset, name, value):
        # each word narrows, as on the staff's pages: a credit code exactly, else a piece of the name
        return queryset.filter(every_word(value, lambda word: Q(credit_code=word.upper())
                                          if len(word) == 18 and word.isalnum() else contains_piece("name", word)))


def described(listed: str, one: str):
    """The schema's description of a viewset's list and detail, in the reader's language (drf-spectacular took the
    class's docstring, the same English text for both, in either language)."""
    return extend_schema_view(list=extend_schema(description=listed), retrieve=extend_schema(description=one))


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Objects outside the caller's jurisdiction do not exist here (404), as on the pages."""

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)


@described(_("行政区划：本人管辖的行政区及其各级下级"),
           _("一个行政区划，按 id；不在本人管辖范围内的回答 404"))
class JurisdictionViewSet(ScopedViewSet):
    queryset = Jurisdiction.objects.select_related("parent")
    serializer_class = JurisdictionSerializer
    filterset_fields = ["level", "code"]


@described(_("部门（科室）：本人管辖范围内的部门"),
           _("一个部门，按 id；不在本人管辖范围内的回答 404"))
class DepartmentViewSet(ScopedViewSet):
    queryset = Department.objects.select_related("jurisdiction")
    serializer_class = DepartmentSerializer
    filterset_fields = ["has_enforcement_duty", "is_active"]


@described(_("检查对象库：本人管辖范围内的污染源等检查对象及其排放口，按 id 排列"),
           _("一个检查对象及其排放口，按 id；不在本人管辖范围内的回答 404"))
class TargetViewSet(ScopedViewSet):
    queryset = Target.objects.select_related("jurisdiction").prefetch_related("outlets").order_by("id")
    serializer_class = TargetSerializer
    filterset_class = TargetFilter


@described(_("执法检查人员库：本人管辖范围内的执法人员和外部专家，按 id 排列；不含电话号码"),
           _("一名执法检查人员，按 id；不在本人管辖范围内的回答 404"))
class InspectorViewSet(ScopedViewSet):
    queryset = (Inspector.objects.select_related("jurisdiction", "department__jurisdiction")
                .prefetch_related("specialties").order_by("id"))
    serializer_class = InspectorSerializer
    filterset_fields = ["status", "is_external", "certificate_number"]


@described(_("抽查事项清单：本人管辖范围内的抽查事项，按编码排列"),
           _("一个抽查事项，按 id；不在本人管辖范围内的回答 404"))
class CheckItemViewSet(ScopedViewSet):
    queryset = (CheckItem.objects.select_related("jurisdiction", "responsible_department__jurisdiction",
                                                 "specialty")
                .prefetch_related("cooperating_departments__jurisdiction").order_by("code"))
    serializer_class = CheckItemSerializer
    filterset_fields = ["list_level", "is_active", "code"]
