"""Reads of intake that pages, the API and tasks share; access-checked fetchers first."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from applications.models import Applicant, ApplicantMember, Application, Document, MaterialStatus, Status
from applications.models.applications import TRACKING_SALT
from portal.models import Role


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """Clerks see every application (无差别受理); an applicant account sees its applicants' and the ones it
    filed as an agent; nobody else sees any here (reviewers will see theirs through their tasks)."""
    qs = Application.objects.select_related("applicant", "department")
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user.role == Role.CLERK:
        return qs
    if user.is_applicant:
        member = ApplicantMember.objects.filter(applicant=OuterRef("applicant_id"), user=user)
        return qs.filter(Q(Exists(member)) | Q(agent=user))
    return qs.none()


def application_get_for_user(*, user: Any, pk: Any) -> Application:
    """The application if this user may see it, else 404 (they need not know it exists)."""
    try:
        return applications_visible_to(user).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def document_get_for_user(*, user: Any, pk: Any) -> Document:
    """A stored material file, to its applicant's accounts, its uploader and clerks; else 404."""
    documents = Document.objects.select_related("applicant")
    if not (user and user.is_authenticated and user.is_active):
        raise Http404
    if user.role != Role.CLERK:
        member = ApplicantMember.objects.filter(applicant=OuterRef("applicant_id"), user=user)
        documents = documents.filter(Q(Exists(member)) | Q(uploaded_by=user))
    try:
        return documents.get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def prereview_queue() -> QuerySet[Application]:
    """Submissions awaiting a clerk's outcome, shared by every clerk: green channel first, then oldest."""
    green = Applicant.green_channel_q(prefix="applicant__")
    return (Application.objects.filter(status=Status.SUBMITTED)
            .select_related("applicant", "department", "responsible_clerk")
            .annotate(green=Case(When(green, then=Value(1)), default=Value(0), output_field=IntegerField()))
            .order_by("-green", "submitted_at", "pk"))


def applicants_search(*, query: str, limit: int = 20) -> QuerySet[Applicant]:
    """Find an applicant at the window by full ID number / USCC, or by name."""
    query = query.strip()
    if not query:
        return Applicant.objects.none()
    exact = query.upper()
    by_name = Q(name__icontains=query)
    if len(exact) == 18:  # an ID number or a USCC — or an 18-character name
        return Applicant.objects.filter(Q(id_number=exact) | Q(uscc=exact) | by_name).order_by("name")[:limit]
    return Applicant.objects.filter(by_name).order_by("name")[:limit]


def reusable_documents(*, application: Application) -> dict[str, list[Document]]:
    """Files the applicant gave in earlier applications, by material name (免提交)."""
    names = [m.name for m in application.materials.all()]
    rows: dict[str, list[Document]] = {}
    docs = (Document.objects.filter(applicant=application.applicant_id, material_name__in=names)
            .exclude(uses__application=application).order_by("-uploaded_at"))
    for doc in docs[:200]:
        rows.setdefault(doc.material_name, []).append(doc)
    return rows


def application_by_tracking(*, number: str, query_code: str) -> Application | None:
    """Public tracking: the application number and its query code, compared in constant time."""
    application = Application.objects.filter(number=number.strip()).first()
    given = query_code.strip().upper().encode()
    if application is None or not hmac.compare_digest(application.query_code.encode(), given):
        return None
    return application


def application_by_token(token: str) -> Application | None:
    try:
        number = signing.loads(token, salt=TRACKING_SALT)
    except signing.BadSignature:
        return None
    return Application.objects.filter(number=number).first()


@dataclass(frozen=True)
class Awaiting:
    """What the application waits for, from whom, and by when."""

    who: str | Promise
    what: str | Promise
    due: date | None


def awaiting(application: Application) -> Awaiting | None:
    status = application.status
    if status == Status.DRAFT:
        return Awaiting(_("申请人"), _("填写申请表、上传材料并提交"), None)
    if status == Status.SUBMITTED:
        return Awaiting(_("综合受理窗口"), _("预审：受理、一次性告知补正或不予受理"), application.acceptance_due)
    if status == Status.SUPPLEMENT_REQUESTED:
        return Awaiting(_("申请人"), _("按补正通知书补正材料后重新提交"), application.supplement_due)
    if status == Status.ACCEPTED and application.rongque_pending:
        return Awaiting(_("申请人"), _("补齐容缺材料"), application.rongque_due)
    if status == Status.ACCEPTED:
        return Awaiting(application.department.name, _("审查并作出决定"), application.promised_due)
    if status == Status.IN_REVIEW and application.review_supplement:
        return Awaiting(_("申请人"), _("按审查补正通知书补正所列材料"), None)
    if status == Status.IN_REVIEW:
        return Awaiting(_("各审批部门"), _("并联审查并作出决定"), application.promised_due)
    return None


def deferred_materials(application: Application) -> QuerySet[Any]:
    return application.materials.filter(status=MaterialStatus.DEFERRED)
