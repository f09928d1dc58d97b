"""The queue and appointments API under /api/v1/: windows, tickets, appointment slots and appointments.

Serializers validate input and shape output; writes go through applications.services (Conflict and
TransitionNotAllowed become 409, DomainError 400, in portal.errors). Applicants reach only their own tickets
and appointments: anyone else's answer 404.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.models.queue import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Ticket,
    TicketKind,
    TicketSource,
    TicketStatus,
    Window,
    WindowKind,
    validate_mobile,
)
from applications.queue_selectors import (
    applicant_of,
    appointments_visible_to,
    is_clerk,
    slots_with_places,
    tickets_ahead,
    tickets_visible_to,
    with_ahead,
)
from applications.services.appointments import appointment_book, appointment_cancel, appointment_check_in
from applications.services.queue import (
    hall_day,
    ticket_call_next,
    ticket_cancel,
    ticket_recall,
    ticket_serve,
    ticket_skip,
    ticket_take,
    window_close,
    window_open,
)
from items.models import Item
from portal.models import Role
from portal.models.accounts import APPLICANT_ROLES
from portal.permissions import HasRole

Clerk = HasRole.of(Role.CLERK)
ApplicantRole = HasRole.of(*APPLICANT_ROLES)
ClerkOrApplicant = HasRole.of(Role.CLERK, *APPLICANT_ROLES)
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH)
PHONE_HELP = "中国大陆手机号码（11 位）。 A mainland mobile number, 11 digits."


# --- serializers --------------------------------------------------------------------------------------
def choice(name: str, choices: list[tuple[str, Any]], **kwargs: Any) -> serializers.ChoiceField:
    """A choice field whose enum is the schema component `name`: "status", "kind" and "source" are field names
    other apps use with other choices, and enums named after the field would collide."""
    if name not in _CHOICE_FIELDS:
        schema = {"type": "string", "enum": [value for value, _label in choices],
                  "description": "\n".join(f"* `{value}` - {label}" for value, label in choices)}
        _CHOICE_FIELDS[name] = extend_schema_field(schema, component_name=name)(
            type(name, (serializers.ChoiceField,), {}))
    return _CHOICE_FIELDS[name](choices, **kwargs)


_CHOICE_FIELDS: dict[str, type[serializers.ChoiceField]] = {}


class WindowSerializer(serializers.ModelSerializer):
    kind = choice("WindowKindEnum", WindowKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Window
        fields = ["id", "number", "name", "kind", "kind_label", "is_active", "takes_appointments", "is_open"]
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer):
    """A ticket without personal data: the number, its state and the window it is called to."""

    status = choice("TicketStatusEnum", TicketStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    kind = choice("TicketKindEnum", TicketKind.choices, read_only=True)
    source = choice("TicketSourceEnum", TicketSource.choices, read_only=True)  # type: ignore[assignment]
    window: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, help_text="The number of the window it is called to.")
    ahead = serializers.SerializerMethodField(help_text="Waiting tickets called before this one.")

    class Meta:
        model = Ticket
        fields = ["id", "number", "hall_day", "kind", "source", "priority", "status", "status_label", "window",
                  "call_count", "taken_at", "called_at", "served_at", "ahead"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_ahead(self, ticket: Ticket) -> int:
        annotated = getattr(ticket, "ahead", None)  # lists annotate it (queue_selectors.with_ahead)
        return annotated if annotated is not None else tickets_ahead(ticket)


class TicketTakeSerializer(serializers.Serializer):
    kind = choice("TicketKindEnum", TicketKind.choices, default=TicketKind.ORDINARY)
    phone = serializers.CharField(max_length=11, required=False, allow_blank=True, default="",
                                  validators=[validate_mobile], help_text=PHONE_HELP)
    source = choice(  # type: ignore[assignment]  # a field named like Field.source: DRF pops declared fields
        "TicketTakeSourceEnum",
        [(TicketSource.KIOSK, TicketSource.KIOSK.label), (TicketSource.PHONE, TicketSource.PHONE.label)],
        required=False,
        help_text="Clerks only: a ticket taken for someone at the kiosk or on the phone. An applicant's ticket "
                  "is always `online`.")


class SlotWindowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Window
        fields = ["id", "number", "name"]
        read_only_fields = fields


class SlotSerializer(serializers.ModelSerializer):
    window = SlotWindowSerializer(read_only=True)
    places_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = AppointmentSlot
        fields = ["id", "window", "date", "start", "end", "capacity", "booked", "places_left"]
        read_only_fields = fields


class SlotQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="YYYY-MM-DD; today when not given.")


class AppointmentSerializer(serializers.ModelSerializer):
    slot = SlotSerializer(read_only=True)
    item: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="implementation_code", read_only=True, allow_null=True)
    status = choice("AppointmentStatusEnum", AppointmentStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    ticket: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, help_text="The priority ticket given at check-in.")

    class Meta:
        model = Appointment
        fields = ["id", "slot", "item", "phone", "code", "status", "status_label", "date", "starts_at", "ends_at",
                  "ticket", "booked_at", "cancelled_at", "checked_in_at"]
        read_only_fields = fields


class AppointmentBookSerializer(serializers.Serializer):
    slot = serializers.PrimaryKeyRelatedField(queryset=AppointmentSlot.objects.all())
    phone = serializers.CharField(max_length=11, validators=[validate_mobile], help_text=PHONE_HELP)
    item = serializers.SlugRelatedField(
        slug_field="implementation_code", queryset=Item.objects.filter(published__isnull=False), required=False,
        allow_null=True, help_text="实施编码 of the item the visit is about (optional).")


class AppointmentQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Clerks: the day's appointments (today when not given).")


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(min_length=4, max_length=8, help_text="The appointment's check-in code.")


class IdCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- windows ------------------------------------------------------------------------------------------
class WindowListView(generics.ListAPIView):
    """The hall's windows and whether a clerk is at each."""

    permission_classes = [AllowAny]
    serializer_class = WindowSerializer
    pagination_class = None
    filter_backends: list = []
    queryset = Window.objects.order_by("number")


class WindowActionView(APIView, ABC):
    permission_classes = [Clerk]

    @abstractmethod
    def act(self, request: Request, window: Window) -> Response:
        """Call the service."""

    def post(self, request: Request, pk: int) -> Response:
        return self.act(request, get_object_or_404(Window, pk=pk))


@extend_schema_view(post=extend_schema(parameters=[ID_PARAMETER], request=None, responses=WindowSerializer,
                                       summary="Open a window (the clerk sits at it)"))
class WindowOpenView(WindowActionView):
    def act(self, request: Request, window: Window) -> Response:
        return Response(WindowSerializer(window_open(actor=request.user, window=window)).data)


@extend_schema_view(post=extend_schema(parameters=[ID_PARAMETER], request=None, responses=WindowSerializer,
                                       summary="Close the clerk's window"))
class WindowCloseView(WindowActionView):
    def act(self, request: Request, window: Window) -> Response:
        return Response(WindowSerializer(window_close(actor=request.user, window=window)).data)


@extend_schema_view(post=extend_schema(parameters=[ID_PARAMETER], request=None, responses=TicketSerializer,
                                       summary="Call the next waiting ticket to the window",
                                       description="409 when nobody is waiting, or the window's current ticket "
                                                   "is still called (serve or skip it first)."))
class WindowCallNextView(WindowActionView):
    def act(self, request: Request, window: Window) -> Response:
        return Response(TicketSerializer(ticket_call_next(actor=request.user, window=window)).data)


# --- tickets ------------------------------------------------------------------------------------------
class TicketListView(generics.ListCreateAPIView):
    """Applicants: the tickets they took. Clerks: every ticket of today."""

    permission_classes = [ClerkOrApplicant]
    serializer_class = TicketSerializer
    pagination_class = IdCursorPagination
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Ticket]:
        tickets = tickets_visible_to(self.request.user)
        return with_ahead(tickets.filter(hall_day=hall_day()) if is_clerk(self.request.user) else tickets)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return TicketTakeSerializer if self.request.method == "POST" else TicketSerializer

    @extend_schema(request=TicketTakeSerializer, responses={201: TicketSerializer}, summary="Take a ticket",
                   description="An applicant's ticket is online and theirs (told when called; one waiting "
                               "ticket a day). A clerk takes one for someone at the kiosk or on the phone.")
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(TicketTakeSerializer, request.data)
        user: Any = request.user
        if is_clerk(user):
            ticket = ticket_take(source=data.get("source") or TicketSource.PHONE, kind=data["kind"],
                                 phone=data["phone"], actor=user)
        else:
            if data.get("source"):
                raise serializers.ValidationError({"source": ["只有窗口人员可以指定取号方式。 Clerks only."]})
            ticket = ticket_take(source=TicketSource.ONLINE, kind=data["kind"], phone=data["phone"],
                                 applicant=applicant_of(user), holder=user)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketDetailView(generics.RetrieveAPIView):
    permission_classes = [ClerkOrApplicant]
    serializer_class = TicketSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Ticket]:
        return tickets_visible_to(self.request.user)


class TicketActionView(APIView, ABC):
    @abstractmethod
    def act(self, request: Request, ticket: Ticket) -> Ticket:
        """Call the service."""

    def post(self, request: Request, pk: int) -> Response:
        ticket = tickets_visible_to(request.user).filter(pk=pk).first()
        if ticket is None:
            raise Http404
        return Response(TicketSerializer(self.act(request, ticket)).data)


def _ticket_action(summary: str) -> Any:
    return extend_schema_view(post=extend_schema(parameters=[ID_PARAMETER], request=None,
                                                 responses=TicketSerializer, summary=summary))


@_ticket_action("Call a ticket again (still called here, or skipped)")
class TicketRecallView(TicketActionView):
    permission_classes = [Clerk]

    def act(self, request: Request, ticket: Ticket) -> Ticket:
        return ticket_recall(actor=request.user, ticket=ticket)


@_ticket_action("Skip a called ticket (过号)")
class TicketSkipView(TicketActionView):
    permission_classes = [Clerk]

    def act(self, request: Request, ticket: Ticket) -> Ticket:
        return ticket_skip(actor=request.user, ticket=ticket)


@_ticket_action("Start serving a called ticket")
class TicketServeView(TicketActionView):
    permission_classes = [Clerk]

    def act(self, request: Request, ticket: Ticket) -> Ticket:
        return ticket_serve(actor=request.user, ticket=ticket)


@_ticket_action("Cancel one's own waiting ticket")
class TicketCancelView(TicketActionView):
    permission_classes = [ApplicantRole]

    def act(self, request: Request, ticket: Ticket) -> Ticket:
        return ticket_cancel(actor=request.user, ticket=ticket)


# --- appointments -------------------------------------------------------------------------------------
class SlotListView(generics.ListAPIView):
    """The day's slots that can still be booked, with the places left."""

    permission_classes = [AllowAny]
    serializer_class = SlotSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[AppointmentSlot]:
        day = _valid(SlotQuerySerializer, self.request.query_params).get("date") or timezone.localdate()
        return slots_with_places(day=day)

    @extend_schema(parameters=[SlotQuerySerializer], summary="Appointment slots with places left")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AppointmentListView(generics.ListCreateAPIView):
    """Applicants: their appointments, and booking. Clerks: the appointments of a day."""

    serializer_class = AppointmentSerializer
    pagination_class = IdCursorPagination
    filter_backends: list = []

    def get_permissions(self) -> list[Any]:
        return [ApplicantRole()] if self.request.method == "POST" else [ClerkOrApplicant()]

    def get_queryset(self) -> QuerySet[Appointment]:
        appointments = appointments_visible_to(self.request.user)
        if is_clerk(self.request.user):
            day = _valid(AppointmentQuerySerializer, self.request.query_params).get("date") or hall_day()
            return appointments.filter(date=day)
        return appointments.filter(user=self.request.user.pk)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return AppointmentBookSerializer if self.request.method == "POST" else AppointmentSerializer

    @extend_schema(parameters=[AppointmentQuerySerializer], summary="Appointments")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AppointmentBookSerializer, responses={201: AppointmentSerializer},
                   summary="Book an appointment",
                   description="409 when the slot is full or the person already has an appointment that day; "
                               "400 for a slot that has started.")
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(AppointmentBookSerializer, request.data)
        appointment = appointment_book(actor=request.user, slot=data["slot"], phone=data["phone"],
                                       item=data.get("item"))
        return Response(AppointmentSerializer(appointments_visible_to(request.user).get(pk=appointment.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(post=extend_schema(parameters=[ID_PARAMETER], request=None, responses=AppointmentSerializer,
                                       summary="Cancel one's own appointment before it starts"))
class AppointmentCancelView(APIView):
    permission_classes = [ApplicantRole]

    def post(self, request: Request, pk: int) -> Response:
        appointment = appointments_visible_to(request.user).filter(pk=pk, user=request.user.pk).first()
        if appointment is None:
            raise Http404
        appointment_cancel(actor=request.user, appointment=appointment)
        return Response(AppointmentSerializer(appointments_visible_to(request.user).get(pk=pk)).data)


@extend_schema_view(post=extend_schema(request=CheckInSerializer, responses=AppointmentSerializer,
                                       summary="Check in an appointment (clerks): a priority ticket"))
class AppointmentCheckInView(APIView):
    permission_classes = [Clerk]

    def post(self, request: Request) -> Response:
        data = _valid(CheckInSerializer, request.data)
        appointment = appointment_check_in(actor=request.user, code=data["code"])
        return Response(AppointmentSerializer(appointments_visible_to(request.user).get(pk=appointment.pk)).data)


# --- routes (included under /api/v1/) ------------------------------------------------------------------
urlpatterns = [
    path("windows/", WindowListView.as_view(), name="api-windows"),
    path("windows/<int:pk>/open/", WindowOpenView.as_view(), name="api-window-open"),
    path("windows/<int:pk>/close/", WindowCloseView.as_view(), name="api-window-close"),
    path("windows/<int:pk>/call-next/", WindowCallNextView.as_view(), name="api-window-call-next"),
    path("tickets/", TicketListView.as_view(), name="api-tickets"),
    path("tickets/<int:pk>/", TicketDetailView.as_view(), name="api-ticket"),
    path("tickets/<int:pk>/recall/", TicketRecallView.as_view(), name="api-ticket-recall"),
    path("tickets/<int:pk>/skip/", TicketSkipView.as_view(), name="api-ticket-skip"),
    path("tickets/<int:pk>/serve/", TicketServeView.as_view(), name="api-ticket-serve"),
    path("tickets/<int:pk>/cancel/", TicketCancelView.as_view(), name="api-ticket-cancel"),
    path("appointment-slots/", SlotListView.as_view(), name="api-appointment-slots"),
    path("appointments/", AppointmentListView.as_view(), name="api-appointments"),
    path("appointments/check-in/", AppointmentCheckInView.as_view(), name="api-appointment-check-in"),
    path("appointments/<int:pk>/cancel/", AppointmentCancelView.as_view(), name="api-appointment-cancel"),
]
