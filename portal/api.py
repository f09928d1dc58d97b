"""The core API: who am I, the work calendar, and API tokens."""

from datetime import date, timedelta

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from portal import clock
from portal.models import CalendarDay, DayKind
from portal.selectors import unread_count
from portal.services.accounts import token_for

MAX_CALENDAR_SPAN_DAYS = 366
MAX_PERIOD_WORKING_DAYS = 1000


class DepartmentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    department = DepartmentBriefSerializer(allow_null=True)
    id_number = serializers.CharField(source="masked_id_number", help_text="Masked (PIPL Art. 28).")
    email = serializers.EmailField()
    unread_notifications = serializers.SerializerMethodField()

    def get_unread_notifications(self, user) -> int:  # type: ignore[no-untyped-def]
        return unread_count(user=user)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, summary="The signed-in user")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenView(APIView):
    """Exchange a username and password for an API token. Failures count towards the lockout (django-axes)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=TokenRequestSerializer,
                   responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
                   summary="Obtain an API token")
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # The plain HttpRequest: django-axes flags it, and its middleware answers a lockout with 429.
        user = authenticate(request._request, username=form.validated_data["username"],
                            password=form.validated_data["password"])
        if user is None:
            return Response({"detail": "用户名或密码错误。 Wrong username or password."},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({"token": token_for(user=user).key})


# --- the work calendar (public) -----------------------------------------------------------------------
class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=DayKind.choices)
    name = serializers.CharField()
    working = serializers.BooleanField()


class CalendarRangeQuery(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day (default: the 1st of this month).")
    end = serializers.DateField(required=False, help_text="Last day (default: the end of start's month).")

    def validate(self, attrs: dict) -> dict:
        start = attrs.get("start") or date.today().replace(day=1)
        end = attrs.get("end") or (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if end < start:
            raise serializers.ValidationError({"end": "结束日期不能早于开始日期。 end must not be before start."})
        if (end - start).days >= MAX_CALENDAR_SPAN_DAYS:
            raise serializers.ValidationError({"end": f"最多查询 {MAX_CALENDAR_SPAN_DAYS} 天。"})
        return {"start": start, "end": end}


class CalendarDueQuery(serializers.Serializer):
    start = serializers.DateField(help_text="The day the period starts (not counted), e.g. the day of acceptance.")
    days = serializers.IntegerField(min_value=0, max_value=MAX_PERIOD_WORKING_DAYS,
                                    help_text="Length of the period in working days.")


def _day(cal: clock.WorkCalendar, d: date, names: dict[date, tuple[str, str]]) -> dict:
    kind, name = names.get(d, (DayKind.WEEKEND if d.weekday() >= 5 else DayKind.WORKDAY, ""))
    return {"date": d, "kind": kind, "name": name, "working": cal.is_working_day(d)}


def _days(cal: clock.WorkCalendar, start: date, end: date) -> list[dict]:
    names = {d: (k, n) for d, k, n in CalendarDay.objects.filter(date__range=(start, end))
             .values_list("date", "kind", "name")}
    return [_day(cal, start + timedelta(days=i), names) for i in range((end - start).days + 1)]


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


class CalendarView(APIView):
    """Look up the work calendar: which days are working days, holidays or make-up working days."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CalendarRangeQuery],
        responses=inline_serializer("CalendarRange", {
            "start": serializers.DateField(), "end": serializers.DateField(),
            "working_days": serializers.IntegerField(help_text="Working days in (start, end]."),
            "provisional": serializers.BooleanField(help_text="A year in the range has no official notice."),
            "days": CalendarDaySerializer(many=True),
        }),
        summary="Working days between two dates",
    )
    def get(self, request: Request) -> Response:
        q = _query(CalendarRangeQuery, request)
        cal = clock.get_calendar()
        try:
            body = {
                "start": q["start"], "end": q["end"],
                "working_days": cal.working_days_between(q["start"], q["end"]),
                "provisional": cal.is_provisional(q["start"], q["end"]),
                "days": _days(cal, q["start"], q["end"]),
            }
        except clock.CalendarRangeError as exc:
            raise serializers.ValidationError({"start": str(exc)}) from exc
        return Response(body)


class CalendarDueView(APIView):
    """When is a result due? Adds a number of working days to a start date (the start day is not counted)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CalendarDueQuery],
        responses=inline_serializer("CalendarDue", {
            "start": serializers.DateField(), "days": serializers.IntegerField(),
            "due": serializers.DateField(),
            "provisional": serializers.BooleanField(),
            "skipped": CalendarDaySerializer(many=True, help_text="Non-working days passed over."),
        }),
        summary="Due date after N working days",
    )
    def get(self, request: Request) -> Response:
        q = _query(CalendarDueQuery, request)
        cal = clock.get_calendar()
        try:
            due = cal.due_date(q["start"], q["days"])
            assert due.date is not None  # no pauses given
            skipped = [d for d in _days(cal, q["start"], due.date) if not d["working"]]
        except clock.CalendarRangeError as exc:
            raise serializers.ValidationError({"start": str(exc)}) from exc
        return Response({"start": q["start"], "days": q["days"], "due": due.date,
                         "provisional": due.provisional, "skipped": skipped})

