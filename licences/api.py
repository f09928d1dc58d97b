"""The licence API under /api/v1/licences/: the licences a user may see, their signed PDFs, delivery (the holder
chooses; staff record the hand-over), revocation and cancellation, public verification, and the catalogue
administrator's templates.

Reads come from licences.selectors (a licence someone may not see is a 404); writes go through
licences.services, which check who may act (403) and the state (409: LicenceConflict and refused
transitions become portal.errors.Conflict here). Serializers only validate input and shape output.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import FileResponse
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from licences import selectors
from licences.models import Licence, Status
from licences.rendering import PLACEHOLDERS
from licences.serializers import (
    DeliveryChoiceSerializer,
    DispatchSerializer,
    EndSerializer,
    LicenceDetailSerializer,
    LicenceFilterQuery,
    LicenceSummarySerializer,
    PickupSerializer,
    PublicLicenceSerializer,
    TemplateBodySerializer,
    TemplateItemSerializer,
    TemplateSerializer,
    UploadCheckSerializer,
    VerifySerializer,
    VerifyUploadSerializer,
)
from licences.services import (
    LicenceConflict,
    licence_choose_delivery,
    licence_end,
    licence_record_dispatch,
    licence_record_download,
    licence_record_pickup,
    licence_template_save,
    may_end,
)
from licences.views.common import DELIVERY_ROLES, licence_pdf_response, uploaded_bytes
from portal.errors import Conflict
from portal.models import Role
from portal.permissions import HasRole, has_role
from portal.services.audit import audit_record

TemplateEditors = HasRole.of(Role.CATALOGUE_ADMIN, Role.SYSADMIN)

LICENCE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The licence's id.")
ITEM_ID = OpenApiParameter("item_id", int, OpenApiParameter.PATH,
                           description="The item's id (its published version's result is a licence).")
CONFLICT = OpenApiResponse(description="The licence's state does not allow it, or someone acted first.")
FORBIDDEN = OpenApiResponse(description="The user may see the licence but not do this to it.")
NOT_FOUND = OpenApiResponse(description="No such licence (or none the user may see).")
PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY, 404: NOT_FOUND,
                409: OpenApiResponse(description="The PDF is still being made and signed.")}
VERIFY_RATE = "30/min"


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> Any:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@contextmanager
def _as_conflict() -> Iterator[None]:
    """The licence's state refused the action: a 409 with a message for people."""
    try:
        yield
    except LicenceConflict as exc:
        raise Conflict(str(exc)) from exc
    except (TransitionNotAllowed, ConcurrentTransition) as exc:
        raise Conflict(_("该证照已被他人处理，当前状态不允许此操作。")) from exc


def _licence(request: Request, pk: int) -> Licence:
    return selectors.licence_get_for_user(user=request.user, pk=pk)


def _detail(licence: Licence, code: int = status.HTTP_200_OK) -> Response:
    fresh = Licence.objects.select_related("department", "version", "replaced_by").get(pk=licence.pk)
    return Response(LicenceDetailSerializer(fresh).data, status=code)


# --- reads -----------------------------------------------------------------------------------------------
class LicencePagination(CursorPagination):
    ordering = ("-id",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class LicenceListView(generics.GenericAPIView):
    """The licences the user may see: a holder's own, a department's for its staff, all for clerks and
    supervisors; an empty list for anyone else."""

    pagination_class = LicencePagination
    serializer_class = LicenceSummarySerializer
    filter_backends: list = []

    @extend_schema(parameters=[LicenceFilterQuery], responses=LicenceSummarySerializer(many=True),
                   summary="Licences the user may see",
                   description="Newest first. Holders see their own (the licence library); department staff "
                               "their department's; clerks and supervisors every department's.")
    def get(self, request: Request) -> Response:
        query = _valid(LicenceFilterQuery, request.query_params)
        licences = selectors.licences_filtered(selectors.licences_visible_to(request.user),
                                               validity=query.get("status", ""),
                                               delivery=query.get("delivery", ""), q=query.get("q", ""))
        page = self.paginate_queryset(licences)
        return self.get_paginated_response(LicenceSummarySerializer(page, many=True).data)


class LicenceDetailView(APIView):
    @extend_schema(parameters=[LICENCE_ID], responses={200: LicenceDetailSerializer, 404: NOT_FOUND},
                   summary="A licence: metadata, validity, delivery, renewal and revocation")
    def get(self, request: Request, pk: int) -> Response:
        return _detail(_licence(request, pk))


class LicencePdfView(APIView):
    """The signed PDF; any Accept header gets the file, an error comes as JSON."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(parameters=[LICENCE_ID], responses=PDF_RESPONSE, summary="Download the signed licence PDF",
                   description="For its holder and the staff who see it; every download is audited, and the "
                               "holder's first one recorded.")
    def get(self, request: Request, pk: int) -> FileResponse:
        licence = _licence(request, pk)
        if licence.status == Status.RENDERING or not licence.pdf:
            raise Conflict(_("证照正在制作，请稍后再下载。"))
        response = licence_pdf_response(licence)
        if selectors.is_holder(request.user, licence):
            licence_record_download(licence=licence, actor=request.user)
        else:
            audit_record(actor=request.user, action="licence.download", obj=licence, after={"by": "staff"})
        return response


# --- writes ----------------------------------------------------------------------------------------------
class LicenceActionView(APIView):
    parser_classes = [JSONParser]
    serializer: type[serializers.Serializer]

    def post(self, request: Request, pk: int) -> Response:
        licence = _licence(request, pk)
        self.check(request, licence)
        data = _valid(self.serializer, request.data)
        with _as_conflict():
            self.perform(request, licence, data)
        return _detail(licence)

    def check(self, request: Request, licence: Licence) -> None:
        """Refuse (403) before reading the input, where the view can tell."""

    def perform(self, request: Request, licence: Licence, data: dict[str, Any]) -> None:
        raise NotImplementedError


def _staff_only(request: Request) -> None:
    """Those who hand licences over (the service's own check, before the input is read)."""
    if not has_role(request.user, DELIVERY_ROLES):
        raise PermissionDenied


class DeliveryView(LicenceActionView):
    serializer = DeliveryChoiceSerializer

    @extend_schema(parameters=[LICENCE_ID], request=DeliveryChoiceSerializer,
                   responses={200: LicenceDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
                   summary="Choose how to receive the licence (the holder)",
                   description="Download (delivered once the signed PDF is in the account), pick-up at the "
                               "result window, or free express (address, recipient and phone). The paper "
                               "licence may be asked for until it has been handed over.")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def check(self, request: Request, licence: Licence) -> None:
        if not selectors.is_holder(request.user, licence):
            raise PermissionDenied

    def perform(self, request: Request, licence: Licence, data: dict[str, Any]) -> None:
        licence_choose_delivery(licence=licence, actor=request.user, **data)


class PickupView(LicenceActionView):
    serializer = PickupSerializer

    @extend_schema(parameters=[LICENCE_ID], request=PickupSerializer,
                   responses={200: LicenceDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
                   summary="Record who collected the licence at the result window (staff)",
                   description="The collector's ID number is stored masked.")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def check(self, request: Request, licence: Licence) -> None:
        _staff_only(request)

    def perform(self, request: Request, licence: Licence, data: dict[str, Any]) -> None:
        licence_record_pickup(licence=licence, actor=request.user, **data)


class DispatchView(LicenceActionView):
    serializer = DispatchSerializer

    @extend_schema(parameters=[LICENCE_ID], request=DispatchSerializer,
                   responses={200: LicenceDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
                   summary="Record the express dispatch: company and tracking number (staff)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def check(self, request: Request, licence: Licence) -> None:
        _staff_only(request)

    def perform(self, request: Request, licence: Licence, data: dict[str, Any]) -> None:
        licence_record_dispatch(licence=licence, actor=request.user, **data)


class EndView(LicenceActionView):
    serializer = EndSerializer
    kind = ""

    def check(self, request: Request, licence: Licence) -> None:
        if not may_end(request.user, licence):
            raise PermissionDenied

    def perform(self, request: Request, licence: Licence, data: dict[str, Any]) -> None:
        licence_end(licence=licence, actor=request.user, kind=self.kind, **data)


class RevokeView(EndView):
    kind = "revoke"

    @extend_schema(parameters=[LICENCE_ID], request=EndSerializer,
                   responses={200: LicenceDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
                   summary="Revoke a valid licence (撤销, Art. 69): the issuing department's head",
                   description="The reason (and basis) appear on the public verification page.")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class CancelView(EndView):
    kind = "cancel"

    @extend_schema(parameters=[LICENCE_ID], request=EndSerializer,
                   responses={200: LicenceDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
                   summary="Cancel a valid licence (注销, Art. 70): the issuing department's head",
                   description="The reason (and basis) appear on the public verification page.")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


# --- public verification ---------------------------------------------------------------------------------
class VerifyThrottle(SimpleRateThrottle):
    """Guessing numbers and holder codes stays slow: a rate per address, signed in or not
    (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["licence_verify"], 30/min unless set)."""

    scope = "licence_verify"

    def get_rate(self) -> str:
        return str(api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or VERIFY_RATE)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class VerifyParser(MultiPartParser):
    """Multipart, where too many parts or too large a body is the client's mistake about `file` (400)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except (TooManyFilesSent, TooManyFieldsSent, RequestDataTooBig) as exc:
            raise serializers.ValidationError({"file": [_("上传的文件过大或过多。")]}) from exc


class VerifyView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [VerifyThrottle]
    parser_classes = [JSONParser]

    @extend_schema(request=VerifySerializer,
                   responses={200: PublicLicenceSerializer, 404: NOT_FOUND},
                   summary="Verify a licence (public): by the QR code's token, or number and holder code",
                   description="The verdict and the public metadata, the holder code masked. A wrong pair is a "
                               "404 that does not say which half was wrong.")
    def post(self, request: Request) -> Response:
        data = _valid(VerifySerializer, request.data)
        if data.get("token"):
            licence = selectors.licence_by_token(data["token"])
        else:
            licence = selectors.licence_find(number=data["number"], holder_code=data["holder_code"])
        if licence is None:
            raise NotFound(_("未找到该证照，请核对证照编号和持证主体代码。"))
        return Response(PublicLicenceSerializer(licence).data)


class VerifyUploadView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [VerifyThrottle]
    # JSON is accepted only to say which field is missing (the file comes as multipart).
    parser_classes = [VerifyParser, JSONParser]

    @extend_schema(request={"multipart/form-data": VerifyUploadSerializer},
                   responses={200: UploadCheckSerializer, 404: NOT_FOUND},
                   summary="Check an uploaded PDF (public): is it the file issued, and is its signature sound?",
                   description="The SHA-256 is compared with the stored hash of the licence named by `token` "
                               "(404 if none), or of any licence; the PAdES signature is checked (intact, "
                               "covering the whole file, chaining to a trusted CA). The file is not kept.")
    def post(self, request: Request) -> Response:
        data = _valid(VerifyUploadSerializer, request.data)
        named = None
        if data.get("token"):
            named = selectors.licence_by_token(data["token"])
            if named is None:
                raise NotFound(_("未找到该证照。"))
        upload = selectors.check_upload(uploaded_bytes(data["file"]))
        if named is not None:
            matched = named if named.pdf_sha256 and upload.sha256 == named.pdf_sha256 else None
        else:
            matched = upload.licence
        signature = upload.signature
        return Response(UploadCheckSerializer({
            "sha256": upload.sha256, "matches": matched is not None, "licence": matched,
            "signature": {"signed": signature.signed, "intact": signature.intact, "covers_all": signature.covers_all,
                          "trusted": signature.trusted, "signer": signature.signer, "ok": signature.ok},
        }).data)


# --- templates -------------------------------------------------------------------------------------------
class TemplatePagination(CursorPagination):
    ordering = ("implementation_code",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class TemplateListView(generics.GenericAPIView):
    permission_classes = [TemplateEditors]
    pagination_class = TemplatePagination
    serializer_class = TemplateItemSerializer
    filter_backends: list = []

    @extend_schema(responses=TemplateItemSerializer(many=True), summary="Items whose result is a licence",
                   description="With `custom` where the item has its own licence template (catalogue "
                               "administrators).")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.licence_template_items())
        return self.get_paginated_response(TemplateItemSerializer(page, many=True).data)


def _template_response(item: Any) -> Response:
    body, custom = selectors.licence_template_body(item)
    placeholders = [{"name": name, "description": str(label)} for name, label in PLACEHOLDERS.items()]
    return Response(TemplateSerializer({"item": item.pk, "body": body, "custom": custom,
                                        "placeholders": placeholders}).data)


class TemplateView(APIView):
    permission_classes = [TemplateEditors]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[ITEM_ID], responses={200: TemplateSerializer, 404: NOT_FOUND},
                   summary="An item's licence template (or the default layout) and its placeholders")
    def get(self, request: Request, item_id: int) -> Response:
        return _template_response(selectors.licence_template_item(pk=item_id))

    @extend_schema(parameters=[ITEM_ID], request=TemplateBodySerializer,
                   responses={200: TemplateSerializer, 404: NOT_FOUND},
                   summary="Save an item's licence template",
                   description="Only the listed {{ placeholders }}, no template tags; licences made from now on "
                               "use it. Preview it on the template editor page.")
    def put(self, request: Request, item_id: int) -> Response:
        item = selectors.licence_template_item(pk=item_id)
        body = _valid(TemplateBodySerializer, request.data)["body"]
        licence_template_save(item=item, actor=request.user, body=body)
        return _template_response(item)

