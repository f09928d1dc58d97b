"""Intake: applicants, applications with their materials, notices and timeline; the hall queue."""

from applications.models.applicants import Applicant, ApplicantKind, ApplicantMember, CreditGrade
from applications.models.applications import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationMaterial,
    Channel,
    Commitment,
    Document,
    MaterialStatus,
    Notice,
    Status,
)

__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "Applicant",
    "ApplicantKind",
    "ApplicantMember",
    "Application",
    "ApplicationEvent",
    "ApplicationMaterial",
    "Channel",
    "Commitment",
    "CreditGrade",
    "Document",
    "MaterialStatus",
    "Notice",
    "Status",
]
from applications.models.queue import Appointment, AppointmentSlot, Ticket, Window  # noqa: F401
