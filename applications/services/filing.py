"""Filing (申报): an application from its start to its submission, by the applicant, an agent or a clerk.

Every write here is one transaction; a file is checked before anything is stored, and a submission with
an idempotency key that was seen before returns the first application.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import (
    Applicant,
    Application,
    ApplicationMaterial,
    Channel,
    Commitment,
    Document,
    MaterialStatus,
    Status,
)
from applications.services.licences import (
    holder_applicant,
    library_fill,
    open_renewals,
    renewal_check,
    renewal_closed,
    renewal_filed,
    renewal_form_data,
)
from applications.services.timeline import applicant_tell, event_record
from applications.signals import application_closed
from items.application_form import application_form
from items.models import Bundle, FormField, ItemVersion, OnlineDepth, VersionStatus
from items.selectors import bundle_merged_form, bundle_merged_materials
from items.services import item_record_use
from licences.models import Licence
from portal.clock import get_calendar
from portal.errors import Conflict
from portal.fsm import transition
from portal.models import Role
from portal.services.audit import audit_record
from portal.uploads import content_type_for, validate_document

NUMBER_ATTEMPTS = 5
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a window
# Where the applicant (or the clerk beside them) may still change the form and the materials.
EDITABLE = (Status.DRAFT, Status.SUPPLEMENT_REQUESTED)


def _today() -> date:
    return timezone.localdate()


# --- who may act for an applicant -----------------------------------------------------------------------
def may_file_for(user: Any, applicant: Applicant) -> bool:
    """Clerks file for anyone at the window; an account files for the applicants it is a member of."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.role == Role.CLERK:
        return True
    return applicant.members.filter(user=user).exists()


def may_act_on(user: Any, application: Application) -> bool:
    """The applicant's accounts, its agent, and clerks may work on an application."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.role == Role.CLERK or (application.agent_id is not None and user.pk == application.agent_id):
        return True
    # Current members only: a staff account removed from an enterprise loses its applications with it.
    return application.applicant.members.filter(user=user).exists()


def _require(user: Any, application: Application) -> None:
    if not may_act_on(user, application):
        raise PermissionDenied


# --- start -------------------------------------------------------------------------------------------------
def _number(today: date) -> str:
    """Application number: the date and 8 random digits (collisions are refused by the unique index)."""
    return f"{today:%Y%m%d}{secrets.randbelow(10**8):08d}"


def _query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _i in range(6))


def _materials_of(version: ItemVersion | None, bundle: Bundle | None) -> list[dict[str, Any]]:
    if version is not None:
        return [{"material": m, "required": m.required} for m in version.materials.all()]
    assert bundle is not None
    return bundle_merged_materials(bundle)


@transaction.atomic
def application_start(
    *, actor: Any, applicant: Applicant, version: ItemVersion | None = None, bundle: Bundle | None = None,
    channel: str = Channel.ONLINE, idempotency_key: str = "", authorisation: UploadedFile | None = None,
    authorisation_note: str = "",
) -> Application:
    """Open an application (a draft) for a published item version or bundle, with its list of materials.

    A clerk files at the window; an applicant's account files for its applicant; anyone else files as an
    agent (帮办代办) and must attach the applicant's authorisation.
    """
    if idempotency_key:
        # One filer's retries queue behind each other (their account row is the lock), so a retry arriving
        # while the first request still runs waits for it and returns its application.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        earlier = Application.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if (earlier.applicant_id, earlier.version_id, earlier.bundle_id) != (
                    applicant.pk, getattr(version, "pk", None), getattr(bundle, "pk", None)):
                raise Conflict(_("该幂等键已用于另一件申请。"))
            return earlier
    if (version is None) == (bundle is None):
        raise ValidationError({"item": _("请选择一个事项或一个“一件事”。")})
    if version is not None and version.status != VersionStatus.PUBLISHED:
        raise ValidationError({"item": _("该事项当前未发布，不能申报。")})
    if bundle is not None and not bundle.is_published:
        raise ValidationError({"bundle": _("该“一件事”当前未发布，不能申报。")})
    if channel not in Channel.values:
        raise ValidationError({"channel": _("申报渠道无效。")})
    if (version is not None and actor.role != Role.CLERK
            and version.online_depth < OnlineDepth.ONLINE_FILING):
        raise ValidationError({"item": _("该事项暂不支持网上申报，请到窗口办理或预约。")})
    audience = version.service_object if version is not None else bundle.audience  # type: ignore[union-attr]
    if audience not in ("both", applicant.kind if applicant.kind == "person" else "enterprise"):
        raise ValidationError({"applicant": _("该事项的服务对象不包括此类申请人。")})

    agent = None
    if actor.role == Role.CLERK:
        channel = Channel.WINDOW if channel == Channel.ONLINE else channel
    elif not actor.is_applicant:
        raise PermissionDenied
    elif not may_file_for(actor, applicant):
        # 帮办代办: someone who is not the applicant files for them, with the applicant's authorisation.
        if authorisation is None:
            raise ValidationError({"authorisation": _("代办须上传申请人签署的授权委托书。")})
        channel, agent = Channel.PROXY, actor
    department = version.item.department if version is not None else bundle.lead_department  # type: ignore[union-attr]
    application = Application(
        number=_number(_today()), query_code=_query_code(), applicant=applicant, version=version, bundle=bundle,
        title=version.name if version is not None else bundle.name,  # type: ignore[union-attr]
        department=department, channel=channel, created_by=actor, agent=agent,
        authorisation_note=authorisation_note[:200], idempotency_key=idempotency_key[:64],
        responsible_clerk=actor if actor.role == Role.CLERK else None,
    )
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                application.save()
            break
        except IntegrityError:
            if Application.objects.filter(number=application.number).exists() and attempt + 1 < NUMBER_ATTEMPTS:
                application.number = _number(_today())  # a random number drawn twice in a day: draw again
                continue
            raise
    if authorisation is not None and agent is not None:
        application.authorisation = _store(actor=actor, applicant=applicant, files=[authorisation],
                                           material_name=_("授权委托书"))[0]
        application.save(update_fields=["authorisation"])
    if bundle is not None:
        application.bundle_versions.set([e.item.published for e in bundle.entries.select_related("item__published")
                                         if e.item.published is not None])
    ApplicationMaterial.objects.bulk_create(
        ApplicationMaterial(application=application, material=row["material"], order=i, name=row["material"].name,
                            required=row["required"], may_be_missing=row["material"].may_be_missing,
                            commitment_allowed=row["material"].commitment_allowed, source=row["material"].source)
        for i, row in enumerate(_materials_of(version, bundle))
    )
    library_fill(application)  # 免提交: materials taken from the holder's licence library
    event_record(application=application, kind="created", actor=actor, actor_label=_channel_label(application),
                 summary=_("登记申请（%(channel)s）") % {"channel": application.get_channel_display()})
    audit_record(actor=actor, action="application.start", obj=application,
                 after={"number": application.number, "channel": channel})
    return application


@transaction.atomic
def application_start_renewal(*, actor: Any, licence: Licence) -> Application:
    """延续 (Art. 50): a draft application of the licence's item (its published version) for the holder,
    its form prefilled from the application the licence was issued on. Its approval issues a licence that
    replaces this one; its submission starts the deemed-renewal watch (renewal_filed)."""
    locked = Licence.objects.select_for_update().select_related("item").get(pk=licence.pk)
    applicant = holder_applicant(user=actor, licence=locked)
    if applicant is None:
        raise PermissionDenied
    renewal_check(locked, open_renewal=open_renewals([locked]).get(locked.pk))
    version = ItemVersion.objects.get(pk=locked.item.published_id)
    application = application_start(actor=actor, applicant=applicant, version=version)
    application.renews = locked
    try:
        application.form_data = clean_form(application, renewal_form_data(locked, form_fields_of(application)),
                                           complete=False)
    except ValidationError:
        application.form_data = {}  # what was valid then is not now: the applicant fills it in again
    application.save(update_fields=["renews", "form_data", "updated_at"])
    event_record(application=application, kind="renewal", actor=actor, actor_label=_channel_label(application),
                 summary=_("延续申请：%(name)s %(number)s（有效期至 %(valid_to)s）") % {
                     "name": locked.name, "number": locked.number, "valid_to": locked.valid_to})
    audit_record(actor=actor, action="application.renewal_start", obj=application,
                 after={"licence": locked.number})
    return application


@transaction.atomic
def application_record_proxy(
    *, actor: Any, application: Application, authorisation: UploadedFile, agent: str,
) -> Application:
    """帮办代办 at the window: someone files for the applicant; the clerk scans the signed authorisation and
    records who the agent is. Before any outcome only."""
    if actor.role != Role.CLERK:
        raise PermissionDenied
    locked = Application.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=application.pk)
    if locked.status not in (*EDITABLE, Status.SUBMITTED):
        raise ValidationError({"authorisation": _("当前状态下不能登记代办。")})
    if not agent.strip():
        raise ValidationError({"agent": _("请填写代办人姓名及联系电话。")})
    try:
        document = _store(actor=actor, applicant=locked.applicant, files=[authorisation],
                          material_name=_("授权委托书"))[0]
    except ValidationError as exc:
        raise ValidationError({"authorisation": exc.messages}) from exc
    locked.channel, locked.authorisation, locked.authorisation_note = Channel.PROXY, document, agent.strip()[:200]
    locked.save(update_fields=["channel", "authorisation", "authorisation_note", "updated_at"])
    event_record(application=locked, kind="proxy", actor=actor, actor_label=_("综合受理窗口"),
                 summary=_("登记帮办代办及授权委托书"))
    audit_record(actor=actor, action="application.proxy", obj=locked, after={"document": str(document.pk)})
    return locked


def _channel_label(application: Application) -> str:
    return _("申请人") if application.channel == Channel.ONLINE else str(application.get_channel_display())


# --- the form ------------------------------------------------------------------------------------------
def form_fields_of(application: Application) -> list[FormField]:
    if application.version_id is not None:
        return list(application.version.form_fields.all())  # type: ignore[union-attr]
    return [row["field"] for row in bundle_merged_form(application.bundle)]  # type: ignore[arg-type]


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def clean_form(application: Application, data: dict[str, Any], *, complete: bool) -> dict[str, Any]:
    """Validate form data with the item's own fields; a draft may leave required fields empty."""
    fields = [f for f in form_fields_of(application) if f.field_type != "file"]
    form_class = application_form(fields)
    form = form_class(data={k: v for k, v in data.items() if v is not None})
    if not complete:
        for field in form.fields.values():
            field.required = False
    if not form.is_valid():
        raise ValidationError({f"form_data.{key}": errors for key, errors in form.errors.items()})
    return {k: _plain(v) for k, v in form.cleaned_data.items() if v not in (None, "")}


@transaction.atomic
def application_save_form(*, actor: Any, application: Application, data: dict[str, Any]) -> Application:
    """Save the form as it stands (a draft may be incomplete; every value given must be valid)."""
    _require(actor, application)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in EDITABLE:
        raise ValidationError({"status": _("当前状态下不能修改申请表。")})
    locked.form_data = clean_form(locked, data, complete=False)
    locked.save(update_fields=["form_data", "updated_at"])
    return locked


# --- materials -------------------------------------------------------------------------------------------
def _sha256(file: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _store(*, actor: Any, applicant: Applicant, files: Sequence[UploadedFile], material_name: str) -> list[Document]:
    """Check every file first; store them only if all pass (nothing half-stored)."""
    errors = []
    for file in files:
        try:
            validate_document(file, max_pixels=settings.INTAKE_MAX_IMAGE_PIXELS)
        except ValidationError as exc:
            errors.append(f"{(file.name or '')[:60]}：{' '.join(exc.messages)}")
    if errors:
        raise ValidationError({"files": errors})
    documents = []
    for file in files:
        documents.append(Document.objects.create(
            applicant=applicant, file=file, original_name=(file.name or "")[-200:],
            content_type=content_type_for(file.name or ""), size=file.size or 0, sha256=_sha256(file),
            material_name=material_name, uploaded_by=actor))
    return documents


def _uploadable(application: Application, material: ApplicationMaterial, actor: Any) -> bool:
    if application.status in EDITABLE:
        return True
    if application.status == Status.SUBMITTED and actor.role == Role.CLERK:
        return True  # scanned at the window before the outcome
    if in_review_supplement(application, material):
        return True
    # 容缺: the deferred materials are supplied after acceptance.
    return application.rongque_pending and material.status == MaterialStatus.DEFERRED


def in_review_supplement(application: Application, material: ApplicationMaterial) -> bool:
    """A reviewing department asked for this material (审查补正): only what it listed may be replaced."""
    return application.status == Status.IN_REVIEW and application.review_supplement and bool(material.problem)


@transaction.atomic
def material_upload(
    *, actor: Any, application: Application, material: ApplicationMaterial, files: Sequence[UploadedFile],
) -> list[Document]:
    """Attach files to a material. Size, type by content, pixel bombs and the per-application count are
    checked before anything is stored."""
    _require(actor, application)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if material.application_id != locked.pk:
        raise PermissionDenied
    material = ApplicationMaterial.objects.get(pk=material.pk)  # its current state, not the caller's copy
    if not files:
        raise ValidationError({"files": _("请选择要上传的文件。")})
    if not _uploadable(locked, material, actor):
        raise ValidationError({"files": _("当前状态下不能上传此材料。")})
    held = Document.objects.filter(uses__application=locked).distinct().count()
    if held + len(files) > settings.INTAKE_MAX_FILES:
        raise ValidationError({"files": _("每件申请最多上传 %(n)s 个文件（已有 %(held)s 个）。") % {
            "n": settings.INTAKE_MAX_FILES, "held": held}})
    documents = _store(actor=actor, applicant=locked.applicant, files=files, material_name=material.name)
    material.documents.add(*documents)
    was_deferred = material.status == MaterialStatus.DEFERRED
    material.status = MaterialStatus.PROVIDED
    material.save(update_fields=["status"])
    audit_record(actor=actor, action="application.material_upload", obj=locked,
                 after={"material": material.name, "files": len(documents)})
    if was_deferred:
        _rongque_check_complete(locked, actor)
    return documents


@transaction.atomic
def material_reuse(
    *, actor: Any, application: Application, material: ApplicationMaterial, document: Document,
) -> ApplicationMaterial:
    """Use a file the applicant gave in an earlier application instead of uploading it again (免提交)."""
    _require(actor, application)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if material.application_id != locked.pk or document.applicant_id != locked.applicant_id:
        raise PermissionDenied
    if actor.role != Role.CLERK and not locked.applicant.members.filter(user=actor).exists():
        raise PermissionDenied  # an agent files what it was given, not the applicant's earlier files
    if not _uploadable(locked, material, actor):
        raise ValidationError({"document": _("当前状态下不能更改此材料。")})
    was_deferred = material.status == MaterialStatus.DEFERRED
    material.documents.add(document)
    material.status = MaterialStatus.REUSED
    material.save(update_fields=["status"])
    audit_record(actor=actor, action="application.material_reuse", obj=locked,
                 after={"material": material.name, "document": str(document.pk)})
    if was_deferred:
        _rongque_check_complete(locked, actor)
    return material


@transaction.atomic
def material_remove(*, actor: Any, application: Application, material: ApplicationMaterial,
                    document: Document) -> ApplicationMaterial:
    """Take a file off a material (the stored file stays: an earlier application may use it)."""
    _require(actor, application)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if material.application_id != locked.pk:
        raise PermissionDenied
    material = ApplicationMaterial.objects.get(pk=material.pk)
    if locked.status not in EDITABLE and not in_review_supplement(locked, material):
        raise ValidationError({"document": _("当前状态下不能更改此材料。")})
    material.documents.remove(document)
    if not material.documents.exists() and material.status in (MaterialStatus.PROVIDED, MaterialStatus.REUSED):
        material.status = MaterialStatus.MISSING
        material.save(update_fields=["status"])
    audit_record(actor=actor, action="application.material_remove", obj=locked,
                 after={"material": material.name, "document": str(document.pk)})
    return material


def commitment_text(material: ApplicationMaterial) -> str:
    """What the applicant commits to (国办发〔2020〕42号): the proof replaced and the liability if false."""
    return _(
        "本人/本单位承诺已符合“%(name)s”所要证明的条件，所作承诺真实、有效。如承诺不实，愿意承担虚假承诺的法律责任，"
        "审批机关可依法终止办理或撤销审批决定，并将失信信息记入信用记录。"
    ) % {"name": material.name}


@transaction.atomic
def material_commit(
    *, actor: Any, application: Application, material: ApplicationMaterial, signed_name: str,
) -> Commitment:
    """告知承诺: the applicant's signed commitment replaces a proof the item allows it for."""
    _require(actor, application)
    locked = Application.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=application.pk)
    if material.application_id != locked.pk:
        raise PermissionDenied
    if locked.status not in EDITABLE and not (locked.status == Status.SUBMITTED and actor.role == Role.CLERK):
        raise ValidationError({"material": _("当前状态下不能更改此材料。")})
    if not material.commitment_allowed:
        raise ValidationError({"material": _("该材料不适用告知承诺。")})
    if not locked.applicant.may_use_leniency:
        raise ValidationError({"material": _("申请人有失信记录或信用等级不符，不适用告知承诺。")})
    if not signed_name.strip():
        raise ValidationError({"signed_name": _("请签署承诺人姓名。")})
    commitment, _created = Commitment.objects.get_or_create(
        application=locked, material=material, kind=Commitment.Kind.NOTIFY_COMMIT,
        defaults={"text": commitment_text(material), "signed_name": signed_name.strip()[:100], "signed_by": actor})
    material.status = MaterialStatus.COMMITMENT
    material.save(update_fields=["status"])
    audit_record(actor=actor, action="application.commitment", obj=locked, after={"material": material.name})
    return commitment


def _rongque_check_complete(application: Application, actor: Any) -> None:
    if application.materials.filter(status=MaterialStatus.DEFERRED).exists():
        return
    application.rongque_pending = False
    application.rongque_due = None
    application.save(update_fields=["rongque_pending", "rongque_due", "updated_at"])
    event_record(application=application, kind="rongque_supplied", actor=actor,
                 actor_label=_channel_label(application), summary=_("容缺材料已补齐"))


# --- submit and withdraw ---------------------------------------------------------------------------------
def _fingerprint(application: Application) -> str:
    """What a submission contains: the form and every material's state and files."""
    materials = [
        (m.pk, m.status, sorted(str(d) for d in m.documents.values_list("pk", flat=True)),
         # the licence taken from the library, when one is (absent otherwise: earlier digests stay the same)
         *((m.licence_id,) if m.licence_id else ()))
        for m in application.materials.order_by("pk")
    ]
    payload = json.dumps([application.form_data, materials], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _missing_materials(application: Application) -> list[ApplicationMaterial]:
    return [m for m in application.materials.all() if m.required and not m.is_satisfied and not m.may_be_missing]


@transaction.atomic
def application_submit(*, actor: Any, application: Application) -> Application:
    """Submit (or resubmit after a supplement notice). The form must be complete and every main material
    given; secondary materials (可容缺) may still be missing — the clerk decides on 容缺. A resubmission must
    change something. The acceptance period (Art. 32: 5 working days) starts from the day it arrives."""
    _require(actor, application)
    locked = (Application.objects.select_for_update(of=("self",)).select_related("version", "applicant")
              .get(pk=application.pk))
    if locked.status == Status.SUBMITTED and locked.revision:
        return locked  # a retried submit
    if locked.status not in EDITABLE:
        raise ValidationError({"status": _("当前状态下不能提交。")})
    library_fill(locked)  # a licence may have been issued (or revoked) since the draft was started
    errors: dict[str, Any] = {}
    try:
        locked.form_data = clean_form(locked, locked.form_data, complete=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    missing = _missing_materials(locked)
    if missing:
        errors["materials"] = [_("缺少必要材料：%(name)s") % {"name": m.name} for m in missing]
    if errors:  # every problem at once: the form's and the materials'
        raise ValidationError(errors)
    fingerprint = _fingerprint(locked)
    resubmission = locked.status == Status.SUPPLEMENT_REQUESTED
    if resubmission and fingerprint == locked.fingerprint:
        raise ValidationError({"materials": _("与上次提交相比没有任何修改，请按补正通知修改后再提交。")})
    today = _today()
    acceptance_limit = locked.version.acceptance_limit if locked.version is not None else 5
    locked.fingerprint = fingerprint
    locked.revision += 1
    locked.submitted_at = timezone.now()
    locked.received_on = today
    locked.acceptance_due = get_calendar().add_working_days(today, acceptance_limit)
    locked.materials.exclude(problem="").update(problem="")
    locked.save(update_fields=["fingerprint", "revision", "submitted_at", "received_on", "acceptance_due",
                               "form_data", "updated_at"])
    updated = transition(locked, "resubmit" if resubmission else "submit", actor=actor,
                         action="application.resubmit" if resubmission else "application.submit",
                         audit_after={"revision": locked.revision})
    event_record(application=updated, kind="resubmitted" if resubmission else "submitted", actor=actor,
                 actor_label=_channel_label(updated), due=updated.acceptance_due,
                 summary=_("补正后重新提交，等待窗口预审") if resubmission else _("提交申请，等待窗口预审"))
    if not resubmission:
        renewal_filed(updated)  # Art. 50: a renewal counts from its first submission
        for version in _versions(updated):
            item_record_use(item=version.item)
    if updated.channel != Channel.WINDOW:
        applicant_tell(application=updated, subject=_("申请已提交：%(title)s") % {"title": updated.title},
                       body=_("申请编号 %(number)s，查询码 %(code)s。窗口将在 %(due)s 前完成预审。") % {
                           "number": updated.number, "code": updated.query_code, "due": updated.acceptance_due})
    return updated


def _versions(application: Application) -> Iterable[ItemVersion]:
    if application.version is not None:
        return [application.version]
    return application.bundle_versions.select_related("item")


@transaction.atomic
def application_withdraw(*, actor: Any, application: Application, reason: str = "") -> Application:
    """Withdraw while not yet decided (撤回申请)."""
    _require(actor, application)
    updated = transition(application, "withdraw", actor=actor, action="application.withdraw",
                         audit_after={"reason": reason[:200]})
    updated.closing_note = reason[:1000]
    updated.save(update_fields=["closing_note"])
    event_record(application=updated, kind="withdrawn", actor=actor, actor_label=_channel_label(updated),
                 summary=_("申请已撤回"), detail=reason)
    renewal_closed(updated)
    application_closed.send(sender=Application, application=updated)
    return updated
