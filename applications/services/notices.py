"""The PDF of a notice (受理通知书, 一次性告知, 不予受理 …, and review's 审查补正, 特别程序告知, 延期告知 and the
决定书): rendered once, stored, fingerprinted.

Article 32 of the Administrative Licensing Law requires a written notice "with the authority's seal and the
date": the PDF carries the issuing department's seal over its name and date, and a QR code to the public
tracking page of the application.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from applications.models import Application, Notice
from items.models import ItemVersion
from portal.pdf import public_url, qr_data_uri, render_pdf
from portal.seal import seal_data_uri

NOTICE_TEMPLATES = {kind: f"applications/notices/{kind}.html" for kind in Notice.Kind.values}
_DATE_KEYS = ("received_on", "accepted_on", "promised_due", "statutory_due", "deadline")
# Notices that decide (决定书) close with "特此决定" rather than "特此通知".
_DECISIONS = (Notice.Kind.APPROVAL, Notice.Kind.DENIAL)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _problems(content: dict[str, Any]) -> list[dict[str, str]]:
    rows = content.get("problems") or []
    return [
        {key: str(row.get(key) or "") for key in ("subject", "problem", "how")}
        for row in rows if isinstance(row, dict)
    ]


def _whole_number(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _versions(application: Application) -> list[ItemVersion]:
    if application.version is not None:
        return [application.version]
    return list(application.bundle_versions.order_by("pk"))


def _decision_facts(application: Application, content: dict[str, Any]) -> dict[str, Any]:
    """What a decision states beside its reasons: the items decided, their legal basis (设定依据; the
    content's own basis first), the licences to be issued and the issue period (Art. 44)."""
    versions = _versions(application)
    bases = list(dict.fromkeys(v.legal_basis.strip() for v in versions if v.legal_basis.strip()))
    return {
        "basis": str(content.get("basis") or "").strip() or "；".join(bases),
        "decided_items": [v.name for v in versions] if application.bundle_id else [],
        "results": list(dict.fromkeys(v.result_name.strip() for v in versions if v.result_name.strip())),
        "issue_limit": max((v.issue_limit for v in versions), default=10),
    }


def notice_context(notice: Notice) -> dict[str, Any]:
    """What the notice templates show: the notice's own content first, the application's columns after."""
    application = notice.application
    content = notice.content if isinstance(notice.content, dict) else {}
    # The application's columns fill what the notice's content leaves out (e.g. a termination's deadline).
    fallbacks = {
        "received_on": application.received_on,
        "accepted_on": application.accepted_on,
        "promised_due": application.promised_due,
        "statutory_due": application.statutory_due,
        "deadline": application.rongque_due if notice.kind in (Notice.Kind.RONGQUE, Notice.Kind.TERMINATION)
        else application.supplement_due,
    }
    dates = {key: _as_date(content.get(key)) or fallbacks[key] for key in _DATE_KEYS}
    decision = _decision_facts(application, content) if notice.kind in _DECISIONS else {}
    return {
        "notice": notice,
        "title": notice.get_kind_display(),
        "document_number": notice.number,
        "issuer": notice.department.name,
        "department_name": notice.department.name,
        "applicant_name": application.applicant.name,
        # How the notice addresses the applicant: 你 (a person) or 你单位 (an enterprise).
        "you": "你单位" if application.applicant.is_enterprise else "你",
        "application_number": application.number,
        "item_name": application.title,
        "issued_at": notice.issued_at,
        **dates,
        "problems": _problems(content),
        "reasons": str(content.get("reasons") or ""),
        "competent_authority": str(content.get("competent_authority") or ""),
        "remedies": str(content.get("remedies") or ""),
        "how_to_succeed": str(content.get("how_to_succeed") or ""),
        "commitment": str(content.get("commitment") or ""),
        # Review: an Art. 45 procedure (特别程序), an Art. 42 extension, a decision.
        "procedure": str(content.get("procedure") or ""),
        "expected_days": _whole_number(content.get("expected_days")),
        "started_on": _as_date(content.get("started_on")),
        "days": _whole_number(content.get("days")),
        "basis": "",
        "decided_items": [],
        "results": [],
        **decision,
        "closing": "特此决定。" if notice.kind in _DECISIONS else "特此通知。",
        "seal": seal_data_uri(notice.department),
        "qr": qr_data_uri(public_url(notice.tracking_url())),
    }


def notice_render_pdf(notice: Notice) -> bytes:
    """The PDF of a notice. Pure: reads the notice, writes nothing."""
    return render_pdf(NOTICE_TEMPLATES[notice.kind], notice_context(notice))


def notice_render(*, notice_id: int) -> None:
    """Render and store the PDF of a notice, once: a notice that has its PDF is left alone.

    Rendering takes a second, so it happens outside the transaction; the row is then locked and checked
    again, and a task delivered twice at the same moment stores one file.
    """
    notice = Notice.objects.select_related("application__applicant", "department").get(pk=notice_id)
    if notice.pdf:
        return
    pdf = notice_render_pdf(notice)
    name = ""
    try:
        with transaction.atomic():
            # The notice row alone: joined rows (the application) are locked by the intake services.
            locked = Notice.objects.select_for_update().get(pk=notice_id)
            if locked.pdf:
                return
            storage = locked.pdf.storage
            # A generated name: nothing the applicant typed reaches the file system.
            year = timezone.localtime(locked.issued_at).year
            name = storage.save(f"notices/{year}/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
            locked.pdf.name = name
            locked.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            locked.save(update_fields=["pdf", "pdf_sha256"])
    except BaseException:
        if name:  # the row does not point at it: no orphan file left behind
            notice.pdf.storage.delete(name)
        raise
