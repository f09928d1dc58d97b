"""Connections to intake's domain signals (DESIGN.md: a lower app tells, a higher app listens)."""

from typing import Any

from applications.signals import application_accepted, application_closed, application_supplied
from approvals.signals import case_approved


def open_case(sender: Any, application: Any, **kwargs: Any) -> None:
    from approvals.services.cases import case_open

    case_open(application_id=application.pk)


def close_case(sender: Any, application: Any, **kwargs: Any) -> None:
    from approvals.services.cases import case_close

    case_close(application=application)


def resume_case(sender: Any, application: Any, actor: Any = None, **kwargs: Any) -> None:
    from approvals.services.tasks import case_resume_after_supplement

    case_resume_after_supplement(application=application, actor=actor)


def issue_licences(sender: Any, case: Any, **kwargs: Any) -> None:
    from approvals.licensing import issue_licences as issue

    issue(case)


def connect() -> None:
    case_approved.connect(issue_licences, dispatch_uid="approvals.issue_licences")
    application_accepted.connect(open_case, dispatch_uid="approvals.open_case")
    application_closed.connect(close_case, dispatch_uid="approvals.close_case")
    application_supplied.connect(resume_case, dispatch_uid="approvals.resume_case")
