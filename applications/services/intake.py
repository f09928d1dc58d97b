"""One-window intake (一窗受理): the clerk's four outcomes for a submitted application, and its notices.

Any clerk may take in any item (无差别受理); the first clerk who acts stays responsible (首问负责). Two clerks
acting on one submission at once: the row lock lets one through and the other gets a conflict (409).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import (
    Applicant,
    Application,
    ApplicationMaterial,
    Commitment,
    MaterialStatus,
    Notice,
    Status,
)
from applications.services.licences import renewal_closed
from applications.services.timeline import applicant_tell, event_record
from applications.signals import application_closed
from portal import outbox
from portal.clock import get_calendar
from portal.errors import Conflict, DomainError
from portal.fsm import transition
from portal.models import Department, Role
from portal.services.audit import audit_record


def remedies_text(application: Application) -> str:
    """行政复议 and 行政诉讼: where, and within how long (the item's own text when it has one)."""
    version = application.version
    parts = [p for p in ((version.reconsideration, version.litigation) if version is not None else ()) if p.strip()]
    if parts:
        return "\n".join(parts)
    return _(
        "如对本决定不服，可以自收到本文书之日起六十日内依法申请行政复议，或者自收到本文书之日起六个月内"
        "依法向人民法院提起行政诉讼。"
    )


def _require_clerk(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.CLERK:
        raise PermissionDenied


def _take_responsibility(application: Application, actor: Any) -> None:
    if application.responsible_clerk_id is None:
        application.responsible_clerk = actor
        application.save(update_fields=["responsible_clerk"])


def decision_limits(application: Application) -> tuple[int, int]:
    """The promised and statutory limits of the decision, in working days from acceptance."""
    version = application.version
    if version is not None:
        return version.promised_limit, version.statutory_limit
    bundle = application.bundle
    versions = {v.item_id: v for v in application.bundle_versions.all()}
    # Stages run one after another, so their statutory limits add up; within a stage the longest one counts.
    stages = [[versions[e.item_id] for e in stage.entries.all() if e.item_id in versions]
              for stage in bundle.stages.prefetch_related("entries")] if bundle is not None else []
    stages = [stage for stage in stages if stage] or [list(versions.values())]
    statutory = sum(max((v.statutory_limit for v in stage), default=20) for stage in stages)
    promised = bundle.promised_limit if bundle is not None and bundle.promised_limit else max(
        (v.promised_limit for v in versions.values()), default=statutory)
    return min(promised, statutory), statutory  # a promise is never later than the law


def notice_issue(*, application: Application, kind: str, actor: Any, content: dict[str, Any],
                 department: Department | None = None) -> Notice:
    """A notice with the seal of `department` (the accepting one by default); its PDF is rendered in the
    background. The caller holds the application's row lock (the notice number counts its notices)."""
    count = application.notices.count() + 1
    notice = Notice.objects.create(
        application=application, kind=kind, number=f"{application.number}-{count:02d}",
        department=department or application.department, revision=application.revision,
        issued_by=actor if getattr(actor, "pk", None) else None, content=content,
    )
    outbox.enqueue("applications.render_notice", notice_id=notice.pk)
    return notice


def _past_acceptance_period(application: Application, today: date) -> bool:
    return application.acceptance_due is not None and today > application.acceptance_due


def _refuse_if_deemed(application: Application) -> None:
    """After the acceptance period the law has accepted the application already (Art. 32(4)): no notice to
    supplement or of non-acceptance may be given any more."""
    if _past_acceptance_period(application, timezone.localdate()):
        raise DomainError(_("受理期限（%(due)s）已过，依法自收到材料之日起视为受理，只能受理。") % {
            "due": application.acceptance_due})


def _record_acceptance(application: Application, *, accepted_on: date, actor: Any) -> None:
    promised, statutory = decision_limits(application)
    calendar = get_calendar()
    application.accepted_at = timezone.now()
    application.accepted_on = accepted_on
    application.accepted_by = actor if getattr(actor, "pk", None) else None
    application.promised_due = calendar.add_working_days(accepted_on, promised)
    application.statutory_due = calendar.add_working_days(accepted_on, statutory)
    application.save(update_fields=["accepted_at", "accepted_on", "accepted_by", "promised_due", "statutory_due",
                                    "updated_at"])
    outbox.enqueue("applications.accepted", application_id=application.pk)


def _accept_content(application: Application) -> dict[str, Any]:
    commitments = [c.text for c in application.commitments.filter(kind=Commitment.Kind.NOTIFY_COMMIT)]
    return {"received_on": application.received_on.isoformat() if application.received_on else None,
            "accepted_on": application.accepted_on.isoformat() if application.accepted_on else None,
            "promised_due": application.promised_due.isoformat() if application.promised_due else None,
            "statutory_due": application.statutory_due.isoformat() if application.statutory_due else None,
            **({"commitment": "\n".join(commitments)} if commitments else {})}


def _accepted_on(application: Application) -> date:
    """Today; or, when the clerk is late, the arrival day the law already counts from (Art. 32(4))."""
    today = timezone.localdate()
    if _past_acceptance_period(application, today) and application.received_on is not None:
        return application.received_on
    return today


def _check_leniency(application: Application) -> None:
    """告知承诺 and 容缺 rest on the applicant's credit at the moment of acceptance, not only at signing."""
    committed = application.materials.filter(status=MaterialStatus.COMMITMENT).exists()
    if committed and not application.applicant.may_use_leniency:
        raise DomainError(_("申请人现有失信记录或信用等级不符，不能以告知承诺代替材料，请一次性告知补正。"))


@transaction.atomic
def application_accept(*, actor: Any, application: Application) -> Application:
    """受理: every required material is there (or replaced by a commitment); the acceptance notice follows."""
    _require_clerk(actor)
    locked = Application.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=application.pk)
    if locked.status == Status.SUBMITTED:
        missing = [m.name for m in locked.materials.all() if m.required and not m.is_satisfied]
        if missing:
            raise DomainError(_("以下材料尚未提交，请一次性告知补正或容缺受理：%(names)s") % {
                "names": "、".join(missing)})
        _check_leniency(locked)
    accepted_on = _accepted_on(locked)
    updated = transition(locked, "accept", actor=actor, action="application.accept")
    _take_responsibility(updated, actor)
    _record_acceptance(updated, accepted_on=accepted_on, actor=actor)
    notice = notice_issue(application=updated, kind=Notice.Kind.ACCEPTANCE, actor=actor,
                          content=_accept_content(updated))
    event_record(application=updated, kind="accepted", actor=actor, actor_label=_("综合受理窗口"),
                 summary=_("已受理（%(notice)s）") % {"notice": notice.number}, due=updated.promised_due)
    applicant_tell(application=updated, subject=_("申请已受理：%(title)s") % {"title": updated.title},
                   body=_("承诺办结日期 %(due)s。受理通知书可在办件详情中下载。") % {"due": updated.promised_due})
    return updated


def _problem_rows(application: Application, problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each problem names a material (by id) or a form field (by key) or is general, with what to fix."""
    materials = {m.pk: m for m in application.materials.all()}
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    for i, problem in enumerate(problems):
        text = str(problem.get("problem") or "").strip()
        if not text:
            errors.append(_("第 %(n)s 项：请写明需要补正的内容。") % {"n": i + 1})
            continue
        material_id = problem.get("material")
        subject = str(problem.get("subject") or "").strip()
        if material_id not in (None, ""):
            try:
                material = materials[int(material_id)]  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError):
                errors.append(_("第 %(n)s 项：材料不属于本申请。") % {"n": i + 1})
                continue
            rows.append({"material": material.pk, "subject": material.name, "problem": text[:1000]})
        else:
            rows.append({"subject": (subject or _("其他"))[:200], "problem": text[:1000]})
    if errors:
        raise ValidationError({"problems": errors})
    if not rows:
        raise ValidationError({"problems": _("一次性告知须列出全部需要补正的材料或内容。")})
    return rows


@transaction.atomic
def application_request_supplement(*, actor: Any, application: Application,
                                   problems: list[dict[str, Any]]) -> Application:
    """一次性告知: ONE notice listing every problem of this submission. A second notice for the same
    submission is refused: the applicant must first change something and resubmit."""
    _require_clerk(actor)
    locked = Application.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=application.pk)
    if locked.status == Status.SUBMITTED and locked.notices.filter(kind=Notice.Kind.SUPPLEMENT,
                                                                  revision=locked.revision).exists():
        raise DomainError(_("本次提交已出具过一次性告知，不能再次要求补正。"))
    if locked.status == Status.SUBMITTED:
        _refuse_if_deemed(locked)
    rows = _problem_rows(locked, problems)
    updated = transition(locked, "request_supplement", actor=actor, action="application.request_supplement",
                         audit_after={"problems": len(rows)})
    _take_responsibility(updated, actor)
    flagged = {row["material"]: row["problem"] for row in rows if "material" in row}
    materials = list(ApplicationMaterial.objects.filter(pk__in=flagged))
    for material in materials:
        material.problem = flagged[material.pk]
    ApplicationMaterial.objects.bulk_update(materials, ["problem"])
    updated.supplement_due = get_calendar().add_working_days(timezone.localdate(),
                                                             settings.INTAKE_SUPPLEMENT_RESPONSE_DAYS)
    updated.save(update_fields=["supplement_due", "updated_at"])
    notice = notice_issue(application=updated, kind=Notice.Kind.SUPPLEMENT, actor=actor,
                    content={"problems": [{"subject": r["subject"], "problem": r["problem"]} for r in rows],
                             "deadline": updated.supplement_due.isoformat()})
    event_record(application=updated, kind="supplement_requested", actor=actor, actor_label=_("综合受理窗口"),
                 summary=_("一次性告知补正（%(n)s 项，%(notice)s）") % {"n": len(rows), "notice": notice.number},
                 due=updated.supplement_due)
    _flag_interview(updated, actor)
    applicant_tell(application=updated, subject=_("请补正材料：%(title)s") % {"title": updated.title},
                   body=_("共 %(n)s 项需要补正，请在 %(due)s 前补正后重新提交。") % {
                       "n": len(rows), "due": updated.supplement_due})
    return updated


def _flag_interview(application: Application, actor: Any) -> None:
    """Sent back more than INTAKE_INTERVIEW_AFTER times → the applicant is flagged for an interview (约谈)."""
    if application.supplement_rounds <= settings.INTAKE_INTERVIEW_AFTER:
        return
    applicant = Applicant.objects.select_for_update().get(pk=application.applicant_id)
    if not applicant.interview_required:
        applicant.interview_required = True
        applicant.save(update_fields=["interview_required"])
        audit_record(actor=actor, action="applicant.interview_flag", obj=applicant,
                     after={"application": application.number, "rounds": application.supplement_rounds})


@transaction.atomic
def application_refuse(
    *, actor: Any, application: Application, reasons: str, competent_authority: str = "", how_to_succeed: str = "",
) -> Application:
    """不予受理: the reasons, the competent authority where it is not this one, the remedies, and how the
    applicant can succeed (否决事项双告知)."""
    _require_clerk(actor)
    errors = {}
    if not reasons.strip():
        errors["reasons"] = _("请写明不予受理的理由。")
    if not how_to_succeed.strip():
        errors["how_to_succeed"] = _("请告知申请人如何才能符合条件（双告知）。")
    if errors:
        raise ValidationError(errors)
    updated = transition(application, "refuse", actor=actor, action="application.refuse", check=_refuse_if_deemed)
    _take_responsibility(updated, actor)
    updated.closing_note = reasons.strip()[:1000]
    updated.save(update_fields=["closing_note"])
    notice = notice_issue(application=updated, kind=Notice.Kind.NOT_ACCEPTED, actor=actor, content={
        "reasons": reasons.strip(), "competent_authority": competent_authority.strip(),
        "how_to_succeed": how_to_succeed.strip(), "remedies": remedies_text(updated)})
    event_record(application=updated, kind="not_accepted", actor=actor, actor_label=_("综合受理窗口"),
                 summary=_("不予受理（%(notice)s）") % {"notice": notice.number}, detail=reasons)
    renewal_closed(updated)
    applicant_tell(application=updated, subject=_("不予受理：%(title)s") % {"title": updated.title},
                   body=_("理由与救济途径见不予受理通知书。"))
    return updated


def rongque_latest_due(application: Application, today: date) -> date:
    promised, _statutory = decision_limits(application)
    return get_calendar().add_working_days(today, promised)


@transaction.atomic
def application_accept_rongque(
    *, actor: Any, application: Application, missing: list[int], due: date, signed_name: str,
) -> Application:
    """容缺受理: accepted while secondary materials are missing, on the applicant's signed commitment to
    supply them by `due` (not later than the item's promised limit). Main materials must be complete;
    applicants with a dishonesty record (or a low grade) are excluded."""
    _require_clerk(actor)
    locked = Application.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=application.pk)
    if locked.status != Status.SUBMITTED:
        raise transition_conflict(locked)
    if not locked.applicant.may_use_leniency:
        raise DomainError(_("申请人有失信记录或信用等级不符，不适用容缺受理。"))
    errors: dict[str, Any] = {}
    materials = {m.pk: m for m in locked.materials.all()}
    chosen = []
    for material_id in missing:
        material = materials.get(int(material_id))
        if material is None:
            errors["missing"] = _("所选材料不属于本申请。")
        elif not material.may_be_missing:
            errors["missing"] = _("“%(name)s”是主要材料，不能容缺。") % {"name": material.name}
        elif material.is_satisfied:
            errors["missing"] = _("“%(name)s”已经提交，无需容缺。") % {"name": material.name}
        else:
            chosen.append(material)
    if not chosen and "missing" not in errors:
        errors["missing"] = _("请选择容缺后补的材料。")
    unmet = [m.name for m in materials.values() if m.required and not m.is_satisfied and m not in chosen]
    if unmet:
        errors["missing"] = _("以下必要材料既未提交也未列入容缺：%(names)s") % {"names": "、".join(unmet)}
    today = timezone.localdate()
    accepted_on = _accepted_on(locked)
    latest = rongque_latest_due(locked, accepted_on)
    if not today < due <= latest:
        errors["due"] = _("补齐期限须晚于今天且不晚于承诺办结期限 %(latest)s。") % {"latest": latest}
    if not signed_name.strip():
        errors["signed_name"] = _("请申请人签署容缺受理承诺书。")
    if errors:
        raise ValidationError(errors)
    names = "、".join(m.name for m in chosen)
    Commitment.objects.create(
        application=locked, kind=Commitment.Kind.RONGQUE, signed_name=signed_name.strip()[:100], signed_by=actor,
        text=_("本人/本单位承诺于 %(due)s 前补齐以下材料：%(names)s。逾期未补齐的，同意终止办理。") % {
            "due": due, "names": names})
    for material in chosen:
        material.status = MaterialStatus.DEFERRED
        material.save(update_fields=["status"])
    locked.rongque_pending, locked.rongque_due = True, due
    locked.save(update_fields=["rongque_pending", "rongque_due", "updated_at"])
    updated = transition(locked, "accept", actor=actor, action="application.accept_rongque",
                         audit_after={"deferred": [m.name for m in chosen], "due": due.isoformat()})
    _take_responsibility(updated, actor)
    _record_acceptance(updated, accepted_on=accepted_on, actor=actor)
    notice = notice_issue(application=updated, kind=Notice.Kind.RONGQUE, actor=actor, content={
        **_accept_content(updated), "deadline": due.isoformat(),
        "problems": [{"subject": m.name, "problem": m.material.standard if m.material else "",
                      "how": _("通过网上办件详情页上传，或送至综合受理窗口")} for m in chosen],
        "commitment": updated.commitments.filter(kind=Commitment.Kind.RONGQUE).last().text})  # type: ignore[union-attr]
    event_record(application=updated, kind="accepted_rongque", actor=actor, actor_label=_("综合受理窗口"),
                 summary=_("容缺受理（%(notice)s），待补材料 %(n)s 项") % {"notice": notice.number, "n": len(chosen)},
                 due=due)
    applicant_tell(application=updated, subject=_("已容缺受理：%(title)s") % {"title": updated.title},
                   body=_("请在 %(due)s 前补齐：%(names)s。逾期未补齐将终止办理。") % {"due": due, "names": names})
    return updated


def transition_conflict(application: Application) -> Exception:
    from django_fsm import TransitionNotAllowed

    return TransitionNotAllowed(_("办件当前状态为“%(status)s”，不能执行此操作。") % {
        "status": application.get_status_display()})


# --- system outcomes (the sweeps call these) --------------------------------------------------------------
# Each re-checks its deadline on the locked row: what changed since the sweep selected it is left alone.
def _due_before(field: str, today: date | None) -> Callable[[Application], None]:
    def check(application: Application) -> None:
        if field == "rongque_due" and not application.rongque_pending:
            raise Conflict(_("容缺材料已补齐。"))
        due = getattr(application, field)
        if due is None or due >= (today or timezone.localdate()):
            raise Conflict(_("期限未到或已变更。"))

    return check
@transaction.atomic
def application_deem_accepted(*, application: Application, today: date | None = None) -> Application:
    """视为受理 (Art. 32(4)): no notice within the acceptance period → accepted as of the arrival day."""
    updated = transition(application, "deem_accept", actor=None, action="application.deem_accepted",
                         check=_due_before("acceptance_due", today))
    received = updated.received_on or timezone.localdate()
    _record_acceptance(updated, accepted_on=received, actor=None)
    notice = notice_issue(application=updated, kind=Notice.Kind.DEEMED_ACCEPTANCE, actor=None,
                    content=_accept_content(updated))
    event_record(application=updated, kind="deemed_accepted", actor_label=_("系统"),
                 summary=_("受理期限内未作出受理决定，自材料收到之日（%(day)s）起视为受理（%(notice)s）") % {
                     "day": received, "notice": notice.number}, due=updated.promised_due)
    applicant_tell(application=updated, subject=_("申请已视为受理：%(title)s") % {"title": updated.title},
                   body=_("按《行政许可法》第三十二条，自 %(day)s 起视为受理。") % {"day": received})
    return updated


@transaction.atomic
def application_lapse(*, application: Application, today: date | None = None) -> Application:
    """The applicant did not answer the supplement notice in time: the application lapses."""
    updated = transition(application, "lapse", actor=None, action="application.lapse",
                         check=_due_before("supplement_due", today))
    event_record(application=updated, kind="lapsed", actor_label=_("系统"), summary=_("补正期限届满未补正，申请失效"))
    renewal_closed(updated)
    applicant_tell(application=updated, subject=_("申请已失效：%(title)s") % {"title": updated.title},
                   body=_("补正期限届满未补正。如仍需办理，请重新申请。"))
    return updated


@transaction.atomic
def application_terminate_rongque(*, application: Application, today: date | None = None) -> Application:
    """容缺 materials not supplied by the promised date: the case is terminated and the applicant told."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    owed = list(locked.materials.filter(status=MaterialStatus.DEFERRED).values_list("name", flat=True))
    updated = transition(locked, "terminate", actor=None, action="application.terminate_rongque",
                         audit_after={"owed": owed}, check=_due_before("rongque_due", today))
    updated.closing_note = _("容缺材料逾期未补齐：%(names)s") % {"names": "、".join(owed)}
    updated.save(update_fields=["closing_note"])
    notice = notice_issue(application=updated, kind=Notice.Kind.TERMINATION, actor=None, content={
        "reasons": updated.closing_note, "problems": [{"subject": n, "problem": _("逾期未补齐")} for n in owed],
        "remedies": remedies_text(updated)})
    renewal_closed(updated)
    application_closed.send(sender=Application, application=updated)
    event_record(application=updated, kind="terminated", actor_label=_("系统"),
                 summary=_("容缺材料逾期未补齐，终止办理（%(notice)s）") % {"notice": notice.number})
    applicant_tell(application=updated, subject=_("已终止办理：%(title)s") % {"title": updated.title},
                   body=updated.closing_note)
    return updated
