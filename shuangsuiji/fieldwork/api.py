"""Read-only REST API of sealed inspection records for provincial platforms (DESIGN §6).

Only sealed records are served — a draft is work in progress, not a record — each with its seal hash and
sealed content, so a receiving platform can check what it got. Every queryset goes through the scoping
gate. Nothing can be written here: records change only through the pages and their service functions, and a
sealed record not at all.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from shuangsuiji import params
from shuangsuiji.apifields import describe_fields
from shuangsuiji.fieldwork.models import Attachment, InspectionRecord, ItemResult, Signature, task_number
from shuangsuiji.registry.api import JurisdictionCodeFilter, described


class ItemResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = ItemResult
        fields = ["order", "code", "name", "outcome", "notes", "handling", "deadline", "transfer_to", "rectification"]


# A re-check's rows verify orders (models.RECHECK_OUTCOMES): the same stored values mean 已整改 / 未整改 there, which
# the pages say and a client of the API could not tell from "检查结果" alone.
describe_fields(ItemResultSerializer, outcome=_(
    "检查结果：ok 未发现问题，problem 发现问题，na 不涉及；复查记录（visit 为复查编号）的各项核实责令整改的问题，"
    "ok 为已整改，problem 为未整改"))


class SignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signature
        fields = ["role", "name", "certificate_number", "signed_at", "image_hash", "content_hash"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["original_name", "content_type", "size", "sha256", "taken_at", "caption", "converted_from",
                  "original_size", "original_sha256"]


class RecordSerializer(serializers.ModelSerializer):
    visit = serializers.SerializerMethodField()
    jurisdiction = serializers.CharField(source="target.jurisdiction.code", read_only=True)
    # null on every record but an amendment: the schema must say so (a read-only related field is not by default)
    amends = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    state = serializers.CharField(read_only=True)
    items = ItemResultSerializer(many=True, read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = InspectionRecord
        fields = ["id", "number", "visit", "jurisdiction", "credit_code", "target_name", "mode", "off_site_means",
                  "positive_list", "started_at", "ended_at", "place", "legal_representative", "address",
                  "permit_number", "findings", "items", "signatures", "attachments", "amends", "amendment_reason",
                  "state", "sealed_at", "seal_hash", "sealed_content"]

    def get_visit(self, record: InspectionRecord) -> str:
        return task_number(record.task) if record.task_id else record.recheck.number


describe_fields(
    RecordSerializer, id=_("检查记录的 id，用于详情地址"),
    visit=_("所属任务的编号（复查记录为复查编号）"), jurisdiction=_("检查对象所在行政区的代码"),
    items=_("逐项的检查结果"), signatures=_("签名"), attachments=_("照片和附件（只有文件的哈希等，不含文件本身）"),
    amends=_("本记录更正的那份记录的编号；不是更正记录时为 null"),
    state=_("记录状态：pending 待审核，passed 已通过（可公开），returned 已退回，superseded 已被更正"),
    seal_hash=_("封存哈希：sealed_content 的 SHA-256，接收平台可据此核对"),
    sealed_content=_("封存时记录的全部内容，封存后不再改变"))


class RecordFilter(params.FilterSet):
    jurisdiction = JurisdictionCodeFilter("target__jurisdiction")
    # described (the schema said a bare date-time): the form it is read in, and the "+" an address must encode
    sealed_after = params.IsoDateTimeFilter(field_name="sealed_at", lookup_expr="gte", label=_(
        "只列出此时刻及以后封存的记录：ISO 8601 日期时间，如 2026-03-01T00:00:00+08:00，地址中的“+”写作 %2B；"
        "不写时区偏移的按北京时间"))
    publishable = params.BooleanFilter(method="only_publishable", label=_("仅可公开（审核通过）"))
    credit_code = django_filters.CharFilter(method="by_credit_code", label=_("统一社会信用代码"))

    class Meta:
        model = InspectionRecord
        fields = ["mode", "credit_code"]

    def by_credit_code(self, queryset, name, value):
        # Stored in capitals, as GB 32100 writes it (and as the registry API's q reads it): typed in small letters
        # or with a space around it, the exact match found nothing and the list said "no records of this target".
        return queryset.filter(credit_code=value.strip().upper())

    def only_publishable(self, queryset, name, value):
        return queryset.publishable() if value else queryset


@described(_("已封存的检查记录（草稿不在其中），各带封存哈希和封存内容，供接收平台核对；本人管辖范围内的，按 id 排列"),
           _("一份已封存的检查记录，按 id；不在本人管辖范围内或尚未封存的回答 404"))
class RecordViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RecordSerializer
    filterset_class = RecordFilter
    queryset = InspectionRecord.objects.all()

    def get_queryset(self):
        return (InspectionRecord.objects.visible_to(self.request.user).sealed()
                .select_related("task", "recheck", "target__jurisdiction", "amends", "review")
                .prefetch_related("items", "signatures", "attachments").order_by("id"))
