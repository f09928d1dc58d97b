"""The applicant's pages: file online, follow my applications, download notices, and public tracking.

Views check the shape of input and call the filing services and the selectors; the services decide. A
service's ValidationError is shown beside the field or material it names; a conflict (the status changed
meanwhile) becomes a message on the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, TooManyFilesSent, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from applications import selectors
from applications.forms import (
    CommitmentForm,
    ReuseForm,
    StaffForm,
    StartForm,
    TrackForm,
    UploadForm,
    WithdrawForm,
)
from applications.models import (
    Applicant,
    ApplicantMember,
    Application,
    ApplicationMaterial,
    MaterialStatus,
    Notice,
    Status,
)
from applications.services import filing, review
from applications.services.applicants import applicant_for_user, applicant_member_add, applicant_member_remove
from applications.views_licences import application_licences
from items.application_form import application_form
from items.selectors import item_by_code, published_bundles
from portal.errors import CONFLICTS, DomainError
from portal.models import Role
from portal.permissions import role_required
from portal.ratelimit import limit_posts
from portal.services.audit import audit_record

PAGE_SIZE = 20
APPLICANT_ROLES = (Role.APPLICANT_PERSON, Role.APPLICANT_ENTERPRISE)
FORM_MARKER = "form_included"  # the edit form's fields came with this POST (submit saves them first)


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _errors_by_key(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in ValidationError(errors).messages] for key, errors in exc.error_dict.items()}
    return {"__all__": _messages_of(exc)}


def _conflict_message() -> str:
    return _("办件状态已变化，请刷新页面后再操作。")


# --- start ---------------------------------------------------------------------------------------------
def _start(request: HttpRequest, *, back: str, **target: Any) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    if not request.user.is_applicant:  # type: ignore[union-attr]
        raise PermissionDenied
    form = StartForm(request.POST)
    key = form.cleaned_data["idempotency_key"] if form.is_valid() else ""
    try:
        applicant = applicant_for_user(user=request.user)
        application = filing.application_start(actor=request.user, applicant=applicant, idempotency_key=key,
                                               **target)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect(back)
    return redirect("application_edit", pk=application.pk)


@require_POST
def application_start_item(request: HttpRequest, code: str) -> HttpResponse:
    item = item_by_code(code)
    if item is None:
        raise Http404
    return _start(request, back=reverse("item_guide", args=[code]), version=item.published)


@require_POST
def application_start_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    bundle = get_object_or_404(published_bundles(), pk=pk)
    return _start(request, back=reverse("bundle_guide", args=[pk]), bundle=bundle)


# --- my applications -----------------------------------------------------------------------------------
def _with_awaiting(applications: Iterable[Application]) -> list[dict[str, Any]]:
    return [{"application": a, "awaiting": selectors.awaiting(a)} for a in applications]


@role_required(*APPLICANT_ROLES)
@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    """Drafts first, then every other application, newest first; filter by status."""
    qs = selectors.applications_visible_to(request.user)
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    drafts: list[dict[str, Any]] = []
    if status:
        listed = qs.filter(status=status)
    else:
        drafts = _with_awaiting(qs.filter(status=Status.DRAFT)[:PAGE_SIZE])
        listed = qs.exclude(status=Status.DRAFT)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "applications/my_applications.html", {
        "drafts": drafts, "page": page, "rows": _with_awaiting(page.object_list), "status": status,
        "statuses": Status.choices, "query_string": f"status={status}&" if status else "",
    })


@role_required(*APPLICANT_ROLES)
@require_GET
def my_applications_recent(request: HttpRequest) -> HttpResponse:
    """The workspace's list of recent applications (loaded with htmx)."""
    recent = selectors.applications_visible_to(request.user)[:5]
    return render(request, "applications/_recent.html", {"rows": _with_awaiting(recent)})


# --- one application -----------------------------------------------------------------------------------
def _get(request: HttpRequest, pk: int) -> Application:
    return selectors.application_get_for_user(user=request.user, pk=pk)


def _materials(application: Application) -> list[ApplicationMaterial]:
    return list(application.materials.select_related("licence").prefetch_related("documents", "commitments"))


def _dues(application: Application) -> list[tuple[str, Any]]:
    """The deadlines that apply now, as (label, date)."""
    rows = [
        (_("受理期限"), application.acceptance_due),
        (_("补正期限"), application.supplement_due),
        (_("容缺材料补齐期限"), application.rongque_due if application.rongque_pending else None),
        (_("承诺办结日期"), application.promised_due),
        (_("法定办结日期"), application.statutory_due),
    ]
    return [(label, due) for label, due in rows if due]


class SupplyForm(forms.Form):
    """审查补正: the applicant's answer beside the replaced files."""

    note = forms.CharField(label=gettext_lazy("补正说明"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("说明已补正的内容；所列事项不是材料的，请在此答复。"))


def _render_detail(request: HttpRequest, application: Application, *, supply_form: SupplyForm | None = None,
                   supply_errors: Iterable[str] = (), status: int = 200) -> HttpResponse:
    materials = _materials(application)
    deferred = [m for m in materials if m.status == MaterialStatus.DEFERRED] if application.rongque_pending else []
    notices = list(application.notices.all())
    return render(request, "applications/detail.html", {
        "application": application,
        "awaiting": selectors.awaiting(application),
        "dues": _dues(application),
        "events": application.events.all(),
        "materials": materials,
        "deferred": [{"m": m, "upload": UploadForm(auto_id=f"m{m.pk}-%s")} for m in deferred],
        "notices": notices,
        "problems": _supplement_problems(application, notices),
        "review_supplement": _review_supplement(application, materials, notices, supply_form, supply_errors),
        "editable": application.status in filing.EDITABLE,
        "withdraw_form": WithdrawForm() if application.is_open else None,
        "licences": application_licences(request, application),
    }, status=status)


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _get(request, pk))


def _review_supplement(application: Application, materials: list[ApplicationMaterial], notices: list[Notice],
                       form: SupplyForm | None, errors: Iterable[str]) -> dict[str, Any] | None:
    """While a reviewing department waits for a supplement (审查补正): what each department asked (its
    notices since the last supply), and an upload form for exactly the materials it listed."""
    if not (application.status == Status.IN_REVIEW and application.review_supplement):
        return None
    last_supplied = application.events.filter(kind="supplied").order_by("-at").values_list("at", flat=True).first()
    asked = [n for n in notices if n.kind == Notice.Kind.REVIEW_SUPPLEMENT
             and (last_supplied is None or n.issued_at > last_supplied)]
    since = application.review_supplement_at
    deferred = {m.pk for m in materials if application.rongque_pending and m.status == MaterialStatus.DEFERRED}
    return {
        "asked": [{"notice": n, "problems": list(n.content.get("problems", []))} for n in asked],
        "rows": [{
            "m": m,
            "upload": UploadForm(auto_id=f"rs{m.pk}-%s"),
            "anchor": m.pk not in deferred,  # the 容缺 section above holds that material's anchor
            "since": since,
            # A file given after the request answers it; older ones are what was found wanting.
            "replaced": since is not None and any(d.uploaded_at >= since for d in m.documents.all()),
        } for m in materials if filing.in_review_supplement(application, m)],
        "form": form or SupplyForm(auto_id="supply-%s"),
        "errors": list(errors),
    }


def _supplement_problems(application: Application, notices: list[Notice]) -> list[dict[str, Any]]:
    """While a supplement is awaited: everything the one-time notice (一次性告知) asked for."""
    if application.status != Status.SUPPLEMENT_REQUESTED:
        return []
    latest = [n for n in notices if n.kind == Notice.Kind.SUPPLEMENT][-1:]
    return list(latest[0].content.get("problems", [])) if latest else []


def _application_form_class(application: Application) -> type:
    fields = [f for f in filing.form_fields_of(application) if f.field_type != "file"]
    return application_form(fields)


def _material_rows(application: Application, materials: list[ApplicationMaterial],
                   errors: dict[int, list[str]] | None = None) -> list[dict[str, Any]]:
    reusable = selectors.reusable_documents(application=application)
    rows = []
    for m in materials:
        documents = reusable.get(m.name, [])
        rows.append({
            "m": m,
            "errors": (errors or {}).get(m.pk, []),
            "upload": UploadForm(auto_id=f"m{m.pk}-%s"),
            "reuse": ReuseForm(documents=documents, auto_id=f"m{m.pk}-%s") if documents else None,
            "commit": CommitmentForm(auto_id=f"m{m.pk}-%s") if m.commitment_allowed else None,
            "commitment_text": filing.commitment_text(m) if m.commitment_allowed else "",
        })
    return rows


def _render_edit(request: HttpRequest, application: Application, *, form: Any = None,
                 material_errors: dict[int, list[str]] | None = None, errors: Iterable[str] = (),
                 status: int = 200) -> HttpResponse:
    if form is None:
        form = _application_form_class(application)(initial=application.form_data)
    materials = _materials(application)
    return render(request, "applications/edit.html", {
        "application": application,
        "form": form,
        "rows": _material_rows(application, materials, material_errors),
        "errors": list(errors),
        "may_use_leniency": application.applicant.may_use_leniency,
    }, status=status)


def _save_form(request: HttpRequest, application: Application) -> tuple[Application | None, Any]:
    """Save the posted form fields; on bad input return (None, the bound form with the errors)."""
    form = _application_form_class(application)(request.POST)
    data = {name: request.POST.get(name) for name in form.fields}
    try:
        saved = filing.application_save_form(actor=request.user, application=application, data=data)
    except ValidationError as exc:
        form = _form_with_errors(form, exc, draft=True)
        for key, msgs in _errors_by_key(exc).items():
            if not key.startswith("form_data."):
                form.add_error(None, msgs)  # e.g. the status changed meanwhile
        return None, form
    return saved, form


def _form_with_errors(form: Any, exc: ValidationError, *, draft: bool) -> Any:
    """The bound form with its own errors (a draft may leave required fields empty) and the service's."""
    required = {name: field.required for name, field in form.fields.items()}
    if draft:
        for field in form.fields.values():
            field.required = False
    form.is_valid()
    for name, field in form.fields.items():
        field.required = required[name]  # the page still marks them as required
    for key, msgs in _errors_by_key(exc).items():
        name = key.removeprefix("form_data.")
        if key.startswith("form_data.") and name in form.fields:
            if not form.has_error(name):
                form.add_error(name, msgs)
        elif key.startswith("form_data."):
            form.add_error(None, msgs)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill in the form (a draft may stay incomplete) and give the materials; only while it may change."""
    application = _get(request, pk)
    if application.status not in filing.EDITABLE:
        return redirect("application_detail", pk=application.pk)
    if request.method == "POST":
        try:
            saved, form = _save_form(request, application)
        except CONFLICTS:
            messages.error(request, _conflict_message())
            return redirect("application_detail", pk=application.pk)
        if saved is None:
            return _render_edit(request, application, form=form)
        messages.success(request, _("草稿已保存。"))
        return redirect("application_edit", pk=application.pk)
    return _render_edit(request, application)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(request, pk)
    try:
        if request.POST.get(FORM_MARKER) and application.status in filing.EDITABLE:
            saved, form = _save_form(request, application)
            if saved is None:
                return _render_edit(request, application, form=form)
            application = saved
        updated = filing.application_submit(actor=request.user, application=application)
    except ValidationError as exc:
        application.refresh_from_db()
        if application.status not in filing.EDITABLE:
            messages.error(request, _conflict_message())
            return redirect("application_detail", pk=application.pk)
        form = _form_with_errors(_application_form_class(application)(data=application.form_data), exc, draft=False)
        general = [m for key, msgs in _errors_by_key(exc).items() if not key.startswith("form_data.") for m in msgs]
        if form.errors:
            general.insert(0, _("申请表有未填或填写有误的项目，请按提示修改。"))
        return _render_edit(request, application, form=form, errors=general)
    except CONFLICTS:
        messages.error(request, _conflict_message())
        return redirect("application_detail", pk=application.pk)
    messages.success(request, _("申请已提交。申请编号 %(number)s，查询码 %(code)s，请妥善保存以便查询进度。") % {
        "number": updated.number, "code": updated.query_code})
    return redirect("application_detail", pk=updated.pk)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(request, pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        filing.application_withdraw(actor=request.user, application=application, reason=reason)
    except CONFLICTS:
        messages.error(request, _("办件当前状态不能撤回。"))
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("application_detail", pk=application.pk)


@login_required
@require_POST
def application_supply(request: HttpRequest, pk: int) -> HttpResponse:
    """提交补正: every listed material has been replaced (and the note answers the rest); review continues."""
    application = _get(request, pk)
    form = SupplyForm(request.POST, auto_id="supply-%s")
    if not form.is_valid():
        return _render_detail(request, application, supply_form=form, status=400)
    try:
        review.application_supply(actor=request.user, application=application, note=form.cleaned_data["note"])
    except ValidationError as exc:
        application.refresh_from_db()
        return _render_detail(request, application, supply_form=form, supply_errors=_messages_of(exc), status=400)
    except (DomainError, *CONFLICTS):
        messages.error(request, _("当前没有需要补正的内容，或办件状态已变化，请刷新页面。"))
        return redirect("application_detail", pk=application.pk)
    messages.success(request, _("已提交补正，审查继续。"))
    return redirect("application_detail", pk=application.pk)


# --- materials -----------------------------------------------------------------------------------------
def _material(application: Application, mid: int) -> ApplicationMaterial:
    return get_object_or_404(ApplicationMaterial, application=application, pk=mid)


def _material_done(request: HttpRequest, application: Application, material: ApplicationMaterial,
                   errors: list[str], success: str) -> HttpResponse:
    """htmx: the material's row again; otherwise back to the page, with the errors beside the material."""
    application.refresh_from_db()
    editable = application.status in filing.EDITABLE
    if request.htmx and editable:  # type: ignore[attr-defined]
        material = (ApplicationMaterial.objects.select_related("licence").prefetch_related("documents", "commitments")
                    .get(pk=material.pk))
        row = _material_rows(application, [material], {material.pk: errors})[0]
        return render(request, "applications/_material_row.html", {
            "application": application, "row": row, "may_use_leniency": application.applicant.may_use_leniency,
            "done": "" if errors else success})
    if errors and editable:
        return _render_edit(request, application, material_errors={material.pk: errors})
    if errors:
        for message in errors:
            messages.error(request, f"{material.name}：{message}")
    else:
        messages.success(request, success)
    target = "application_edit" if editable else "application_detail"
    url = f"{reverse(target, args=[application.pk])}#material-{material.pk}"
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)  # the whole page changed: load it
    return redirect(url)


@login_required
@require_POST
def material_upload(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    application = _get(request, pk)
    material = _material(application, mid)
    errors: list[str] = []
    try:
        form = UploadForm(request.POST, request.FILES)
        valid = form.is_valid()
    except TooManyFilesSent:
        valid, errors = False, [_("一次最多上传 %(n)s 个文件，请分批上传。") % {"n": _max_files_per_request()}]
    if valid:
        try:
            filing.material_upload(actor=request.user, application=application, material=material,
                                   files=form.cleaned_data["file"])
        except ValidationError as exc:
            errors = _messages_of(exc)
        except CONFLICTS:
            errors = [_conflict_message()]
    elif not errors:
        errors = [str(e) for e in form.errors.get("file", [])] or [_("请选择要上传的文件。")]
    return _material_done(request, application, material, errors, _("文件已上传。"))


def _max_files_per_request() -> int:
    return settings.DATA_UPLOAD_MAX_NUMBER_FILES or 0


@login_required
@require_POST
def material_reuse(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    application = _get(request, pk)
    material = _material(application, mid)
    documents = selectors.reusable_documents(application=application).get(material.name, [])
    form = ReuseForm(request.POST, documents=documents)
    errors: list[str] = []
    if form.is_valid():
        try:
            filing.material_reuse(actor=request.user, application=application, material=material,
                                  document=form.cleaned_data["document"])
        except ValidationError as exc:
            errors = _messages_of(exc)
        except CONFLICTS:
            errors = [_conflict_message()]
    else:
        errors = [str(e) for e in form.errors.get("document", [])]
    return _material_done(request, application, material, errors, _("已复用以前提交的文件。"))


@login_required
@require_POST
def material_commit(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    application = _get(request, pk)
    material = _material(application, mid)
    form = CommitmentForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            filing.material_commit(actor=request.user, application=application, material=material,
                                   signed_name=form.cleaned_data["signed_name"])
        except ValidationError as exc:
            errors = _messages_of(exc)
        except CONFLICTS:
            errors = [_conflict_message()]
    else:
        errors = [str(e) for e in form.errors.get("signed_name", [])]
    return _material_done(request, application, material, errors, _("告知承诺已签署，可代替该材料。"))


@login_required
@require_POST
def material_remove(request: HttpRequest, pk: int, mid: int, doc: Any) -> HttpResponse:
    application = _get(request, pk)
    material = _material(application, mid)
    document = get_object_or_404(material.documents, pk=doc)
    errors: list[str] = []
    try:
        filing.material_remove(actor=request.user, application=application, material=material, document=document)
    except ValidationError as exc:
        errors = _messages_of(exc)
    except CONFLICTS:
        errors = [_conflict_message()]
    return _material_done(request, application, material, errors, _("文件已移除。"))


# --- notices and documents ------------------------------------------------------------------------------
@login_required
@require_GET
def application_notices_partial(request: HttpRequest, pk: int) -> HttpResponse:
    """The notices list alone: polled with htmx while a notice's PDF is being rendered."""
    application = _get(request, pk)
    return render(request, "applications/_notices.html",
                  {"application": application, "notices": application.notices.all()})


def _attachment(file: Any, filename: str, content_type: str) -> FileResponse:
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file (storage restored from an older backup)
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def notice_pdf(request: HttpRequest, pk: int, nid: int) -> FileResponse:
    application = _get(request, pk)
    notice = get_object_or_404(application.notices, pk=nid)
    if not notice.pdf:
        raise Http404
    audit_record(actor=request.user, action="notice.download", obj=notice,
                 after={"application": application.number})
    return _attachment(notice.pdf, f"{notice.number}.pdf", "application/pdf")


@login_required
@require_GET
def document_download(request: HttpRequest, pk: Any) -> FileResponse:
    """A material file: to its applicant's accounts and to clerks only (404 for anyone else)."""
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    audit_record(actor=request.user, action="document.download", obj=document,
                 after={"applicant": document.applicant_id})
    return _attachment(document.file, document.original_name, document.content_type or "application/octet-stream")


# --- public tracking ------------------------------------------------------------------------------------
def _public(application: Application) -> dict[str, Any]:
    """What anyone holding the number and code (or the QR code) may read: no names, IDs or materials."""
    return {
        "public": {
            "number": application.number,
            "title": application.title,
            "department": application.department.name,
            "status": application.status,
            "status_display": application.get_status_display(),
        },
        "events": [e.as_public() for e in application.events.all()],
        "awaiting": selectors.awaiting(application),
    }


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "POST"])
@limit_posts("track")
def application_track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        application = selectors.application_by_tracking(number=form.cleaned_data["number"],
                                                        query_code=form.cleaned_data["query_code"])
        if application is not None:
            return redirect(application.tracking_path())
        return _noindex(render(request, "applications/track.html", {"form": form, "not_found": True}))
    return _noindex(render(request, "applications/track.html", {"form": form}))


@require_GET
def application_track_token(request: HttpRequest, token: str) -> HttpResponse:
    application = selectors.application_by_token(token)
    if application is None:
        return _noindex(render(request, "applications/track.html", {"form": TrackForm(), "not_found": True},
                               status=404))
    return _noindex(render(request, "applications/track_result.html", _public(application)))


# --- an enterprise's staff accounts ---------------------------------------------------------------------
@role_required(Role.APPLICANT_ENTERPRISE)
@require_http_methods(["GET", "POST"])
def enterprise_staff(request: HttpRequest) -> HttpResponse:
    """经办人: the enterprise's owner account adds and removes the staff accounts that may file for it."""
    try:
        applicant = applicant_for_user(user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return render(request, "applications/enterprise_staff.html", {"applicant": None})
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _staff_change(request, applicant, form)
        if done:
            return redirect("enterprise_staff")
    members = applicant.members.select_related("user").order_by("role", "added_at")
    is_owner = any(m.user_id == request.user.pk and m.role == ApplicantMember.Role.OWNER for m in members)
    return render(request, "applications/enterprise_staff.html", {
        "applicant": applicant, "members": members, "is_owner": is_owner, "form": form})


def _staff_change(request: HttpRequest, applicant: Applicant, form: StaffForm) -> bool:
    user = get_user_model().objects.filter(username=form.cleaned_data["username"].strip(), is_active=True).first()
    if user is None:
        form.add_error("username", _("没有这个用户名的账号。"))
        return False
    try:
        if form.cleaned_data["action"] == StaffForm.REMOVE:
            applicant_member_remove(actor=request.user, applicant=applicant, user=user)
            messages.success(request, _("已移除经办人 %(name)s。") % {"name": user.get_username()})
        else:
            applicant_member_add(actor=request.user, applicant=applicant, user=user)
            messages.success(request, _("已添加经办人 %(name)s。") % {"name": user.get_username()})
    except ValidationError as exc:
        for key, msgs in _errors_by_key(exc).items():
            form.add_error("username" if key in ("username", "__all__") else None, msgs)
        return False
    except DomainError as exc:
        form.add_error(None, str(exc))
        return False
    return True
