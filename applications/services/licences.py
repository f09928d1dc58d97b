"""The applicant's side of licences (电子证照): who holds what, the licence library as materials (免提交),
the renewal an application asks for (延续, Art. 50), and telling the holder what happened to a licence.

Licences know their holders by code (ID number or USCC) only; applicants and their accounts live here, so
this module answers for licences (`holder_codes`, registered in ApplicationsConfig.ready) and listens to
its signals (applications/receivers.py). The filing, intake and review services call the hooks below in
their own transactions.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from applications.models import (
    OPEN_STATUSES,
    Applicant,
    ApplicantKind,
    ApplicantMember,
    Application,
    ApplicationMaterial,
    MaterialStatus,
)
from applications.services.timeline import event_record
from items.models import FormField, Material
from licences import selectors as licence_selectors
from licences import services as licence_services
from licences.models import DeliveryMethod, Licence, Status
from portal import outbox
from portal.errors import Conflict, DomainError
from portal.services.notifications import notify

# The library page marks a licence that expires within this many days.
EXPIRING_WITHIN_DAYS = max(settings.LICENCE_EXPIRY_REMIND_DAYS)  # from the first reminder


# --- holders ---------------------------------------------------------------------------------------------
def holder_code(applicant: Applicant) -> str:
    """The code a licence names its holder by: the USCC of an enterprise, the ID number of a person."""
    return applicant.uscc if applicant.is_enterprise else applicant.id_number


def holder_codes(user: Any) -> list[str]:
    """The resolver of licences.holders: the codes of every applicant the account is a member of."""
    rows = ApplicantMember.objects.filter(user=user).values_list("applicant__id_number", "applicant__uscc")
    return [code for pair in rows for code in pair if code]


def applicants_holding(code: str) -> QuerySet[Applicant]:
    if not code:
        return Applicant.objects.none()
    return Applicant.objects.filter(Q(kind=ApplicantKind.PERSON, id_number=code)
                                    | Q(kind=ApplicantKind.ENTERPRISE, uscc=code))


def holder_applicant(*, user: Any, licence: Licence) -> Applicant | None:
    """The applicant holding `licence` that `user` acts for (None: the user may not act for the holder)."""
    return applicants_holding(licence.holder_code).filter(members__user=user).first()


def holder_users(licence: Licence) -> list[Any]:
    """Every active account of the holder (an enterprise's staff as well as its owner)."""
    members = (ApplicantMember.objects.filter(applicant__in=applicants_holding(licence.holder_code),
                                              user__is_active=True)
               .select_related("user").order_by("user_id"))
    return list({m.user_id: m.user for m in members}.values())


def application_of(licence: Licence) -> Application | None:
    """The application the licence was issued on."""
    if not licence.application_number:
        return None
    return Application.objects.select_related("applicant", "created_by").filter(
        number=licence.application_number).first()


# --- what the holder's pages show ------------------------------------------------------------------------
def renewal_due_on(licence: Licence) -> date | None:
    """The last day to apply for renewal in time (Art. 50: 30 days before expiry); None for 长期有效."""
    return licence.renewal_due_on


def renewal_late(licence: Licence, today: date | None = None) -> bool:
    """Past the last day to renew in time: a renewal may still be filed, but is not deemed granted at expiry."""
    due = renewal_due_on(licence)
    return due is not None and due < (today or timezone.localdate())


def expiring_soon(licence: Licence, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (licence.validity(today) == "valid" and licence.valid_to is not None
            and licence.valid_to - today <= timedelta(days=EXPIRING_WITHIN_DAYS))


def open_renewals(licences: list[Licence]) -> dict[int, Application]:
    """The renewal application still open for each licence (one query for a page of licences)."""
    if not licences:
        return {}
    rows = Application.objects.filter(renews__in=licences, status__in=OPEN_STATUSES).order_by("-created_at")
    found: dict[int, Application] = {}
    for application in rows:
        found.setdefault(application.renews_id, application)  # type: ignore[arg-type]
    return found


def renewal_check(licence: Licence, *, open_renewal: Application | None = None, today: date | None = None) -> None:
    """Raise why the holder may not apply to renew this licence now: Conflict when the licence's state
    refuses it (being made, no longer valid, a renewal under way), DomainError otherwise."""
    today = today or timezone.localdate()
    validity = licence.validity(today)
    if validity == "rendering":
        raise Conflict(_("证照正在制作，暂不能申请延续。"))
    if validity != "valid":
        raise Conflict(_("只有有效的证照可以申请延续；已过期、撤销、注销或换发的证照请重新申请。"))
    if open_renewal is not None or licence.renewal_application:
        number = open_renewal.number if open_renewal is not None else licence.renewal_application
        raise Conflict(_("已有延续申请（%(number)s）正在办理，不能重复申请。") % {"number": number})
    if licence.valid_to is None:
        raise DomainError(_("该证照长期有效，无需延续。"))
    if licence.item.published_id is None:
        raise DomainError(_("该事项当前未发布，暂不能申请延续，请咨询办理部门。"))


def renewal_refusal(licence: Licence, *, open_renewal: Application | None = None,
                    today: date | None = None) -> str:
    """Why the holder may not apply to renew this licence now ("" when they may)."""
    try:
        renewal_check(licence, open_renewal=open_renewal, today=today)
    except DomainError as exc:
        return str(exc)
    return ""


def licences_of_application(application: Application) -> list[Licence]:
    """The licences issued on an application (none before its approval)."""
    if not application.number:
        return []
    return list(Licence.objects.filter(application_number=application.number)
                .select_related("department").order_by("id"))


# --- renewal: prefill and hooks ------------------------------------------------------------------------------
def renewal_form_data(licence: Licence, fields: list[FormField]) -> dict[str, Any]:
    """The renewal's form, prefilled from the application the licence was issued on (only the fields the
    current version still has); what that application no longer tells, from the facts on the licence."""
    keys = {f.key: f for f in fields if f.field_type != "file"}
    original = application_of(licence)
    data: dict[str, Any] = {}
    if original is not None:
        data = {k: v for k, v in (original.form_data or {}).items() if k in keys and v not in (None, "", [])}
    by_label = {f.label: f.key for f in keys.values()}
    for row in licence.facts or []:
        if isinstance(row, (list, tuple)) and len(row) == 2 and row[0] in by_label:
            data.setdefault(by_label[row[0]], row[1])
    return data


def renewal_filed(application: Application) -> None:
    """The renewal application was submitted (its first submission: the day Art. 50 counts): the licence's
    deemed-renewal watch starts. A licence that is no longer valid cannot be renewed: the submission fails."""
    if application.renews_id is None:
        return
    licence = Licence.objects.get(pk=application.renews_id)
    today = timezone.localdate()
    if licence.status != Status.VALID or licence.is_expired(today):
        raise ValidationError({"renews": _("所延续的证照已失效或已过期，不能提交延续申请，请重新申请许可。")})
    licence_services.licence_renewal_filed(licence=licence, application_number=application.number, filed_on=today)


def renewal_closed(application: Application) -> None:
    """The renewal application ended without a new licence (not accepted, withdrawn, lapsed, terminated,
    denied): the licence is no longer waiting for it."""
    if application.renews_id is None:
        return
    licence = Licence.objects.get(pk=application.renews_id)
    licence_services.licence_renewal_closed(licence=licence, application_number=application.number)


# --- the licence library as materials (免提交) -------------------------------------------------------------
def _library_licence(code: str, name: str, valid_names: list[str]) -> Licence | None:
    """The holder's licence a material names: by its exact name, else the longest licence name the
    material's name contains ("使用单位营业执照" takes the 营业执照)."""
    found = licence_selectors.library_licence(holder_code=code, name=name)
    if found is not None:
        return found
    for candidate in sorted((n for n in valid_names if n and n in name), key=len, reverse=True):
        found = licence_selectors.library_licence(holder_code=code, name=candidate)
        if found is not None:
            return found
    return None


def library_fill(application: Application) -> list[ApplicationMaterial]:
    """Fill every 电子证照库 material from the holder's licence library (at the start and again at submission:
    a licence may have been issued, renewed or revoked meanwhile). A material whose licence is no longer
    valid takes the current one, or goes back to missing (the window then checks it at acceptance)."""
    materials = [m for m in application.materials.all() if m.source == Material.Source.LICENCE_LIBRARY]
    if not materials:
        return []
    code = holder_code(application.applicant)
    today = timezone.localdate()
    valid_names = list(Licence.objects.filter(holder_code=code, status=Status.VALID)
                       .values_list("name", flat=True).distinct()) if code else []
    changed = []
    for material in materials:
        current = material.licence if material.licence_id else None
        if current is not None and current.status == Status.VALID and not current.is_expired(today):
            continue
        licence = _library_licence(code, material.name, valid_names) if code else None
        status = MaterialStatus.LICENCE if licence is not None else (
            MaterialStatus.MISSING if material.status == MaterialStatus.LICENCE else material.status)
        if (licence, status) != (current, material.status):
            material.licence, material.status = licence, status
            changed.append(material)
    if changed:
        ApplicationMaterial.objects.bulk_update(changed, ["licence", "status"])
    return changed


# --- telling the holder (receivers of licences.signals) ----------------------------------------------------
def _tell_holder(licence: Licence, *, subject: str, body: str, application: Application | None = None) -> None:
    """An inbox message (with SMS) to every account of the holder; a holder with no account (served at the
    window) gets an SMS to the phone on record of the application the licence was issued on."""
    link = reverse("licence_detail", args=[licence.pk])
    users = holder_users(licence)
    for user in users:
        notify(recipient=user, subject=subject, body=body, link=link, sms=True)
    if not users and application is not None and application.applicant.phone:
        outbox.enqueue("applications.sms_applicant", application_id=application.pk, subject=subject)


def licence_told_ready(licence: Licence) -> None:
    """The signed licence is ready: the holder is told, and the application's timeline says so."""
    application = application_of(licence)
    _tell_holder(licence, application=application,
                 subject=_("电子证照已生成：%(name)s") % {"name": licence.name},
                 body=_("%(name)s（%(number)s）已制作完成，可在“我的证照”中下载，并选择领取方式。") % {
                     "name": licence.name, "number": licence.number})
    if application is not None and not application.events.filter(kind="licence_ready",
                                                                  summary__contains=licence.number).exists():
        event_record(application=application, kind="licence_ready", actor_label=licence.department.name,
                     summary=_("电子证照已制作完成：%(name)s %(number)s") % {
                         "name": licence.name, "number": licence.number})


def licence_told_expiring(licence: Licence) -> None:
    """Art. 50: the holder is reminded before expiry, with the way to apply for renewal."""
    due = renewal_due_on(licence)
    _tell_holder(licence, application=application_of(licence),
                 subject=_("证照即将到期：%(name)s") % {"name": licence.name},
                 body=_("%(name)s（%(number)s）将于 %(valid_to)s 到期，请于到期前 30 日（%(due)s 前）提出延续申请"
                        "（《行政许可法》第五十条）。在“我的证照”中打开该证照，点击“申请延续”即可。") % {
                     "name": licence.name, "number": licence.number, "valid_to": licence.valid_to, "due": due})


def licence_told_changed(licence: Licence, change: str) -> None:
    """Delivered, revoked, cancelled or deemed renewed: the holder is told what happened."""
    subject, body = _change_text(licence, change)
    if not subject:
        return
    application = application_of(licence)
    _tell_holder(licence, application=application, subject=subject, body=body)
    if change == "delivered" and application is not None:
        event_record(application=application, kind="licence_delivered", actor_label=licence.department.name,
                     summary=_("证照已送达：%(name)s %(number)s（%(method)s）") % {
                         "name": licence.name, "number": licence.number,
                         "method": licence.get_delivery_method_display()})


def _change_text(licence: Licence, change: str) -> tuple[str, str]:
    names = {"name": licence.name, "number": licence.number}
    if change == "delivered":
        if licence.delivery_method == DeliveryMethod.EXPRESS:
            how = _("已免费邮寄（%(company)s，快递单号 %(tracking)s）。") % {
                "company": licence.express_company, "tracking": licence.tracking_number}
        elif licence.delivery_method == DeliveryMethod.PICKUP:
            how = _("已由 %(who)s 在窗口领取。") % {"who": licence.collected_by}
        else:
            how = _("可在“我的证照”中下载。")
        return _("证照已送达：%(name)s") % names, _("%(name)s（%(number)s）") % names + how
    if change in ("revoke", "cancel"):
        what = pgettext("licence", "已撤销") if change == "revoke" else _("已注销")
        return (_("证照%(what)s：%(name)s") % {**names, "what": what},
                _("%(name)s（%(number)s）%(what)s。理由：%(reason)s") % {
                    **names, "what": what, "reason": licence.end_reason})
    if change == "replaced":
        new = licence.replaced_by
        return (_("证照已换发：%(name)s") % names,
                _("%(name)s（%(number)s）已换发新证%(new)s，原证照同时失效，请使用新证照。") % {
                    **names, "new": f"（{new.number}）" if new is not None else ""})
    if change == "deemed_renewed":
        return (_("证照视为准予延续：%(name)s") % names,
                _("延续申请在有效期届满前未作出决定，依《行政许可法》第五十条视为准予延续，"
                  "%(name)s（%(number)s）有效期延至 %(valid_to)s。") % {**names, "valid_to": licence.valid_to})
    return "", ""
