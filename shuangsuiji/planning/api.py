"""Read-only REST API of plans, draws and tasks (抽查计划、抽取、抽查任务) for provincial platforms and mobile apps.

A user reads here what the planning pages show him, chosen by the same functions: plans through
``visible_plans`` (an inspector reads none), tasks through ``visible_tasks`` (an inspector his own, once their
plan is dispatched; outside one's scope a plan or a task does not exist, 404). Within a task an inspector
sees what the task page shows him: his own team, without certificate numbers, plans or substitutions.

A draw shows each value of the ceremony once the step that makes it exists, as the plan page does; its
secret, and the complete manifest, only once the plan's reveal has published them. Inspectors' phone
numbers stay out, as in the registry API. Nothing can be written: plans and tasks change only through the
pages and ``planning.services``. Lists prefetch what they serialize, so a page costs the same number of
queries whatever its rows.
"""

from typing import Any

import django_filters
from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch, Q, QuerySet
from django.db.models.fields.json import KT
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.reverse import reverse

from shuangsuiji import params
from shuangsuiji.accounts.models import Role
from shuangsuiji.apifields import describe_fields
from shuangsuiji.fieldwork.models import InspectionRecord, task_number
from shuangsuiji.planning import overlaps
from shuangsuiji.planning.models import (
    CrossCheck,
    Draw,
    DrawStatus,
    Plan,
    PlanStratum,
    Substitution,
    Task,
    TaskMember,
    TaskPlan,
    team_places,
)
from shuangsuiji.planning.permissions import (
    of_department,
    shown_draws,
    shown_kind,
    shown_places,
    visible_plans,
    visible_tasks,
)
from shuangsuiji.planning.services import draw_revealed, published_manifest
from shuangsuiji.registry.api import JurisdictionCodeFilter, described
from shuangsuiji.registry.models import CheckItem, items_for_target


def is_inspector_view(user) -> bool:
    return user.role == Role.INSPECTOR and not user.is_superuser


# --- plans ---------------------------------------------------------------------------------------------------


class PlanStratumSerializer(serializers.ModelSerializer):
    shortfall = serializers.IntegerField(read_only=True, help_text=_("计划抽查数低于政策最低数的数量"))

    class Meta:
        model = PlanStratum
        fields = ["stratum", "population", "minimum", "explanation", "citation", "must_include", "requested",
                  "drawn", "shortfall", "shortfall_state", "shortfall_reason", "shortfall_decision",
                  "shortfall_decided_at"]


class PlanDrawSerializer(serializers.ModelSerializer):
    """A draw as the plan page shows it at each step; the secret only once the reveal published it."""

    witnesses = serializers.ListField(child=serializers.CharField(), read_only=True)
    draw_date = serializers.CharField(read_only=True, allow_null=True,
                                      help_text=_("冻结时公布的抽取日期"))
    selection_hash = serializers.CharField(read_only=True, allow_null=True,
                                           help_text=_("抽取结果哈希：抽取时即公布，承诺全部抽中名单"))
    revealed = serializers.SerializerMethodField(help_text=_("密钥是否已经公开"))
    secret = serializers.SerializerMethodField(help_text=_("密钥：公开密钥之前为 null"))
    manifest = serializers.SerializerMethodField(
        help_text=_("抽取清单的地址：抽取之后才有；公开密钥之前是封存清单（无密钥、无名单），之后是完整清单"))
    manifest_complete = serializers.SerializerMethodField(help_text=_("清单地址给出的是否为完整清单"))

    class Meta:
        model = Draw
        fields = ["number", "status", "inputs_hash", "frozen_at", "draw_date", "commitment", "committed_at",
                  "public_source", "public_value", "public_reference", "witnesses", "public_recorded_at", "seed",
                  "selection_hash", "drawn_at", "window_warning", "superseded_at", "revealed", "secret",
                  "manifest", "manifest_complete"]

    def get_revealed(self, draw: Draw) -> bool:
        return draw_revealed(draw, draw.plan)

    def get_secret(self, draw: Draw) -> str | None:
        return (draw.secret or None) if draw_revealed(draw, draw.plan) else None

    def get_manifest(self, draw: Draw) -> str | None:
        if not draw.has_manifest:
            return None
        return reverse("planning-api:plan-manifest", kwargs={"pk": draw.plan_id, "number": draw.number},
                       request=self.context.get("request"))

    def get_manifest_complete(self, draw: Draw) -> bool:
        return bool(draw.has_manifest) and draw_revealed(draw, draw.plan)


class CrossCheckSerializer(serializers.ModelSerializer):
    """The facts of a 跨部门联合抽查: who initiated it, who takes part, its task on the 部门协同监管平台."""

    initiator = serializers.CharField(source="initiator_name", read_only=True,
                                      help_text=_("发起部门（本局发起时为本局名称）"))
    initiated_here = serializers.BooleanField(read_only=True, help_text=_("是否由本局发起"))
    participants = serializers.ListField(child=serializers.CharField(), read_only=True,
                                         help_text=_("本局以外参加检查的部门"))

    class Meta:
        model = CrossCheck
        fields = ["initiator", "initiated_here", "participants", "platform_ref", "deadline"]


class PlanSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True, allow_null=True,
                                       help_text=_("发起联合抽查的科室；双随机抽查计划为 null"))
    departments = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    check_items = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    strata = PlanStratumSerializer(many=True, read_only=True)
    draws = PlanDrawSerializer(many=True, read_only=True)
    current_draw = serializers.SerializerMethodField(help_text=_("当前有效抽取的序号；尚未冻结时为 null"))
    task_count = serializers.IntegerField(read_only=True, help_text=_("本计划有效的抽查任务数"))
    revealed = serializers.SerializerMethodField(help_text=_("计划的密钥是否已经公开"))
    cross = CrossCheckSerializer(read_only=True, allow_null=True, source="cross_or_none",
                                 help_text=_("跨部门联合抽查（kind = cross）的发起部门、参与部门等；其他计划为 null"))

    class Meta:
        model = Plan
        fields = ["id", "jurisdiction", "jurisdiction_name", "level", "year", "quarter", "kind", "department",
                  "departments", "status", "policy_id", "policy_version", "policy_title", "policy_fingerprint",
                  "inspectors_counted", "classified", "require_specialties", "max_load", "warnings", "check_items",
                  "strata", "draws", "current_draw", "task_count", "created_at", "dispatched_at", "revealed",
                  "revealed_at", "cross"]

    def get_current_draw(self, plan: Plan) -> int | None:
        # From the prefetched draws, as Plan.current_draw chooses: the newest one not superseded.
        live = [draw.number for draw in plan.draws.all() if draw.status != DrawStatus.SUPERSEDED]
        return max(live, default=None)

    def get_revealed(self, plan: Plan) -> bool:
        return plan.revealed_at is not None


class PlanFilter(params.FilterSet):
    jurisdiction = JurisdictionCodeFilter()
    year = params.year_filter()
    quarter = params.quarter_filter()

    class Meta:
        model = Plan
        fields = ["level", "year", "quarter", "kind", "status"]


@described(_("抽查计划：本人在计划页面能看到的计划，含各类别、各次抽取和抽取仪式的各项数值，按年度、季度从新到旧；"
             "执法人员看不到计划"),
           _("一份抽查计划，按 id；本人看不到的回答 404"))
class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """抽查计划: the plans the user reads on the planning pages, with strata, draws and the ceremony's values."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    queryset = Plan.objects.none()  # the model, for the router and the schema; rows come from get_queryset

    def get_queryset(self) -> QuerySet:
        user = self.request.user
        if not user.is_authenticated:
            return Plan.objects.none()
        # The frozen inputs and the manifest can run to megabytes: a list reads only the two values it shows.
        draws = (Draw.objects.defer("inputs", "manifest", "public")
                 .annotate(draw_date=KT("inputs__assignment__draw_date"),
                           selection_hash=KT("manifest__selection_hash"),
                           has_manifest=ExpressionWrapper(Q(manifest__isnull=False), output_field=BooleanField()))
                 .order_by("number"))
        return (visible_plans(user).with_task_count().select_related("jurisdiction", "department", "cross")
                .prefetch_related(Prefetch("strata", queryset=PlanStratum.objects.order_by("id")),
                                  Prefetch("draws", queryset=draws),
                                  Prefetch("check_items", queryset=CheckItem.objects.order_by("code")),
                                  "departments")
                .order_by("-year", "-quarter", "jurisdiction__path", "-kind", "pk"))

    @extend_schema(operation_id="planning_plans_manifest", description=_(
        "一次抽取的清单，与计划页面给出的相同：公开密钥之前是封存清单（哈希、密钥承诺、公开随机数、抽取结果哈希），"
        "之后是完整清单（tools/verify_draw.py 核对的内容）；响应头 X-Manifest-State 为 sealed 或 complete"),
                   parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH, description=_("第几次抽取"))],
                   responses={(200, "application/json"): OpenApiTypes.OBJECT})
    @action(detail=True, url_path=r"draws/(?P<number>[0-9]+)/manifest", url_name="manifest", filter_backends=[])
    def manifest(self, request: Request, pk: str, number: str) -> HttpResponse:
        """A draw's manifest as the plan page gives it: sealed (hashes, commitment, public value, selection
        hash) until the reveal, complete — what tools/verify_draw.py checks — after."""
        plan = self.get_object()
        draw = get_object_or_404(plan.draws.all(), number=int(number), manifest__isnull=False)
        body, complete = published_manifest(draw, sealed=not draw_revealed(draw, plan))
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["X-Manifest-State"] = "complete" if complete else "sealed"
        return response


describe_fields(PlanDrawSerializer, witnesses=_("抽取的见证人"))
describe_fields(PlanSerializer, id=_("抽查计划的 id，用于详情和清单地址"), jurisdiction=_("行政区划代码"),
                jurisdiction_name=_("行政区名称"), departments=_("内部联合抽查的参加科室"),
                warnings=_("计划冻结时的提示（如执法人员不足）"), check_items=_("抽查事项编码"),
                strata=_("各类别：可抽对象数、政策最低数、计划抽查数、计算说明与依据"),
                draws=_("各次抽取，从第 1 次起"))


# --- tasks ---------------------------------------------------------------------------------------------------


class TaskSelectionSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="plan.jurisdiction.code", read_only=True)
    level = serializers.CharField(source="plan.level", read_only=True)
    kind = serializers.CharField(source="plan.kind", read_only=True)
    department = serializers.CharField(source="plan.department.name", read_only=True, allow_null=True)

    class Meta:
        model = TaskPlan
        fields = ["plan", "jurisdiction", "level", "kind", "department", "stratum", "must_include", "rank", "ticket",
                  "active"]


class TaskItemSerializer(serializers.ModelSerializer):
    specialty = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # as in the registry

    class Meta:
        model = CheckItem
        fields = ["id", "code", "name", "content", "specialty"]


class TaskMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="inspector.name", read_only=True)
    department = serializers.CharField(source="inspector.department.name", read_only=True, allow_null=True)
    certificate_number = serializers.SerializerMethodField(
        help_text=_("执法证号；执法人员本人查看时为 null（任务页面不向执法人员显示）"))
    plan = serializers.SerializerMethodField(help_text=_("派出该成员的抽取所属计划；执法人员本人查看时为 null"))

    class Meta:
        model = TaskMember
        fields = ["inspector", "name", "role", "certificate_number", "department", "slot", "slot_kind",
                  "requirement", "active", "plan"]

    def get_certificate_number(self, member: TaskMember) -> str | None:
        return None if self.context.get("inspector_view") else member.inspector.certificate_number

    def get_plan(self, member: TaskMember) -> int | None:
        return None if self.context.get("inspector_view") else member.plan_id


class TaskSubstitutionSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    old_inspector_name = serializers.CharField(source="old_inspector.name", read_only=True, allow_null=True)
    new_inspector_name = serializers.CharField(source="new_inspector.name", read_only=True, allow_null=True)
    new_credit_code = serializers.CharField(read_only=True, allow_null=True,
                                            help_text=_("递补对象的统一社会信用代码"))

    class Meta:
        model = Substitution
        fields = ["kind", "plan", "old_inspector", "old_inspector_name", "new_inspector", "new_inspector_name",
                  "new_task", "new_credit_code", "reason", "acted_at"]


class OtherTaskSerializer(serializers.Serializer):
    """Another open task of the same unit in the same quarter (planning.overlaps), by what a client knows it by."""

    id = serializers.IntegerField(read_only=True, help_text=_("抽查任务的 id，用于详情地址"))
    number = serializers.CharField(read_only=True, help_text=_("任务编号，现场和检查记录表上使用"))


class TaskSerializer(serializers.ModelSerializer):
    number = serializers.SerializerMethodField(help_text=_("任务编号，现场和检查记录表上使用"))
    jurisdiction = serializers.CharField(source="target.jurisdiction.code", read_only=True)
    jurisdiction_name = serializers.CharField(source="target.jurisdiction.name", read_only=True)
    credit_code = serializers.CharField(source="target.credit_code", read_only=True)
    target_name = serializers.CharField(source="target.name", read_only=True)
    address = serializers.CharField(source="target.address", read_only=True)
    plans = serializers.SerializerMethodField(
        help_text=_("任务所属的计划及抽中它的类别、位次和号签：另一计划的抽取尚未派发、本人又读不到该计划的，派发前不列；"
                    "执法人员本人查看时为空"))
    merged = serializers.SerializerMethodField(
        help_text=_("一次检查同时计入多个计划（市级与县级、联合与双随机），按 plans 所列的计划计；"
                    "执法人员本人查看时为 null"))
    items = serializers.SerializerMethodField(help_text=_("各计划适用于对象类别的抽查事项"))
    departments = serializers.SerializerMethodField(help_text=_("内部联合抽查的参加科室"))
    team = serializers.SerializerMethodField(
        help_text=_("检查组；执法人员本人查看时只有他所在抽取的在组成员"))
    substitutions = serializers.SerializerMethodField(
        help_text=_("递补替换记录（与 plans 一样，不列本人读不到、尚未派发的抽取中的）；执法人员本人查看时为空"))
    # As the task page's badges (``Task.kinds_shown``): the kinds of the plans told of the visit, and of those shown to
    # the caller — a merged visit's other plan, drawn and not dispatched, says nothing of its kind before its dispatch
    is_joint = serializers.SerializerMethodField(help_text=_(
        "是否（也）是内部联合抽查：按已派发的计划和本人能读到的计划；执法人员本人查看时按已派发的计划"))
    is_clue_check = serializers.SerializerMethodField(help_text=_(
        "是否（也）是线索核查：按已派发的计划和本人能读到的计划；执法人员本人查看时按已派发的计划"))
    is_cross_department = serializers.SerializerMethodField(help_text=_(
        "是否（也）是跨部门联合抽查：按已派发的计划和本人能读到的计划；执法人员本人查看时按已派发的计划"))
    record = serializers.SerializerMethodField(
        help_text=_("已提交的检查记录 id（最新的一份，见 /api/fieldwork/records/）"))
    record_number = serializers.SerializerMethodField(help_text=_("已提交的检查记录编号"))
    other_open_tasks = serializers.SerializerMethodField(help_text=_(
        "同一单位另有的未完成任务，应与本任务一次完成（实施方案 二(五)：对同一监管对象的多个检查事项，原则上应一次"
        "完成）：两项中至少一项是本季度或以后的任务，上季度逾期未完成的也列出；只列本人能看到的任务；"
        "本任务已完成（记录已提交）或已撤销时为空"))
    merged_into = serializers.SerializerMethodField(help_text=_(
        "本任务已并入的任务（一次检查、一份检查记录，所属计划、检查组和抽查事项都在该任务中）；"
        "未并入，或本人看不到该任务时为 null"))
    merged_tasks = serializers.SerializerMethodField(help_text=_(
        "已并入本任务的任务（已撤销，注明“并入”本任务）；只列本人能看到的任务"))

    class Meta:
        model = Task
        fields = ["id", "number", "year", "quarter", "jurisdiction", "jurisdiction_name", "credit_code",
                  "target_name", "address", "category", "is_joint", "is_clue_check", "is_cross_department",
                  "status", "deadline",
                  "dispatched_at",
                  "inspected_on", "withdrawn_reason", "plans", "merged", "items", "departments", "team",
                  "substitutions", "record", "record_number", "other_open_tasks", "merged_into", "merged_tasks"]

    # Everything below reads the viewset's prefetches; none makes a query.

    def _inspector_view(self) -> bool:
        return bool(self.context.get("inspector_view"))

    @staticmethod
    def _live(task: Task) -> list[TaskPlan]:
        # the plans shown to the caller (``shown_draws``), as the task page: another plan's items and departments are
        # not told before its dispatch
        return [selection for selection in task.shown_selections if selection.active]

    def _kinds(self, task: Task) -> dict[str, bool]:
        if self._inspector_view():
            return task.kinds_shown(())
        return task.kinds_shown(self._live(task))

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_joint(self, task: Task) -> bool:
        return self._kinds(task)["is_joint"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_clue_check(self, task: Task) -> bool:
        return self._kinds(task)["is_clue_check"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_cross_department(self, task: Task) -> bool:
        return self._kinds(task)["is_cross_department"]

    def get_number(self, task: Task) -> str:
        return task_number(task)

    @extend_schema_field(TaskSelectionSerializer(many=True))
    def get_plans(self, task: Task) -> list[dict[str, Any]]:
        if self._inspector_view():
            return []
        # as the task page names them (``shown_draws``): not another plan's draw not dispatched yet
        return TaskSelectionSerializer(task.shown_selections, many=True, context=self.context).data

    def get_merged(self, task: Task) -> bool | None:
        if self._inspector_view():
            return None
        return len({selection.plan_id for selection in task.shown_selections if selection.active}) > 1

    @extend_schema_field(TaskItemSerializer(many=True))
    def get_items(self, task: Task) -> list[dict[str, Any]]:
        # As Task.check_items(): the items of every plan the task counts for that apply to the target (its
        # category in the quarter and its industry).
        items = {item.pk: item for selection in self._live(task) for item in selection.plan.check_items.all()}
        chosen = items_for_target(sorted(items.values(), key=lambda item: item.code), task.category,
                                  task.target.industry_code)
        return TaskItemSerializer(chosen, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_departments(self, task: Task) -> list[str]:
        # As Task.departments(): the participating departments of the joint plans the task counts for.
        names = {department.name for selection in self._live(task)
                 for department in selection.plan.departments.all()}
        return sorted(names)

    @extend_schema_field(TaskMemberSerializer(many=True))
    def get_team(self, task: Task) -> list[dict[str, Any]]:
        members = list(task.members.all())
        if self._inspector_view():
            # As on his task page: the team of the draws he belongs to (his partners), not other plans' teams.
            me = self.context.get("inspector_id")
            own_draws = {m.draw_id for m in members if m.inspector_id == me and m.active}
            members = [m for m in members if m.draw_id in own_draws and m.active]
        return TaskMemberSerializer(members, many=True, context=self.context).data

    @extend_schema_field(TaskSubstitutionSerializer(many=True))
    def get_substitutions(self, task: Task) -> list[dict[str, Any]]:
        if self._inspector_view():
            return []
        return TaskSubstitutionSerializer(task.substitutions.all(), many=True).data

    def _record(self, task: Task) -> InspectionRecord | None:
        sealed = task.sealed_records  # oldest first: an amendment comes after what it corrects
        return sealed[-1] if sealed else None

    def get_record(self, task: Task) -> int | None:
        record = self._record(task)
        return record.pk if record else None

    def get_record_number(self, task: Task) -> str | None:
        record = self._record(task)
        return record.number if record else None

    @extend_schema_field(OtherTaskSerializer(many=True))
    def get_other_open_tasks(self, task: Task) -> list[dict[str, Any]]:
        # Read for the whole page by the viewset (``other_open``), within the caller's visible_tasks.
        return OtherTaskSerializer(self.context.get("other_open", {}).get(task.pk, []), many=True).data

    @extend_schema_field(OtherTaskSerializer(allow_null=True))
    def get_merged_into(self, task: Task) -> dict[str, Any] | None:
        # Read for the whole page by the viewset (``merges``), within the caller's visible_tasks: a task he cannot
        # open is not named, as ``other_open_tasks``.
        into = self.context.get("merges", {}).get(task.merged_into_id) if task.merged_into_id else None
        return OtherTaskSerializer(into).data if into is not None else None

    @extend_schema_field(OtherTaskSerializer(many=True))
    def get_merged_tasks(self, task: Task) -> list[dict[str, Any]]:
        merges = self.context.get("merges", {})
        return OtherTaskSerializer([one for one in merges.values() if one.merged_into_id == task.pk],
                                   many=True).data


describe_fields(TaskSelectionSerializer, plan=_("抽查计划的 id"), jurisdiction=_("计划所属行政区的代码"),
                level=_("计划的层级：city 市级，county 县级"), kind=_(
                    "计划类型：regular 双随机抽查，joint 内部联合抽查，clue 线索核查，cross 跨部门联合抽查"),
                department=_("发起联合抽查的科室；双随机抽查计划为 null"))
describe_fields(TaskItemSerializer, id=_("抽查事项的 id（/api/registry/items/）"),
                specialty=_("所需专业领域的代码；不限时为 null"))
describe_fields(TaskMemberSerializer, inspector=_("执法检查人员的 id（/api/registry/inspectors/）"),
                name=_("姓名"), department=_("所属部门（科室）的名称；外部专家为 null"))
describe_fields(TaskSubstitutionSerializer, plan=_("递补所在抽取的计划 id"),
                old_inspector_name=_("被替换人员的姓名；替换对象时为 null"),
                new_inspector_name=_("递补人员的姓名；替换对象时为 null"))
describe_fields(TaskSerializer, id=_("抽查任务的 id，用于详情地址"), jurisdiction=_("检查对象所在行政区的代码"),
                jurisdiction_name=_("检查对象所在行政区的名称"), credit_code=_("被检查单位的统一社会信用代码"),
                target_name=_("检查对象的名称"), address=_("检查对象的地址"))


class TaskFilter(params.FilterSet):
    jurisdiction = JurisdictionCodeFilter("target__jurisdiction")
    plan = django_filters.ModelChoiceFilter(
        field_name="selections__plan", label=_("抽查计划 id"),
        queryset=lambda request: visible_plans(request.user) if request is not None else Plan.objects.none())
    mine = params.BooleanFilter(method="only_mine", label=_("仅本人所在检查组的任务"))
    my_department = params.BooleanFilter(
        method="only_my_department",
        label=_("仅本人所属科室发起或参加的内部联合抽查计划的任务（工作台上标“本科室发起”“本科室参加”的计划）"))
    # as the rows' fields say them (``shown_kind``), not the stored flags alone
    is_joint = params.BooleanFilter(method="of_kind", help_text=_("true 只列内部联合抽查的任务，false 只列其他任务"))
    is_clue_check = params.BooleanFilter(method="of_kind", help_text=_("true 只列线索核查的任务，false 只列其他任务"))
    is_cross_department = params.BooleanFilter(method="of_kind",
                                               help_text=_("true 只列跨部门联合抽查的任务，false 只列其他任务"))
    year = params.year_filter()
    quarter = params.quarter_filter()

    class Meta:
        model = Task
        fields = ["year", "quarter", "status", "is_joint", "is_clue_check", "is_cross_department"]

    def of_kind(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        kind = shown_kind(self.request.user, name)
        return queryset.filter(kind) if value else queryset.exclude(kind)

    def only_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        # As planning's "my tasks": the tasks whose team as told (``team_places``) has the user's officer in it. An
        # admin linked to an officer reads his plan before its dispatch, yet its visits are not his until it goes
        # out; a place he left before the dispatch was never his.
        if not value:
            return queryset
        inspector_id = getattr(self.request.user, "inspector_id", None)
        if inspector_id is None:
            return queryset.none()
        return queryset.filter(pk__in=TaskMember.objects.filter(team_places(), inspector_id=inspector_id)
                               .values("task_id"))

    def only_my_department(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        # The task list's "只看本科室的任务": within the caller's visible_tasks (the queryset), scoped again by the
        # plans he reads (permissions.department_plans).
        return of_department(queryset, self.request.user) if value else queryset


def merges_of(rows: list[Task], scope: QuerySet) -> dict[int, Task]:
    """并入 for a page of tasks, in one query whatever its rows: the tasks of ``scope`` (the caller's visible_tasks) the
    rows were merged into or that were merged into a row, by id, oldest first, each with its ``number``."""
    found = (scope.filter(Q(pk__in={row.merged_into_id for row in rows if row.merged_into_id})
                          | Q(merged_into__in=[row.pk for row in rows]))
             .only("pk", "year", "quarter", "merged_into_id").order_by("pk"))
    merges = {}
    for one in found:
        one.number = task_number(one)
        merges[one.pk] = one
    return merges


@described(_("抽查任务：本人在任务页面能看到的任务，按年度、季度从新到旧；执法人员只有派发给本人检查组的任务"),
           _("一项抽查任务，按 id；本人看不到的回答 404"))
class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """抽查任务: the tasks the user sees on the task pages — an inspector his own dispatched tasks."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    queryset = Task.objects.none()  # the model, for the router and the schema; rows come from get_queryset

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        user = self.request.user
        context["inspector_view"] = user.is_authenticated and is_inspector_view(user)
        context["inspector_id"] = getattr(user, "inspector_id", None)
        context["other_open"] = getattr(self, "_other_open", {})
        context["merges"] = getattr(self, "_merges", {})
        return context

    def get_serializer(self, *args, **kwargs):
        # The unit's other open tasks of each row (one unit, one visit), named only within the caller's own tasks
        # — as the task page's notice — and read in one query for the page, not one per row.
        if args and self.request.user.is_authenticated:
            rows = list(args[0]) if kwargs.get("many") else [args[0]]
            self._other_open = overlaps.others_by_task(rows, visible_tasks(self.request.user))
            self._merges = merges_of(rows, visible_tasks(self.request.user))
        return super().get_serializer(*args, **kwargs)

    def get_queryset(self) -> QuerySet:
        user = self.request.user
        if not user.is_authenticated:
            return Task.objects.none()
        # plan_id from the draw without loading the draw (its inputs and manifest are large).
        members = (TaskMember.objects.filter(shown_places(user)).select_related("inspector__department")
                   .annotate(plan_id=F("draw__plan_id"))
                   .order_by("draw_id", "slot", "-active"))
        records = (InspectionRecord.objects.visible_to(user).sealed().only("id", "number", "task_id", "sealed_at")
                   .order_by("sealed_at", "id"))
        # The plans the visit names, its items and departments, and the substitutions, are those shown to the caller
        # (``shown_draws``), as on the task page.
        shown = (TaskPlan.objects.filter(shown_draws(user)).select_related("plan__jurisdiction", "plan__department")
                 .prefetch_related(Prefetch("plan__check_items",
                                            queryset=CheckItem.objects.select_related("specialty")),
                                   "plan__departments")
                 .order_by("pk"))
        prefetches = [Prefetch("selections", queryset=shown, to_attr="shown_selections"),
                      Prefetch("members", queryset=members),
                      Prefetch("records", queryset=records, to_attr="sealed_records")]
        if not is_inspector_view(user):
            prefetches.append(Prefetch("substitutions", queryset=Substitution.objects.filter(shown_draws(user))
                                       .select_related("old_inspector", "new_inspector")
                                       .annotate(plan_id=F("draw__plan_id"),
                                                 new_credit_code=F("new_task__target__credit_code"))
                                       .order_by("pk")))
        # Newest quarter first, then in the order the tasks were made: keys that never change, so a client paging
        # through the list while the registry is edited sees each task once (ordered by the target's name, a
        # target renamed between two pages moved its task to a page already read, and it was lost to that pull).
        scope = visible_tasks(user)
        return (overlaps.with_overlap(scope, scope).select_related("target__jurisdiction")
                .prefetch_related(*prefetches).order_by("-year", "-quarter", "pk"))
