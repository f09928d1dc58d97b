"""What the review API reads and shows. Serializers validate input and shape output; they never save (every
write goes through approvals.services).

A case's and a task's detail carry what a reviewer needs to judge: the application's form and materials
(file ids, downloaded through the case), every department's task and opinions, the pauses, the extension,
the inspections, and how the due dates were computed (approvals.clock.explain).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import MaterialStatus, Status
from applications.serializers import (
    MAX_PROBLEMS,
    ApplicantBriefSerializer,
    ApplicationDocumentSerializer,
    ApplicationEventSerializer,
    ProblemSerializer,
    ReadOnlySerializer,
)
from approvals import clock
from approvals.models import (
    Case,
    CaseStatus,
    DecisionMode,
    Extension,
    Opinion,
    Pause,
    ReviewTask,
    Stage,
    TaskStatus,
)
from approvals.selectors import may_act, may_claim, may_decide, time_left
from items.api import DepartmentRefSerializer

MAX_TEXT = 5000
MAX_ATTACHMENTS = 10
TIME_LEFT = [("overdue", _("已超期")), ("soon", _("即将到期")), ("ok", _("正常")), ("paused", _("暂停计时")),
             ("ended", _("已办结"))]
INBOX_STATES = [("open", _("未办结")), ("mine", _("我的在办")), ("all", _("全部")), *TaskStatus.choices]


class StaffRefSerializer(ReadOnlySerializer):
    """A member of staff: id and name (never an ID number)."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


# --- output: tasks and cases ---------------------------------------------------------------------------
class StageRefSerializer(ReadOnlySerializer):
    order = serializers.IntegerField(help_text="0 for the first stage.")
    name = serializers.CharField()


class CaseRefSerializer(ReadOnlySerializer):
    """The case a task belongs to, as an inbox row shows it."""

    id = serializers.IntegerField()
    number = serializers.CharField(source="application.number", help_text="申请编号.")
    title = serializers.CharField(source="application.title", help_text="事项名称.")


class TaskSummarySerializer(ReadOnlySerializer):
    """A review task in the inbox."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(TaskStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    department = DepartmentRefSerializer(help_text="审查部门.")
    is_lead = serializers.BooleanField(help_text="牵头部门的任务.")
    items = serializers.ListField(child=serializers.CharField(), help_text="The items this department reviews.")
    stage = StageRefSerializer()
    case = CaseRefSerializer()
    assignee = StaffRefSerializer(allow_null=True, help_text="承办人 (null while unclaimed).")
    claimed_at = serializers.DateTimeField(allow_null=True)
    opened_on = serializers.DateField(help_text="开始日期.")
    review_days = serializers.IntegerField(help_text="审查时限（工作日）.")
    due_on = serializers.DateField(allow_null=True, help_text="审查期限 (null while the clock is paused).")
    time_left = serializers.SerializerMethodField(help_text="The inbox's colour.")

    @extend_schema_field(serializers.ChoiceField(TIME_LEFT))
    def get_time_left(self, task: ReviewTask) -> str:
        page = self.context.get("time_left", {})  # a list's colours, computed for the page at once
        return page[task.pk] if task.pk in page else time_left(task, self.context.get("today"))


class AttachmentSerializer(ReadOnlySerializer):
    id = serializers.IntegerField(help_text="Download: GET /api/v1/attachments/{id}/.")
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField(help_text="Bytes.")
    content_type = serializers.CharField()


class OpinionSerializer(ReadOnlySerializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(Opinion.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    author = StaffRefSerializer(help_text="签署人.")
    text = serializers.CharField()
    round = serializers.IntegerField(help_text="审查轮次: a return for supplements starts a new one.")
    created_at = serializers.DateTimeField()
    attachments = AttachmentSerializer(many=True, source="attachments.all")


class CaseTaskSerializer(ReadOnlySerializer):
    """Every department's task in a case, with its opinions."""

    id = serializers.IntegerField()
    stage = serializers.IntegerField(source="stage.order", help_text="The stage's order.")
    department = DepartmentRefSerializer()
    is_lead = serializers.BooleanField()
    items = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(TaskStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    assignee = StaffRefSerializer(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    opinion = serializers.CharField(help_text="The opinion the task ended with (or the latest return).")
    signoffs_required = serializers.IntegerField(help_text="签核人数 (Art. 34: 2 where substance is verified).")
    timeout_consent = serializers.BooleanField(help_text="超时默许: no opinion by the due date means consent.")
    opinions = OpinionSerializer(many=True, source="opinions.all")


class StageSerializer(ReadOnlySerializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    lead_department = DepartmentRefSerializer(help_text="牵头部门（段长）.")
    opened_on = serializers.DateField(allow_null=True, help_text="Null until the stage opens.")
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(Stage.Outcome.choices, allow_blank=True, help_text="Empty while open.")


class PauseSerializer(ReadOnlySerializer):
    id = serializers.IntegerField()
    task = serializers.IntegerField(source="task_id", allow_null=True)
    kind = serializers.ChoiceField(Pause.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    reason = serializers.CharField()
    expected_days = serializers.IntegerField(allow_null=True, help_text="预计所需时间（工作日）.")
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True, help_text="Null while the clock is stopped.")


class ExtensionSerializer(ReadOnlySerializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    task = serializers.IntegerField(source="task_id", allow_null=True)
    days = serializers.IntegerField(help_text="+10 working days; joint handling (联合办理) +15.")
    reasons = serializers.CharField()
    status = serializers.ChoiceField(Extension.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    requested_by = StaffRefSerializer()
    requested_at = serializers.DateTimeField()
    decided_by = StaffRefSerializer(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField(help_text="审批意见.")


class ExtensionListSerializer(ExtensionSerializer):
    """An extension request in the head's list, with its case."""

    application = CaseRefSerializer(source="case")
    department = DepartmentRefSerializer(source="task.department", allow_null=True,
                                         help_text="The department that asked.")


class InspectionSerializer(ReadOnlySerializer):
    id = serializers.IntegerField()
    task = serializers.IntegerField(source="task_id")
    scheduled_on = serializers.DateField(help_text="踏勘日期.")
    place = serializers.CharField()
    departments = DepartmentRefSerializer(many=True, source="departments.all", help_text="参加部门.")
    participants = serializers.CharField()
    record = serializers.CharField(help_text="踏勘记录 (empty until recorded).")
    recorded_at = serializers.DateTimeField(allow_null=True)


class ClockLineSerializer(ReadOnlySerializer):
    label = serializers.CharField()  # type: ignore[assignment]  # DRF stubs: Field.label
    value = serializers.CharField()


class ReviewMaterialSerializer(ReadOnlySerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    order = serializers.IntegerField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # DRF stubs: Field.required
    status = serializers.ChoiceField(MaterialStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    problem = serializers.CharField(help_text="What the last supplement notice asked for (empty: nothing).")
    documents = ApplicationDocumentSerializer(
        many=True, source="documents.all",
        help_text="Download: GET /api/v1/cases/{case}/documents/{id}/.")


class ReviewApplicationSerializer(ReadOnlySerializer):
    """The application under review: its form, its materials and its timeline."""

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="申请编号.")
    title = serializers.CharField(help_text="事项名称.")
    status = serializers.ChoiceField(Status.choices)
    applicant = ApplicantBriefSerializer()
    form_data = serializers.DictField(help_text="申请表.")
    materials = ReviewMaterialSerializer(many=True, source="materials.all")
    timeline = ApplicationEventSerializer(many=True, source="events.all")


class CaseSummarySerializer(ReadOnlySerializer):
    """A case in a list."""

    id = serializers.IntegerField()
    number = serializers.CharField(source="application.number")
    title = serializers.CharField(source="application.title")
    status = serializers.ChoiceField(CaseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    mode = serializers.ChoiceField(DecisionMode.choices, help_text="部门审查, 即办 or 智能审批.")
    lead_department = DepartmentRefSerializer(help_text="牵头部门.")
    current_stage = serializers.IntegerField()
    vetoed = serializers.BooleanField(help_text="一票否决: a department's rejection decides the case.")
    accepted_on = serializers.DateField(help_text="受理日期.")
    promised_due = serializers.DateField(allow_null=True, help_text="承诺办结日期 (null while paused).")
    statutory_due = serializers.DateField(allow_null=True, help_text="法定办结日期 (null while paused).")
    opened_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class CaseDetailSerializer(CaseSummarySerializer):
    all_must_approve = serializers.BooleanField(help_text="会签 (true) or 或签 (false).")
    one_veto = serializers.BooleanField(help_text="一票否决.")
    joint = serializers.BooleanField(help_text="联合办理: the extension is 15 days instead of 10.")
    promised_limit = serializers.IntegerField(help_text="承诺时限（工作日）.")
    statutory_limit = serializers.IntegerField(help_text="法定时限（工作日）.")
    extension_days = serializers.IntegerField(help_text="延长（工作日）.")
    decided_by = StaffRefSerializer(allow_null=True)
    decision_reasons = serializers.CharField()
    application = ReviewApplicationSerializer()
    stages = StageSerializer(many=True, source="stages.all")
    tasks = CaseTaskSerializer(many=True, source="tasks.all")
    pauses = PauseSerializer(many=True, source="pauses.all")
    extensions = ExtensionSerializer(many=True, source="extensions.all")
    inspections = InspectionSerializer(many=True, source="inspections.all")
    clock = serializers.SerializerMethodField(help_text="How the due dates were computed, line by line.")
    can_decide = serializers.SerializerMethodField(help_text="This user may decide the case (when deciding).")

    @extend_schema_field(ClockLineSerializer(many=True))
    def get_clock(self, case: Case) -> Any:
        return ClockLineSerializer(clock.explain(case), many=True).data

    def get_can_decide(self, case: Case) -> bool:
        return case.status == CaseStatus.DECIDING and may_decide(self.context["user"], case)


class TaskDetailSerializer(TaskSummarySerializer):
    """A task as the reviewer opens it: the task, its case (with every department's opinions) and the
    application under review."""

    timeout_consent = serializers.BooleanField(help_text="超时默许.")
    signoffs_required = serializers.IntegerField(help_text="签核人数 (Art. 34).")
    remind_on = serializers.DateField(allow_null=True, help_text="Next reminder.")
    ended_at = serializers.DateTimeField(allow_null=True)
    opinion = serializers.CharField()
    can_claim = serializers.SerializerMethodField(help_text="This user may claim it now.")
    can_act = serializers.SerializerMethodField(
        help_text="This user may give an opinion, return, pause or ask for an extension.")
    case = CaseDetailSerializer()  # type: ignore[assignment]  # the whole case, not the inbox's reference

    def get_can_claim(self, task: ReviewTask) -> bool:
        return task.status == TaskStatus.PENDING and may_claim(self.context["user"], task)

    def get_can_act(self, task: ReviewTask) -> bool:
        return task.is_open and may_act(self.context["user"], task)


class BackupPostSerializer(ReadOnlySerializer):
    """A member of the department's staff (A岗) with their backup (B岗)."""

    user = StaffRefSerializer(source="*")
    role = serializers.CharField()
    backup = serializers.SerializerMethodField(help_text="B岗 (null when none is set).")
    absent = serializers.SerializerMethodField(help_text="A岗缺席: while true, the B岗 sees and acts on the tasks.")

    @extend_schema_field(StaffRefSerializer(allow_null=True))
    def get_backup(self, user: Any) -> Any:
        post = self.context["posts"].get(user.pk)
        return StaffRefSerializer(post.backup).data if post is not None else None

    def get_absent(self, user: Any) -> bool:
        post = self.context["posts"].get(user.pk)
        return bool(post is not None and post.primary_absent)


# --- input ----------------------------------------------------------------------------------------------
class InboxQuery(ReadOnlySerializer):
    state = serializers.ChoiceField(INBOX_STATES, required=False, default="open",
                                    help_text="open (default), mine, all, or one task status.")
    overdue = serializers.BooleanField(required=False, default=False, help_text="Past the due date only.")
    due_soon = serializers.BooleanField(required=False, default=False,
                                        help_text="Due within 3 working days only.")
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=100,
                              help_text="Part of the item's name, or the application's number.")


class CaseFilterQuery(ReadOnlySerializer):
    status = serializers.ChoiceField(CaseStatus.choices, required=False)


class ExtensionFilterQuery(ReadOnlySerializer):
    status = serializers.ChoiceField(Extension.Status.choices, required=False)


class TextSerializer(ReadOnlySerializer):
    text = serializers.CharField(max_length=MAX_TEXT, help_text="审查意见.")


class FilesMixin(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                 max_length=MAX_ATTACHMENTS,
                                 help_text="Attachments (PDF, DOCX, XLSX, PNG, JPEG; 10 MB each).")


class TextUploadSerializer(FilesMixin, TextSerializer):
    pass


class ReturnSerializer(ReadOnlySerializer):
    problems = serializers.ListField(child=ProblemSerializer(), min_length=1, max_length=MAX_PROBLEMS,
                                     help_text="Exactly what the applicant must supply: materials by id, or "
                                               "subjects.")
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT,
                                 help_text="The opinion (default: the list of problems).")


class ReturnUploadSerializer(FilesMixin, ReturnSerializer):
    pass


class PauseStartSerializer(ReadOnlySerializer):
    kind = serializers.ChoiceField(Pause.Kind.choices,
                                   help_text="An Art. 45 procedure (the supplement pause starts with a return).")
    reason = serializers.CharField(max_length=MAX_TEXT, help_text="事由, told to the applicant in writing.")
    expected_days = serializers.IntegerField(min_value=1, max_value=250, help_text="预计所需工作日数.")


class ExtensionRequestSerializer(ReadOnlySerializer):
    reasons = serializers.CharField(max_length=MAX_TEXT, help_text="延期理由, told to the applicant.")


class ExtensionDecisionSerializer(ReadOnlySerializer):
    grant = serializers.BooleanField(help_text="true: grant; false: refuse (a comment is then required).")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT)


class ReassignSerializer(ReadOnlySerializer):
    to = serializers.IntegerField(min_value=1, help_text="A reviewer or head of the task's department (user id).")


class InspectionScheduleSerializer(ReadOnlySerializer):
    scheduled_on = serializers.DateField(help_text="踏勘日期 (today or later).")
    place = serializers.CharField(max_length=200)
    departments = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, default=list, max_length=50,
        help_text="Codes of the other departments taking part (the task's own always does).")
    participants = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class InspectionRecordSerializer(ReadOnlySerializer):
    record = serializers.CharField(max_length=MAX_TEXT, help_text="踏勘记录.")
    participants = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000,
                                         help_text="Who took part (kept as scheduled when empty).")


class CaseDecisionSerializer(ReadOnlySerializer):
    approve = serializers.BooleanField(help_text="true: 准予许可; false: 不予许可.")
    reasons = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT,
                                    help_text="Required for a denial.")
    how_to_succeed = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT,
                                           help_text="How the applicant could succeed (双告知; required for a "
                                                     "denial).")


class BackupSetSerializer(ReadOnlySerializer):
    """Fields sent change: `backup` names the B岗 (heads), `absent` marks the A岗 absent or back (heads, or
    the A岗 themself)."""

    primary = serializers.IntegerField(min_value=1, help_text="The A岗: a member of your department (user id).")
    backup = serializers.IntegerField(min_value=1, required=False, help_text="The B岗 (user id).")
    absent = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "backup" not in attrs and "absent" not in attrs:
            raise serializers.ValidationError({"backup": _("请指定B岗或缺席状态。")})
        return attrs
