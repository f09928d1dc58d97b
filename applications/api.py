"""The intake API under /api/v1/: applicants, applications with their form, materials and notices, the
clerks' outcomes and pre-review queue, and public tracking.

Reads come from applications.selectors (an application someone may not see is a 404), writes go through
applications.services; serializers only validate input and shape output. Domain errors and state conflicts
become 400 and 409 in portal.errors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import transaction
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from applications.models import (
    Applicant,
    ApplicantKind,
    Application,
    ApplicationMaterial,
    Document,
    Notice,
)
from applications.selectors import (
    applicants_search,
    application_by_tracking,
    application_get_for_user,
    applications_visible_to,
    prereview_queue,
)
from applications.serializers import (
    ApplicantCreditSerializer,
    ApplicantDetailSerializer,
    ApplicantRegisterSerializer,
    ApplicantSearchQuery,
    ApplicantSearchSerializer,
    ApplicantSerializer,
    ApplicationDetailSerializer,
    ApplicationEventSerializer,
    ApplicationFilterQuery,
    ApplicationMaterialSerializer,
    ApplicationNoticeSerializer,
    ApplicationStartSerializer,
    ApplicationSummarySerializer,
    CommitmentSerializer,
    FormSerializer,
    IdempotencyKeyHeader,
    QueueEntrySerializer,
    RefuseSerializer,
    ReuseSerializer,
    RongqueSerializer,
    SupplementSerializer,
    SupplySerializer,
    TrackingQuery,
    TrackingSerializer,
    UploadSerializer,
    WithdrawSerializer,
)
from applications.services.applicants import applicant_for_user, applicant_register, applicant_set_credit
from applications.services.filing import (
    application_save_form,
    application_start,
    application_start_renewal,
    application_submit,
    application_withdraw,
    material_commit,
    material_remove,
    material_reuse,
    material_upload,
)
from applications.services.intake import (
    application_accept,
    application_accept_rongque,
    application_refuse,
    application_request_supplement,
)
from applications.services.review import application_supply
from licences.selectors import licences_of_holder
from portal.errors import Conflict, DomainError
from portal.models import Role
from portal.permissions import HasRole, has_role
from portal.services.audit import audit_record

Clerk = HasRole.of(Role.CLERK)
Sysadmin = HasRole.of(Role.SYSADMIN)
Filers = HasRole.of(Role.APPLICANT_PERSON, Role.APPLICANT_ENTERPRISE, Role.CLERK)
Holders = HasRole.of(Role.APPLICANT_PERSON, Role.APPLICANT_ENTERPRISE)
ApplicantReaders = HasRole.of(Role.APPLICANT_PERSON, Role.APPLICANT_ENTERPRISE, Role.CLERK, Role.SYSADMIN)

TRACK_RATE = "60/min"  # per address: the query code is short, guessing it must stay slow

ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The application's id.")
MATERIAL_ID = OpenApiParameter("mid", int, OpenApiParameter.PATH, description="The application material's id.")
DOCUMENT_ID = OpenApiParameter("doc", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The file's id.")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="A key the client makes up per application (≤ 64 printable ASCII characters): a retried "
                "request with the same key returns the first application (200) instead of a second one.")


def _valid(serializer_class: type[serializers.Serializer], data: Any, **context: Any) -> Any:
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer


def _is_clerk(user: Any) -> bool:
    return has_role(user, [Role.CLERK])


# --- reads --------------------------------------------------------------------------------------------
def _application(request: Request, pk: int) -> Application:
    return application_get_for_user(user=request.user, pk=pk)


def _material(application: Application, mid: int) -> ApplicationMaterial:
    return get_object_or_404(application.materials.all(), pk=mid)


def _materials(application: Application) -> QuerySet[ApplicationMaterial]:
    return application.materials.select_related("licence").prefetch_related("documents")


def _detail(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    """The application as its detail shows it, read again after a write, in a fixed number of queries."""
    application = _application(request, pk)
    prefetch_related_objects([application], "version__item", "notices", "renews",
                             Prefetch("materials", queryset=_materials(application)))
    return Response(ApplicationDetailSerializer(application, context={"request": request}).data, status=code)


def _material_response(request: Request, material: ApplicationMaterial, code: int = status.HTTP_200_OK) -> Response:
    material = _materials(material.application).get(pk=material.pk)
    return Response(ApplicationMaterialSerializer(material, context={"request": request}).data, status=code)


def _applicants_of(user: Any) -> QuerySet[Applicant]:
    """Applicants a user may look at: any for clerks and administrators, else the ones the account files for."""
    if has_role(user, [Role.CLERK, Role.SYSADMIN]):
        return Applicant.objects.all()
    return Applicant.objects.filter(members__user=user)


def _registered(kind: str, id_number: str, uscc: str) -> bool:
    identity = {"id_number": id_number} if kind == ApplicantKind.PERSON else {"uscc": uscc}
    return Applicant.objects.filter(kind=kind, **{k: v.strip().upper() for k, v in identity.items()}).exists()


def _lock_account(user: Any) -> None:
    """Serialise one account's idempotent starts (the row lock is held until the transaction ends)."""
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)


def _started_earlier(user: Any, key: str) -> Application | None:
    """The application this user started with this idempotency key, if any."""
    if not key:
        return None
    return Application.objects.filter(created_by=user, idempotency_key=key).first()


# --- applicants ---------------------------------------------------------------------------------------
class ApplicantSearchView(APIView):
    """A clerk finds an applicant by full ID number / USCC (in the body: never in a URL) or by name."""

    permission_classes = [Clerk]

    @extend_schema(request=ApplicantSearchSerializer, responses=ApplicantSerializer(many=True),
                   summary="Find an applicant (clerks)")
    def post(self, request: Request) -> Response:
        query = _valid(ApplicantSearchSerializer, request.data).validated_data["q"]
        return Response(ApplicantSerializer(applicants_search(query=query), many=True).data)


class ApplicantListView(APIView):
    """Applicant accounts: the applicants they file for. Clerks: find an applicant, or register one."""

    def get_permissions(self) -> list[BasePermission]:
        return [Clerk()] if self.request.method == "POST" else [Filers()]

    @extend_schema(parameters=[ApplicantSearchQuery], responses=ApplicantSerializer(many=True),
                   summary="Applicants (own, or a clerk's search)",
                   description="An applicant account gets the applicants it files for; a clerk searches by "
                               "full ID number / USCC or by name (at most 20, ID numbers masked).")
    def get(self, request: Request) -> Response:
        query = _valid(ApplicantSearchQuery, request.query_params).validated_data.get("q", "")
        if _is_clerk(request.user):
            applicants: Any = applicants_search(query=query)
        else:
            applicants = _applicants_of(request.user).order_by("name", "id")
        return Response(ApplicantSerializer(applicants, many=True).data)

    @extend_schema(request=ApplicantRegisterSerializer,
                   responses={200: ApplicantDetailSerializer, 201: ApplicantDetailSerializer},
                   summary="Register an applicant at the window (or find the registered one)",
                   description="201 when registered now; 200 when one with this ID number / USCC exists (its "
                               "contact details given are updated).")
    def post(self, request: Request) -> Response:
        data = _valid(ApplicantRegisterSerializer, request.data).validated_data
        existed = _registered(data["kind"], data["id_number"], data["uscc"])
        applicant = applicant_register(actor=request.user, **data)
        return Response(ApplicantDetailSerializer(applicant).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class ApplicantDetailView(APIView):
    permission_classes = [ApplicantReaders]

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
                   responses=ApplicantDetailSerializer, summary="An applicant")
    def get(self, request: Request, pk: int) -> Response:
        applicant = get_object_or_404(_applicants_of(request.user), pk=pk)
        return Response(ApplicantDetailSerializer(applicant).data)


class ApplicantCreditView(APIView):
    permission_classes = [Sysadmin]

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
                   request=ApplicantCreditSerializer, responses=ApplicantDetailSerializer,
                   summary="Record an applicant's credit grade and dishonesty flag (administrators)")
    def patch(self, request: Request, pk: int) -> Response:
        applicant = get_object_or_404(Applicant, pk=pk)
        data = _valid(ApplicantCreditSerializer, request.data).validated_data
        updated = applicant_set_credit(
            actor=request.user, applicant=applicant, grade=data.get("credit_grade", applicant.credit_grade),
            dishonest=data.get("dishonest", applicant.dishonest), note=data.get("credit_note", applicant.credit_note))
        return Response(ApplicantDetailSerializer(updated).data)


# --- applications -------------------------------------------------------------------------------------
class ApplicationCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ApplicationListView(generics.GenericAPIView):
    """The applications a user may see: an applicant account's own, every one for clerks."""

    permission_classes = [Filers]
    pagination_class = ApplicationCursorPagination
    serializer_class = ApplicationSummarySerializer
    filter_backends: list = []

    @extend_schema(parameters=[ApplicationFilterQuery], responses=ApplicationSummarySerializer(many=True),
                   summary="Applications", description="Newest first; filter by status and channel.")
    def get(self, request: Request) -> Response:
        filters = _valid(ApplicationFilterQuery, request.query_params).validated_data
        applications = applications_visible_to(request.user).filter(**filters)
        page = self.paginate_queryset(applications)
        return self.get_paginated_response(ApplicationSummarySerializer(page, many=True).data)

    @extend_schema(
        request=ApplicationStartSerializer, parameters=[IDEMPOTENCY_KEY],
        responses={201: ApplicationDetailSerializer,
                   200: OpenApiResponse(ApplicationDetailSerializer,
                                        description="A retry: the application first started with this key.")},
        summary="Start an application (and optionally save its form and submit it)",
        description="For a published item (`item`) or bundle (`bundle`). With `form_data` the form is saved; "
                    "with `submit: true` it is also submitted — all or nothing: if the submission fails, "
                    "no application is kept.")
    def post(self, request: Request) -> Response:
        clerk = _is_clerk(request.user)
        data = _valid(ApplicationStartSerializer, request.data, user=request.user, clerk=clerk).validated_data
        key = data.get("idempotency_key") or _valid(
            IdempotencyKeyHeader, {"idempotency_key": request.headers.get("Idempotency-Key", "")},
        ).validated_data["idempotency_key"]
        item = data.get("item")
        with transaction.atomic():
            if key:
                # A retry that arrives while the first request still runs waits here for it to finish, so
                # that it answers with the first application instead of saving the form into it again.
                _lock_account(request.user)
                earlier = _started_earlier(request.user, key)
                if earlier is not None:
                    return _detail(request, earlier.pk)
            applicant = data.get("applicant") or applicant_for_user(user=request.user)
            application = application_start(actor=request.user, applicant=applicant,
                                            version=item.published if item is not None else None,
                                            bundle=data.get("bundle"), idempotency_key=key)
            if "form_data" in data:
                application_save_form(actor=request.user, application=application, data=data["form_data"])
            if data["submit"]:
                application_submit(actor=request.user, application=application)
        return _detail(request, application.pk, status.HTTP_201_CREATED)


class ApplicationDetailView(APIView):
    @extend_schema(parameters=[ID], responses=ApplicationDetailSerializer, summary="An application")
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, pk)


class ApplicationFormView(APIView):
    @extend_schema(parameters=[ID], request=FormSerializer, responses=ApplicationDetailSerializer,
                   summary="Save the application form",
                   description="While a draft or awaiting a supplement. Fields sent change (every value is "
                               "checked), a field sent as null is cleared, the others stay.")
    def patch(self, request: Request, pk: int) -> Response:
        application = _application(request, pk)
        given = _valid(FormSerializer, request.data).validated_data["form_data"]
        application_save_form(actor=request.user, application=application,
                              data={**application.form_data, **given})
        return _detail(request, pk)


class ApplicationActionView(APIView, ABC):
    """One step on an application; the service checks the state (409) and the input (400)."""

    @abstractmethod
    def act(self, request: Request, application: Application) -> None:
        """Call the service of this step."""

    def post(self, request: Request, pk: int) -> Response:
        self.act(request, _application(request, pk))
        return _detail(request, pk)


class ApplicationSubmitView(ApplicationActionView):
    @extend_schema(parameters=[ID], request=None, responses=ApplicationDetailSerializer,
                   summary="Submit (or resubmit after a supplement notice)",
                   description="The form must be complete and every main material given. A retried submit "
                               "changes nothing.")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, application: Application) -> None:
        application_submit(actor=request.user, application=application)


class ApplicationWithdrawView(ApplicationActionView):
    @extend_schema(parameters=[ID], request=WithdrawSerializer, responses=ApplicationDetailSerializer,
                   summary="Withdraw an application that is not yet decided")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, application: Application) -> None:
        reason = _valid(WithdrawSerializer, request.data).validated_data["reason"]
        application_withdraw(actor=request.user, application=application, reason=reason)


class ApplicationSupplyView(ApplicationActionView):
    @extend_schema(
        parameters=[ID], request=SupplySerializer,
        responses={200: ApplicationDetailSerializer,
                   400: OpenApiResponse(description="A listed material has no new file (named in `materials`), "
                                                    "or nothing was listed and the note is empty."),
                   409: OpenApiResponse(description="No review supplement is awaited.")},
        summary="Answer a review supplement (审查补正)",
        description="While `review_supplement` is true: upload a new file for every material with a `problem` "
                    "(…/materials/{mid}/files/), then post this; the departments that asked resume their review.")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, application: Application) -> None:
        note = _valid(SupplySerializer, request.data).validated_data["note"]
        try:
            application_supply(actor=request.user, application=application, note=note)
        except Conflict:
            raise
        except DomainError as exc:  # nothing awaited: the application's state refuses it, not the input
            raise Conflict(str(exc)) from exc


class LicenceRenewView(APIView):
    """延续 (Art. 50): the holder starts the renewal of a licence as a draft application."""

    permission_classes = [Holders]

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The licence's id.")],
        request=None,
        responses={201: ApplicationDetailSerializer,
                   400: OpenApiResponse(description="The item has no published version, or the licence is valid "
                                                    "without a time limit (长期有效): nothing to renew."),
                   404: OpenApiResponse(description="Not a licence of an applicant this account acts for."),
                   409: OpenApiResponse(description="The licence is not valid (being made, expired, revoked, "
                                                    "cancelled, replaced), or a renewal of it is under way.")},
        summary="Apply to renew a licence (延续)",
        description="Creates a draft application of the licence's item (its published version) for the holder, "
                    "with `renews` set and the form prefilled from the application the licence was issued on. "
                    "Save the form, give the materials and submit it as any application, at least 30 days "
                    "before the licence expires: a renewal filed in time and not decided by the expiry date is "
                    "deemed granted. Its approval issues a licence that replaces this one.")
    def post(self, request: Request, pk: int) -> Response:
        licence = licences_of_holder(request.user).filter(pk=pk).first()
        if licence is None:
            raise NotFound
        try:
            application = application_start_renewal(actor=request.user, licence=licence)
        except PermissionDenied as exc:
            raise NotFound from exc
        return _detail(request, application.pk, status.HTTP_201_CREATED)


# --- materials ------------------------------------------------------------------------------------------
class UploadParser(MultiPartParser):
    """Multipart, where too many files or fields is the client's mistake about `files` (400), not a 500."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except (TooManyFilesSent, TooManyFieldsSent, RequestDataTooBig) as exc:
            raise serializers.ValidationError(
                {"files": [_("一次上传的文件过多或过大，请分批上传。")]}) from exc


class MaterialListView(APIView):
    @extend_schema(parameters=[ID], responses=ApplicationMaterialSerializer(many=True),
                   summary="The materials of an application, with their files")
    def get(self, request: Request, pk: int) -> Response:
        materials = _materials(_application(request, pk))
        return Response(ApplicationMaterialSerializer(materials, many=True, context={"request": request}).data)


class MaterialFilesView(APIView):
    parser_classes = [UploadParser]

    @extend_schema(parameters=[ID, MATERIAL_ID], request={"multipart/form-data": UploadSerializer},
                   responses={201: ApplicationMaterialSerializer}, summary="Upload files for a material",
                   description="Each file is checked (size, type by content, image pixels) before any is "
                               "stored: one bad file and none is kept.")
    def post(self, request: Request, pk: int, mid: int) -> Response:
        application = _application(request, pk)
        material = _material(application, mid)
        files = _valid(UploadSerializer, request.data).validated_data["files"]
        material_upload(actor=request.user, application=application, material=material, files=files)
        return _material_response(request, material, status.HTTP_201_CREATED)


class MaterialFileView(APIView):
    @extend_schema(parameters=[ID, MATERIAL_ID, DOCUMENT_ID], request=None,
                   responses={200: ApplicationMaterialSerializer}, summary="Take a file off a material",
                   description="The stored file stays: another application may use it.")
    def delete(self, request: Request, pk: int, mid: int, doc: Any) -> Response:
        application = _application(request, pk)
        material = _material(application, mid)
        document = get_object_or_404(material.documents.all(), pk=doc)
        material_remove(actor=request.user, application=application, material=material, document=document)
        return _material_response(request, material)


class MaterialReuseView(APIView):
    @extend_schema(parameters=[ID, MATERIAL_ID], request=ReuseSerializer, responses=ApplicationMaterialSerializer,
                   summary="Use a file given in an earlier application (免提交)")
    def post(self, request: Request, pk: int, mid: int) -> Response:
        application = _application(request, pk)
        material = _material(application, mid)
        document_id = _valid(ReuseSerializer, request.data).validated_data["document"]
        document = Document.objects.filter(pk=document_id, applicant=application.applicant_id).first()
        if document is None:
            raise serializers.ValidationError({"document": [_("申请人没有这份文件。")]})
        material_reuse(actor=request.user, application=application, material=material, document=document)
        return _material_response(request, material)


class MaterialCommitmentView(APIView):
    @extend_schema(parameters=[ID, MATERIAL_ID], request=CommitmentSerializer,
                   responses={201: ApplicationMaterialSerializer},
                   summary="Sign a commitment instead of a proof (告知承诺)",
                   description="Only for materials with commitment_allowed; the text signed is the material's "
                               "commitment_text.")
    def post(self, request: Request, pk: int, mid: int) -> Response:
        application = _application(request, pk)
        material = _material(application, mid)
        signed_name = _valid(CommitmentSerializer, request.data).validated_data["signed_name"]
        material_commit(actor=request.user, application=application, material=material, signed_name=signed_name)
        return _material_response(request, material, status.HTTP_201_CREATED)


# --- the clerk's outcomes ---------------------------------------------------------------------------------
class ClerkActionView(ApplicationActionView, ABC):
    """An intake outcome: any clerk, the first one who acts (another clerk who acted first → 409)."""

    permission_classes = [Clerk]


class AcceptView(ClerkActionView):
    @extend_schema(parameters=[ID], request=None, responses=ApplicationDetailSerializer,
                   summary="Accept (受理): every required material is there")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, application: Application) -> None:
        application_accept(actor=request.user, application=application)


class SupplementView(ClerkActionView):
    @extend_schema(parameters=[ID], request=SupplementSerializer, responses=ApplicationDetailSerializer,
                   summary="Ask for a supplement, once, listing every problem (一次性告知)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, application: Application) -> None:
        problems = _valid(SupplementSerializer, request.data).validated_data["problems"]
        application_request_supplement(actor=request.user, application=application, problems=problems)


class RefuseView(ClerkActionView):
    @extend_schema(parameters=[ID], request=RefuseSerializer, responses=ApplicationDetailSerializer,
                   summary="Do not accept (不予受理), with reasons and how to succeed")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, application: Application) -> None:
        data = _valid(RefuseSerializer, request.data).validated_data
        application_refuse(actor=request.user, application=application, **data)


class AcceptRongqueView(ClerkActionView):
    @extend_schema(parameters=[ID], request=RongqueSerializer, responses=ApplicationDetailSerializer,
                   summary="Accept with secondary materials missing (容缺受理)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, application: Application) -> None:
        data = _valid(RongqueSerializer, request.data).validated_data
        application_accept_rongque(actor=request.user, application=application, **data)


class QueuePagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 100


class PrereviewView(generics.GenericAPIView):
    """The clerks' shared pre-review queue: green channel first, then the oldest submission."""

    permission_classes = [Clerk]
    pagination_class = QueuePagination
    serializer_class = QueueEntrySerializer
    filter_backends: list = []

    @extend_schema(responses=QueueEntrySerializer(many=True), summary="Submissions awaiting pre-review")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(prereview_queue())
        return self.get_paginated_response(QueueEntrySerializer(page, many=True).data)


# --- timeline and notices -----------------------------------------------------------------------------
class TimelineView(APIView):
    @extend_schema(parameters=[ID], responses=ApplicationEventSerializer(many=True),
                   summary="The application's timeline")
    def get(self, request: Request, pk: int) -> Response:
        events = _application(request, pk).events.all()
        return Response(ApplicationEventSerializer(events, many=True).data)


class NoticeListView(APIView):
    @extend_schema(parameters=[ID], responses=ApplicationNoticeSerializer(many=True),
                   summary="The notices issued on an application")
    def get(self, request: Request, pk: int) -> Response:
        notices = _application(request, pk).notices.all()
        return Response(ApplicationNoticeSerializer(notices, many=True, context={"request": request}).data)


class NoticePdfView(APIView):
    """A notice's PDF, as an attachment, for those who may see its application. Every download is audited."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A client asking for application/pdf gets the file, and any error as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The notice's id.")],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY},
                   summary="Download a notice (PDF)", description="404 until the PDF has been rendered.")
    def get(self, request: Request, pk: int) -> FileResponse:
        notice = Notice.objects.filter(pk=pk).first()
        if notice is None:
            raise NotFound
        application = _application(request, notice.application_id)
        if not notice.pdf:
            raise NotFound(_("通知书正在生成，请稍后再试。"))
        try:
            handle = notice.pdf.open("rb")
        except FileNotFoundError as exc:
            raise NotFound from exc
        audit_record(actor=request.user, action="notice.download", obj=notice,
                     after={"application": application.number})
        response = FileResponse(handle, as_attachment=True, filename=f"{notice.number}.pdf",
                                content_type="application/pdf")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- public tracking ----------------------------------------------------------------------------------
class TrackThrottle(SimpleRateThrottle):
    """Guessing query codes stays slow: a rate per address, signed in or not."""

    scope = "track"

    def get_rate(self) -> str:
        return str(api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or TRACK_RATE)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TrackView(APIView):
    """Public tracking by application number and query code: status and timeline, no personal data."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackThrottle]

    @extend_schema(parameters=[TrackingQuery], responses=TrackingSerializer, summary="Track an application",
                   description="Anyone with the number and the query code; 404 for a wrong pair.")
    def get(self, request: Request) -> Response:
        query = _valid(TrackingQuery, request.query_params).validated_data
        application = application_by_tracking(number=query["number"], query_code=query["code"])
        if application is None:
            raise NotFound(_("申请编号或查询码不正确。"))
        prefetch_related_objects([application], "department", "events")
        return Response(TrackingSerializer(application).data)

