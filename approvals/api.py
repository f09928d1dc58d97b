"""The review API under /api/v1/: the department's inbox, tasks and their opinions, pauses, extensions,
inspections, cases and their decisions, and the A/B posts.

Reads come from approvals.selectors: a reviewer of department X sees X's tasks and the other tasks of the
cases X takes part in, nothing else; an object someone may not see is a 404, a list their role has no use
for is a 403. Writes go through approvals.services, which check who may act (403) and the state (409 in
portal.errors); serializers only validate input (400, naming the field) and shape output.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.api import UploadParser
from applications.models import ApplicationMaterial
from approvals.models import Case, Extension, Inspection, Opinion, ReviewTask
from approvals.selectors import (
    attachment_get_for_user,
    backups_of,
    case_document_get_for_user,
    case_get_for_page,
    case_get_for_user,
    cases_listed,
    department_staff,
    extension_get_for_user,
    extensions_for_head,
    inbox,
    inspection_get_for_user,
    pause_get_for_user,
    task_get_for_user,
    times_left,
)
from approvals.serializers import (
    BackupPostSerializer,
    BackupSetSerializer,
    CaseDecisionSerializer,
    CaseDetailSerializer,
    CaseFilterQuery,
    CaseSummarySerializer,
    ExtensionDecisionSerializer,
    ExtensionFilterQuery,
    ExtensionListSerializer,
    ExtensionRequestSerializer,
    ExtensionSerializer,
    InboxQuery,
    InspectionRecordSerializer,
    InspectionScheduleSerializer,
    InspectionSerializer,
    PauseSerializer,
    PauseStartSerializer,
    ReassignSerializer,
    ReturnSerializer,
    ReturnUploadSerializer,
    TaskDetailSerializer,
    TaskSummarySerializer,
    TextSerializer,
    TextUploadSerializer,
)
from approvals.services.cases import case_decide
from approvals.services.procedures import (
    extension_decide,
    extension_request,
    inspection_record,
    inspection_schedule,
    pause_end,
    pause_start,
)
from approvals.services.tasks import task_approve, task_claim, task_reassign, task_reject, task_release, task_return
from approvals.services.team import backup_mark_absent, backup_set
from portal.models import Department, Role, User
from portal.permissions import HasRole
from portal.services.audit import audit_record

DepartmentStaff = HasRole.of(Role.REVIEWER, Role.HEAD)
Readers = HasRole.of(Role.REVIEWER, Role.HEAD, Role.SUPERVISOR)
Heads = HasRole.of(Role.HEAD)
Deciders = HasRole.of(Role.REVIEWER, Role.HEAD, Role.CLERK)  # a clerk decides the instant item they accepted

TASK_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The review task's id.")
CASE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The case's id.")
PAUSE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The pause's id.")
EXTENSION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The extension request's id.")
INSPECTION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The inspection's id.")
ATTACHMENT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The attachment's id.")
DOCUMENT_ID = OpenApiParameter("doc", OpenApiTypes.UUID, OpenApiParameter.PATH,
                               description="A file of one of the application's materials.")
CONFLICT = OpenApiResponse(description="Someone acted first, or the state does not allow it (the message says).")
FORBIDDEN = OpenApiResponse(description="The user may see the object but not do this to it.")
UPLOAD_PARSERS = [JSONParser, UploadParser]
FILE_RESPONSE = {(200, "application/octet-stream"): OpenApiTypes.BINARY}


def _valid(serializer_class: type[serializers.Serializer], data: Any, **context: Any) -> Any:
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _context(request: Request) -> dict[str, Any]:
    return {"request": request, "user": request.user, "today": timezone.localdate()}


# --- reads --------------------------------------------------------------------------------------------
def _case_prefetch() -> list[Any]:
    """Everything a case's detail shows, in a fixed number of queries whatever the case holds."""
    opinions = Opinion.objects.select_related("author").prefetch_related("attachments")
    tasks = (ReviewTask.objects.select_related("department", "assignee", "stage")
             .prefetch_related(Prefetch("opinions", queryset=opinions)).order_by("stage__order", "id"))
    return [
        "decided_by", "stages__lead_department", "pauses", "application__events",
        Prefetch("tasks", queryset=tasks),
        Prefetch("extensions", queryset=Extension.objects.select_related("requested_by", "decided_by")),
        Prefetch("inspections", queryset=Inspection.objects.prefetch_related("departments")),
        Prefetch("application__materials",
                 queryset=ApplicationMaterial.objects.select_related("licence").prefetch_related("documents")),
    ]


def _case_response(request: Request, case: Case, code: int = status.HTTP_200_OK) -> Response:
    prefetch_related_objects([case], *_case_prefetch())
    return Response(CaseDetailSerializer(case, context=_context(request)).data, status=code)


def _task_response(request: Request, pk: int) -> Response:
    """The task as its detail shows it, read again after a write."""
    task = task_get_for_user(user=request.user, pk=pk)
    prefetch_related_objects([task.case], *_case_prefetch())
    return Response(TaskDetailSerializer(task, context=_context(request)).data)


def _download(file: Any, filename: str, content_type: str) -> FileResponse:
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename,
                            content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class FileView(APIView):
    """A file download: any Accept header gets the file, and an error as JSON."""

    permission_classes = [Readers]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)


# --- tasks -----------------------------------------------------------------------------------------------
class TaskPagination(LimitOffsetPagination):
    """Offsets: the inbox is ordered by due date, which is empty while a task's clock is paused."""

    default_limit = 50
    max_limit = 100


class TaskListView(generics.GenericAPIView):
    """The department's inbox (and an absent colleague's tasks, for a B岗)."""

    permission_classes = [DepartmentStaff]
    pagination_class = TaskPagination
    serializer_class = TaskSummarySerializer
    filter_backends: list = []

    @extend_schema(parameters=[InboxQuery], responses=TaskSummarySerializer(many=True),
                   summary="The department's review tasks (inbox)",
                   description="Soonest due first; open tasks unless `state` says otherwise.")
    def get(self, request: Request) -> Response:
        context = _context(request)
        query = _valid(InboxQuery, request.query_params)
        page = self.paginate_queryset(inbox(user=request.user, today=context["today"], **query)) or []
        context["time_left"] = dict(zip([t.pk for t in page], times_left(page, context["today"]), strict=True))
        return self.get_paginated_response(TaskSummarySerializer(page, many=True, context=context).data)


class TaskDetailView(APIView):
    permission_classes = [Readers]

    @extend_schema(parameters=[TASK_ID], responses=TaskDetailSerializer,
                   summary="A review task, with its case and the application under review",
                   description="A reviewer sees the tasks of the cases their department takes part in; "
                               "any other is a 404.")
    def get(self, request: Request, pk: int) -> Response:
        return _task_response(request, pk)


class TaskActionView(APIView, ABC):
    """One step on a task by its department; the service checks who may (403) and the state (409)."""

    permission_classes = [DepartmentStaff]
    parser_classes = [JSONParser]

    @abstractmethod
    def act(self, request: Request, task: ReviewTask) -> None:
        """Call the service of this step."""

    def post(self, request: Request, pk: int) -> Response:
        self.act(request, task_get_for_user(user=request.user, pk=pk))
        return _task_response(request, pk)


class ClaimView(TaskActionView):
    @extend_schema(parameters=[TASK_ID], request=None, responses={200: TaskDetailSerializer, 409: CONFLICT},
                   summary="Claim a pending task (认领)", description="Two reviewers claiming one task: the "
                   "first gets it, the second a 409.")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, task: ReviewTask) -> None:
        task_claim(actor=request.user, task=task)


class ReleaseView(TaskActionView):
    @extend_schema(parameters=[TASK_ID], request=None,
                   responses={200: TaskDetailSerializer, 403: FORBIDDEN, 409: CONFLICT},
                   summary="Release a claimed task back to the department")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, task: ReviewTask) -> None:
        task_release(actor=request.user, task=task)


class ApproveView(TaskActionView):
    parser_classes = UPLOAD_PARSERS

    @extend_schema(parameters=[TASK_ID],
                   request={"application/json": TextSerializer, "multipart/form-data": TextUploadSerializer},
                   responses={200: TaskDetailSerializer, 403: FORBIDDEN, 409: CONFLICT},
                   summary="Approve (同意), with the opinion and optional attachments",
                   description="Where the item asks two staff to verify (Art. 34), the first approval is a "
                               "sign-off and the task ends at the second, by someone else.")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, task: ReviewTask) -> None:
        data = _valid(TextUploadSerializer, request.data)
        task_approve(actor=request.user, task=task, text=data["text"], files=data["files"])


class RejectView(TaskActionView):
    parser_classes = UPLOAD_PARSERS

    @extend_schema(parameters=[TASK_ID],
                   request={"application/json": TextSerializer, "multipart/form-data": TextUploadSerializer},
                   responses={200: TaskDetailSerializer, 403: FORBIDDEN, 409: CONFLICT},
                   summary="Reject (不同意), with the reasons", description="Under 一票否决 this decides the case.")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, task: ReviewTask) -> None:
        data = _valid(TextUploadSerializer, request.data)
        task_reject(actor=request.user, task=task, text=data["text"], files=data["files"])


class ReturnView(TaskActionView):
    parser_classes = UPLOAD_PARSERS

    @extend_schema(parameters=[TASK_ID],
                   request={"application/json": ReturnSerializer, "multipart/form-data": ReturnUploadSerializer},
                   responses={200: TaskDetailSerializer, 403: FORBIDDEN, 409: CONFLICT},
                   summary="Return for a supplement (退回补正), listing exactly what is needed",
                   description="The applicant is told and replaces only those materials; the case's clock "
                               "stops until the supplement arrives, then the task comes back.")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, task: ReviewTask) -> None:
        data = _valid(ReturnUploadSerializer, request.data)
        task_return(actor=request.user, task=task, problems=data["problems"], text=data["text"],
                    files=data["files"])


class ReassignView(TaskActionView):
    permission_classes = [Heads]

    @extend_schema(parameters=[TASK_ID], request=ReassignSerializer,
                   responses={200: TaskDetailSerializer, 403: FORBIDDEN, 409: CONFLICT},
                   summary="Reassign a task to another reviewer of the department (heads)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, task: ReviewTask) -> None:
        to = _valid(ReassignSerializer, request.data)["to"]
        # Only the task's department: the service refuses anyone else, naming the field.
        task_reassign(actor=request.user, task=task,
                      to=User.objects.filter(pk=to, department=task.department_id).first())


class PauseStartView(APIView):
    permission_classes = [DepartmentStaff]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[TASK_ID], request=PauseStartSerializer,
                   responses={201: PauseSerializer, 403: FORBIDDEN, 409: CONFLICT},
                   summary="Start an Art. 45 procedure (hearing, testing, expert review …): the clock stops",
                   description="The applicant is told in writing, with the expected time. `supplement` is "
                               "refused: that pause starts with a return.")
    def post(self, request: Request, pk: int) -> Response:
        task = task_get_for_user(user=request.user, pk=pk)
        data = _valid(PauseStartSerializer, request.data)
        pause = pause_start(actor=request.user, task=task, **data)
        return Response(PauseSerializer(pause).data, status=status.HTTP_201_CREATED)


class PauseEndView(APIView):
    permission_classes = [DepartmentStaff]

    @extend_schema(parameters=[PAUSE_ID], request=None,
                   responses={200: PauseSerializer, 403: FORBIDDEN, 409: CONFLICT},
                   summary="End an Art. 45 procedure: the clock runs again and the dates move")
    def post(self, request: Request, pk: int) -> Response:
        pause = pause_end(actor=request.user, pause=pause_get_for_user(user=request.user, pk=pk))
        return Response(PauseSerializer(pause).data)


class ExtensionRequestView(APIView):
    permission_classes = [DepartmentStaff]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[TASK_ID], request=ExtensionRequestSerializer,
                   responses={201: ExtensionSerializer, 403: FORBIDDEN, 409: CONFLICT},
                   summary="Ask for the extension (+10 working days; joint handling +15), at most once",
                   description="The head of the lead department decides.")
    def post(self, request: Request, pk: int) -> Response:
        task = task_get_for_user(user=request.user, pk=pk)
        reasons = _valid(ExtensionRequestSerializer, request.data)["reasons"]
        extension = extension_request(actor=request.user, task=task, reasons=reasons)
        return Response(ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)


class InspectionScheduleView(APIView):
    permission_classes = [DepartmentStaff]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[TASK_ID], request=InspectionScheduleSerializer,
                   responses={201: InspectionSerializer, 403: FORBIDDEN},
                   summary="Schedule a joint site inspection (联合踏勘) with other departments")
    def post(self, request: Request, pk: int) -> Response:
        task = task_get_for_user(user=request.user, pk=pk)
        data = _valid(InspectionScheduleSerializer, request.data)
        codes = set(data["departments"])
        departments = list(Department.objects.filter(code__in=codes))
        unknown = codes - {d.code for d in departments}
        if unknown:
            raise serializers.ValidationError(
                {"departments": [_("没有这些部门：%(codes)s") % {"codes": "、".join(sorted(unknown))}]})
        inspection = inspection_schedule(actor=request.user, task=task, scheduled_on=data["scheduled_on"],
                                         place=data["place"], departments=departments,
                                         participants=data["participants"])
        return Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)


class InspectionRecordView(APIView):
    permission_classes = [DepartmentStaff]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[INSPECTION_ID], request=InspectionRecordSerializer,
                   responses={200: InspectionSerializer, 403: FORBIDDEN},
                   summary="Record a joint site inspection",
                   description="The department that scheduled it, or any department taking part.")
    def post(self, request: Request, pk: int) -> Response:
        inspection = inspection_get_for_user(user=request.user, pk=pk)
        data = _valid(InspectionRecordSerializer, request.data)
        recorded = inspection_record(actor=request.user, inspection=inspection, **data)
        return Response(InspectionSerializer(recorded).data)


# --- cases ---------------------------------------------------------------------------------------------
class CasePagination(CursorPagination):
    ordering = ("-opened_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CaseListView(generics.GenericAPIView):
    """The cases a user sees: those the department takes part in or leads (a supervisor: all)."""

    permission_classes = [Readers]
    pagination_class = CasePagination
    serializer_class = CaseSummarySerializer
    filter_backends: list = []

    @extend_schema(parameters=[CaseFilterQuery], responses=CaseSummarySerializer(many=True),
                   summary="Cases", description="Newest first; filter by status.")
    def get(self, request: Request) -> Response:
        query = _valid(CaseFilterQuery, request.query_params)
        page = self.paginate_queryset(cases_listed(user=request.user, status=query.get("status", "")))
        return self.get_paginated_response(CaseSummarySerializer(page, many=True).data)


class CaseDetailView(APIView):
    permission_classes = [Readers]

    @extend_schema(parameters=[CASE_ID], responses=CaseDetailSerializer,
                   summary="A case: stages, every department's task and opinions, the clock, the decision")
    def get(self, request: Request, pk: int) -> Response:
        return _case_response(request, case_get_for_user(user=request.user, pk=pk))


class CaseDecisionView(APIView):
    permission_classes = [Deciders]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[CASE_ID], request=CaseDecisionSerializer,
                   responses={200: CaseDetailSerializer, 403: FORBIDDEN, 409: CONFLICT},
                   summary="Decide (准予 / 不予许可): the lead department, once every stage has ended",
                   description="A denial needs the reasons and how the applicant could succeed (双告知); a "
                               "case vetoed by a department (一票否决) can only be denied. An instant item "
                               "(即办件) is decided by the clerk who accepted it.")
    def post(self, request: Request, pk: int) -> Response:
        case = case_get_for_page(user=request.user, pk=pk)
        data = _valid(CaseDecisionSerializer, request.data)
        case_decide(actor=request.user, case=case, **data)
        return _case_response(request, case_get_for_page(user=request.user, pk=pk))


class CaseDocumentView(FileView):
    @extend_schema(parameters=[CASE_ID, DOCUMENT_ID], responses=FILE_RESPONSE,
                   summary="Download a file of the application's materials",
                   description="For those who see the case; every download is audited.")
    def get(self, request: Request, pk: int, doc: Any) -> FileResponse:
        document = case_document_get_for_user(user=request.user, case_pk=pk, document_pk=doc)
        audit_record(actor=request.user, action="document.download", obj=document,
                     after={"applicant": document.applicant_id, "case": pk})
        return _download(document.file, document.original_name, document.content_type)


class AttachmentView(FileView):
    @extend_schema(parameters=[ATTACHMENT_ID], responses=FILE_RESPONSE, summary="Download an opinion's attachment")
    def get(self, request: Request, pk: int) -> FileResponse:
        attachment = attachment_get_for_user(user=request.user, pk=pk)
        audit_record(actor=request.user, action="attachment.download", obj=attachment)
        return _download(attachment.file, attachment.original_name, attachment.content_type)


# --- extensions ------------------------------------------------------------------------------------------
class ExtensionPagination(CursorPagination):
    ordering = ("-requested_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ExtensionListView(generics.GenericAPIView):
    permission_classes = [Heads]
    pagination_class = ExtensionPagination
    serializer_class = ExtensionListSerializer
    filter_backends: list = []

    @extend_schema(parameters=[ExtensionFilterQuery], responses=ExtensionListSerializer(many=True),
                   summary="Extension requests of the cases the head's department leads",
                   description="Newest first; `status=requested` for those waiting.")
    def get(self, request: Request) -> Response:
        query = _valid(ExtensionFilterQuery, request.query_params)
        extensions = extensions_for_head(user=request.user)
        if query.get("status"):
            extensions = extensions.filter(status=query["status"])
        page = self.paginate_queryset(extensions)
        return self.get_paginated_response(ExtensionListSerializer(page, many=True).data)


class ExtensionDecisionView(APIView):
    permission_classes = [Heads]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[EXTENSION_ID], request=ExtensionDecisionSerializer,
                   responses={200: ExtensionSerializer, 403: FORBIDDEN, 409: CONFLICT},
                   summary="Grant or refuse an extension (the head of the lead department)",
                   description="A grant moves every due date and the applicant is told in writing; a refusal "
                               "needs a comment.")
    def post(self, request: Request, pk: int) -> Response:
        extension = extension_get_for_user(user=request.user, pk=pk)
        data = _valid(ExtensionDecisionSerializer, request.data)
        decided = extension_decide(actor=request.user, extension=extension, **data)
        return Response(ExtensionSerializer(decided).data)


# --- A/B posts ------------------------------------------------------------------------------------------
def _backups_response(request: Request) -> Response:
    department_id = request.user.department_id  # type: ignore[union-attr]
    posts = backups_of(department_id=department_id)
    staff = department_staff(department_id=department_id)
    return Response(BackupPostSerializer(staff, many=True, context={"posts": posts}).data)


class BackupsView(APIView):
    """AB岗 of the user's department: a head names each reviewer's backup and marks them absent."""

    permission_classes = [DepartmentStaff]
    parser_classes = [JSONParser]

    @extend_schema(responses=BackupPostSerializer(many=True), summary="The department's A/B posts")
    def get(self, request: Request) -> Response:
        return _backups_response(request)

    @extend_schema(request=BackupSetSerializer, responses={200: BackupPostSerializer(many=True), 403: FORBIDDEN},
                   summary="Set a B岗, or mark an A岗 absent or back",
                   description="Naming the B岗 is for heads; marking absent for heads or the A岗 themself. "
                               "While A is absent, B sees and acts on A's tasks.")
    def put(self, request: Request) -> Response:
        data = _valid(BackupSetSerializer, request.data)
        primary = department_staff(department_id=request.user.department_id).filter(  # type: ignore[union-attr]
            pk=data["primary"]).first()
        if primary is None:
            raise serializers.ValidationError({"primary": [_("本部门没有这名审批人员。")]})
        with transaction.atomic():
            if "backup" in data:
                backup = User.objects.filter(pk=data["backup"], department=primary.department_id).first()
                if backup is None:
                    raise serializers.ValidationError({"backup": [_("B岗须为本部门在岗的审批人员。")]})
                backup_set(actor=request.user, primary=primary, backup=backup)
            if "absent" in data:
                backup_mark_absent(actor=request.user, primary=primary, absent=data["absent"])
        return _backups_response(request)
