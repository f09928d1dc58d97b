"""What review does to an application: the services the approvals app calls (it may not write here itself).

The application's side of review: it enters review, a department asks for supplements (审查补正) and the
applicant supplies exactly what was listed, the applicant is told of pauses and extensions in writing, and
the decision closes it with its notice (准予 / 不予行政许可决定书).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationMaterial, Notice, Status
from applications.services.filing import may_act_on
from applications.services.intake import _problem_rows, notice_issue, remedies_text
from applications.services.licences import renewal_closed
from applications.services.timeline import applicant_tell, event_record
from applications.signals import application_supplied
from portal.errors import Conflict, DomainError
from portal.fsm import transition
from portal.models import Department
from portal.services.audit import audit_record


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=application.pk)


@transaction.atomic
def application_start_review(*, application: Application, departments: list[str]) -> Application:
    """受理后分送: the application is with the reviewing departments."""
    updated = transition(application, "start_review", actor=None, action="application.start_review",
                         audit_after={"departments": departments})
    event_record(application=updated, kind="in_review", actor_label=_("系统"),
                 summary=_("已分送%(departments)s并联审查") % {"departments": "、".join(departments)[:150]},
                 due=updated.promised_due)
    return updated


@transaction.atomic
def application_request_review_supplement(
    *, actor: Any, application: Application, department: Department, problems: list[dict[str, Any]],
) -> Notice:
    """审查补正: a reviewing department lists exactly what it needs; the applicant may replace those materials
    only, and the review clock waits (the caller records the pause)."""
    locked = _locked(application)
    if locked.status != Status.IN_REVIEW:
        raise DomainError(_("办件不在审查中，不能要求补正。"))
    rows = _problem_rows(locked, problems)
    flagged = {row["material"]: row["problem"] for row in rows if "material" in row}
    materials = list(ApplicationMaterial.objects.filter(pk__in=flagged))
    for material in materials:
        material.problem = flagged[material.pk]
    ApplicationMaterial.objects.bulk_update(materials, ["problem"])
    if not locked.review_supplement:
        # From the first request on: what the applicant replaced since counts for every department that asks.
        locked.review_supplement_at = timezone.now()
    locked.review_supplement = True
    locked.save(update_fields=["review_supplement", "review_supplement_at", "updated_at"])
    notice = notice_issue(application=locked, kind=Notice.Kind.REVIEW_SUPPLEMENT, actor=actor, department=department,
                          content={"problems": [{"subject": r["subject"], "problem": r["problem"]} for r in rows]})
    event_record(application=locked, kind="review_supplement", actor=actor, actor_label=department.name,
                 summary=_("审查中要求补正（%(n)s 项，%(notice)s），审查期限暂停计算") % {
                     "n": len(rows), "notice": notice.number})
    applicant_tell(application=locked, subject=_("审查部门要求补正：%(title)s") % {"title": locked.title},
                   body=_("%(department)s 要求补正 %(n)s 项，请在办件详情页补正后提交。") % {
                       "department": department.name, "n": len(rows)})
    return notice


@transaction.atomic
def application_supply(*, actor: Any, application: Application, note: str = "") -> Application:
    """The applicant answers a review supplement: every listed material has a new file (or the note answers
    what was not a material). The departments that asked resume (application_supplied)."""
    if not may_act_on(actor, application):
        raise PermissionDenied
    locked = _locked(application)
    if locked.status != Status.IN_REVIEW or not locked.review_supplement:
        raise Conflict(_("当前没有需要补正的内容。"))
    flagged = list(locked.materials.exclude(problem=""))
    since = locked.review_supplement_at
    stale = [m.name for m in flagged
             if not m.documents.filter(uploaded_at__gte=since).exists()] if since else []
    if stale:
        raise ValidationError({"materials": [_("请重新上传：%(name)s") % {"name": name} for name in stale]})
    if not flagged and not note.strip():
        raise ValidationError({"note": _("请说明补正情况。")})
    locked.materials.exclude(problem="").update(problem="")
    locked.review_supplement = False
    locked.review_supplement_at = None
    locked.save(update_fields=["review_supplement", "review_supplement_at", "updated_at"])
    audit_record(actor=actor, action="application.supply", obj=locked,
                 after={"materials": [m.name for m in flagged]})
    event_record(application=locked, kind="supplied", actor=actor, actor_label=_("申请人"),
                 summary=_("已按审查补正通知补正，审查继续"), detail=note[:2000])
    application_supplied.send(sender=Application, application=locked, actor=actor)
    return locked


@transaction.atomic
def application_end_review_supplement(*, application: Application, summary: str) -> Application:
    """The departments that asked for a supplement no longer need it (their review ended without it, e.g.
    another department's approval decided the stage): the applicant is told, and the listed materials close."""
    locked = _locked(application)
    if not locked.review_supplement:
        return locked
    locked.materials.exclude(problem="").update(problem="")
    locked.review_supplement = False
    locked.review_supplement_at = None
    locked.save(update_fields=["review_supplement", "review_supplement_at", "updated_at"])
    event_record(application=locked, kind="review_supplement_ended", actor_label=_("系统"), summary=summary)
    applicant_tell(application=locked, subject=_("无需再补正：%(title)s") % {"title": locked.title}, body=summary)
    return locked


@transaction.atomic
def application_reschedule(*, application: Application, promised_due: date | None, statutory_due: date | None,
                           summary: str = "", actor: Any = None, actor_label: str = "") -> Application:
    """The decision dates moved (a pause began or ended, an extension was granted): the applicant sees the
    new ones (none while the clock is paused). With a summary, the timeline says why."""
    locked = _locked(application)
    locked.promised_due, locked.statutory_due = promised_due, statutory_due
    locked.save(update_fields=["promised_due", "statutory_due", "updated_at"])
    if summary:
        event_record(application=locked, kind="rescheduled", actor=actor, actor_label=actor_label or _("系统"),
                     summary=summary, due=promised_due)
    return locked


@transaction.atomic
def application_review_notice(
    *, actor: Any, application: Application, department: Department, kind: str, content: dict[str, Any],
    summary: str, detail: str = "", due: date | None = None,
) -> Notice:
    """A written notice during review (Art. 45 procedures, extensions), recorded and told to the applicant."""
    locked = _locked(application)
    notice = notice_issue(application=locked, kind=kind, actor=actor, department=department, content=content)
    event_record(application=locked, kind=kind, actor=actor, actor_label=department.name,
                 summary=f"{summary}（{notice.number}）", detail=detail, due=due)
    applicant_tell(application=locked, subject=f"{summary}：{locked.title}", body=detail[:500])
    return notice


@transaction.atomic
def application_decide(
    *, application: Application, approve: bool, department: Department, actor: Any = None,
    reasons: str = "", how_to_succeed: str = "", basis: str = "",
) -> Application:
    """The decision (准予 / 不予行政许可). A denial states the reasons, the remedies (Art. 38) and how the
    applicant could succeed (否决事项双告知)."""
    if not approve:
        errors = {}
        if not reasons.strip():
            errors["reasons"] = _("请写明不予许可的理由。")
        if not how_to_succeed.strip():
            errors["how_to_succeed"] = _("请告知申请人如何才能符合条件（双告知）。")
        if errors:
            raise ValidationError(errors)
    updated = transition(_locked(application), "approve" if approve else "deny", actor=None,
                         action="application.approve" if approve else "application.deny",
                         audit_after={"by": getattr(actor, "pk", None) or "system"})
    if not approve:
        updated.closing_note = reasons.strip()[:1000]
        updated.save(update_fields=["closing_note"])
        renewal_closed(updated)
    content: dict[str, Any] = {"basis": basis.strip()}
    if not approve:
        content.update(reasons=reasons.strip(), how_to_succeed=how_to_succeed.strip(),
                       remedies=remedies_text(updated))
    notice = notice_issue(application=updated, kind=Notice.Kind.APPROVAL if approve else Notice.Kind.DENIAL,
                          actor=actor, department=department, content=content)
    label = department.name if getattr(actor, "pk", None) else _("系统")
    event_record(application=updated, kind="approved" if approve else "denied", actor=actor, actor_label=label,
                 summary=(_("准予许可（%(notice)s）") if approve else _("不予许可（%(notice)s）")) % {
                     "notice": notice.number}, detail=reasons)
    subject = _("准予许可：%(title)s") if approve else _("不予许可：%(title)s")
    body = _("决定书可在办件详情中下载。") if approve else _("理由、救济途径和如何符合条件见不予许可决定书。")
    applicant_tell(application=updated, subject=subject % {"title": updated.title}, body=body)
    return updated
