"""The clerk's one-window desk (综合窗口): the shared pre-review queue, finding or registering an applicant,
starting a window intake, and the intake page with its four outcomes; and the administrator's credit page.

Every form works without JavaScript (POST, then a redirect, or the page again with the errors on the right
form). Writes go through applications.services; a conflict (another window acted first) becomes a message
on the reloaded page, a domain rule's refusal its own message, bad input the field's message.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications import credit_import
from applications.forms_desk import (
    ApplicantRegisterForm,
    ApplicantSearchForm,
    CommitForm,
    CreditEditForm,
    CreditFilterForm,
    CreditImportForm,
    IntakeStartForm,
    InterviewForm,
    ItemSearchForm,
    ProxyForm,
    RefuseForm,
    RongqueForm,
    SupplementForm,
    UploadForm,
)
from applications.models import (
    Applicant,
    ApplicantKind,
    Application,
    ApplicationMaterial,
    Channel,
    Document,
    MaterialStatus,
    Status,
)
from applications.models.queue import Ticket, TicketStatus
from applications.selectors import applicants_search, application_get_for_user, prereview_queue, reusable_documents
from applications.services.applicants import applicant_clear_interview, applicant_register, applicant_set_credit
from applications.services.filing import (
    EDITABLE,
    application_record_proxy,
    application_save_form,
    application_start,
    application_submit,
    commitment_text,
    form_fields_of,
    material_commit,
    material_reuse,
    material_upload,
)
from applications.services.intake import (
    application_accept,
    application_accept_rongque,
    application_refuse,
    application_request_supplement,
    rongque_latest_due,
)
from applications.services.queue import ticket_serve
from items.application_form import application_form
from items.models import FormField
from items.selectors import published_bundles, published_items, search_published_items
from portal.clock import CalendarRangeError, WorkCalendar, get_calendar
from portal.errors import CONFLICTS, DomainError
from portal.models import Role
from portal.permissions import role_required

clerk_only = role_required(Role.CLERK)
sysadmin_only = role_required(Role.SYSADMIN)
PAGE_SIZE = 20
ITEM_RESULTS = 20
ITEM_FORM_PREFIX = "f"


# --- errors: one place where services' refusals become messages or form errors ---------------------
def _refused(request: HttpRequest, application: Application, exc: Exception) -> HttpResponse:
    """A conflict or a domain rule refused the action: say so on the reloaded intake page."""
    if isinstance(exc, CONFLICTS):
        current = Application.objects.filter(pk=application.pk).only("status").first()
        status = current.get_status_display() if current is not None else ""
        messages.error(request, _("该办件已被其他窗口处理（当前状态：%(status)s），页面已刷新。") % {"status": status})
    else:
        messages.error(request, str(exc))
    return redirect("desk_application", pk=application.pk)


def _put_errors(form: forms.Form, exc: ValidationError, *, prefix: str = "",
                labels: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the (bound) form: each message on its field, others on top."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        name = key.removeprefix(prefix)
        target = name if name in form.fields else None
        for message in errors:
            if target is None and labels and name in labels:
                message = f"{labels[name]}：{message}"
            if message not in form.errors.get(target or "__all__", []):
                form.add_error(target, message)


def _error_messages(request: HttpRequest, exc: ValidationError, labels: dict[str, str]) -> None:
    """A service's ValidationError as page messages naming the field (for actions without a form of their own)."""
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    for key, errors in items:
        name = key.removeprefix("form_data.")
        label = labels.get(name, "")
        for message in errors:
            messages.error(request, f"{label}：{message}" if label else message)


# --- the pre-review queue ------------------------------------------------------------------------------
def _due_state(due: date | None, today: date, calendar: WorkCalendar) -> str:
    """"overdue", "due-soon" (1 working day or less left) or "" — for the colour of the acceptance due date."""
    if due is None:
        return ""
    if due < today:
        return "overdue"
    try:
        left = calendar.working_days_between(today, due)
    except CalendarRangeError:
        return ""
    return "due-soon" if left <= 1 else ""


@clerk_only
@require_GET
def desk_queue(request: HttpRequest) -> HttpResponse:
    """预审队列: every online submission awaiting an outcome, green channel first, then the oldest."""
    page = Paginator(prereview_queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    calendar = get_calendar()  # once per page: the rows share it
    rows = [{"application": a, "due_state": _due_state(a.acceptance_due, today, calendar)} for a in page]
    return render(request, "applications/desk/queue.html", {"page": page, "rows": rows, "today": today})


@clerk_only
@require_GET
def desk_queue_count(request: HttpRequest) -> HttpResponse:
    """The queue's length, for the clerk's workspace (loaded by htmx)."""
    return render(request, "applications/desk/_queue_count.html", {"count": prereview_queue().count()})


# --- finding or registering an applicant -----------------------------------------------------------------
@clerk_only
@require_http_methods(["GET", "POST"])
def desk_applicants(request: HttpRequest) -> HttpResponse:
    """Find an applicant by ID number / USCC or name (sent by POST: no ID number in a URL), or register one."""
    action = request.POST.get("action")
    search_form = ApplicantSearchForm(request.POST if action == "search" else None)
    register_form = ApplicantRegisterForm(request.POST if action == "register" else None)
    results: list[Applicant] | None = None
    ticket = _int(request.POST.get("ticket") or request.GET.get("ticket"))
    if action == "search" and search_form.is_valid():
        results = list(applicants_search(query=search_form.cleaned_data["q"]))
    elif action == "register" and register_form.is_valid():
        try:
            applicant = applicant_register(actor=request.user, **register_form.service_kwargs())
        except ValidationError as exc:
            _put_errors(register_form, exc)
        else:
            messages.success(request, _("申请人“%(name)s”已登记。") % {"name": applicant.name})
            return redirect(_intake_new_url(applicant.pk, ticket))
    return render(request, "applications/desk/applicants.html", {
        "search_form": search_form, "register_form": register_form, "results": results, "ticket": ticket,
        "action": action})


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _intake_new_url(applicant_id: int, ticket: int | None, **extra: str) -> str:
    params: dict[str, Any] = {"applicant": applicant_id, **extra}
    if ticket:
        params["ticket"] = ticket
    return f"{reverse('desk_intake_new')}?{urlencode(params)}"


# --- starting a window intake ----------------------------------------------------------------------------
def _ticket(ticket_id: int | None) -> Ticket | None:
    """The queue ticket being served, if the intake was started from the queue desk."""
    if not ticket_id:
        return None
    return Ticket.objects.filter(pk=ticket_id).select_related("applicant").first()


def _serve_ticket(request: HttpRequest, ticket_id: int | None) -> None:
    """Tell the hall queue that the person called is now being served."""
    ticket = _ticket(ticket_id)
    if ticket is None or ticket.status == TicketStatus.SERVED:
        return
    try:
        ticket_serve(actor=request.user, ticket=ticket)
    except (DomainError, ValidationError, *CONFLICTS) as exc:
        messages.warning(request, _("排队号 %(number)s 未能标记为办理中：%(reason)s") % {
            "number": ticket, "reason": str(exc)})


@clerk_only
@require_http_methods(["GET", "POST"])
def desk_intake_new(request: HttpRequest) -> HttpResponse:
    """新办件: choose the item (search the published catalogue) or a bundle, then open the draft."""
    if request.method == "POST":
        return _intake_start(request)
    ticket_id = _int(request.GET.get("ticket"))
    applicant_id = _int(request.GET.get("applicant"))
    if applicant_id is None:
        ticket = _ticket(ticket_id)
        applicant_id = getattr(ticket, "applicant_id", None)
    if applicant_id is None:
        messages.info(request, _("请先查找或登记申请人。"))
        url = reverse("desk_applicants") + (f"?ticket={ticket_id}" if ticket_id else "")
        return redirect(url)
    applicant = get_object_or_404(Applicant, pk=applicant_id)
    search = ItemSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    items = search_published_items(query)[:ITEM_RESULTS] if query else []
    return render(request, "applications/desk/intake_new.html", {
        "applicant": applicant, "ticket": ticket_id, "search_form": search, "query": query, "items": items,
        "bundles": published_bundles(), "key": uuid.uuid4().hex[:32]})


def _intake_start(request: HttpRequest) -> HttpResponse:
    form = IntakeStartForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("__all__", []) or [_("请求无效，请重新选择事项。")]:
            messages.error(request, str(error))
        applicant_id = _int(request.POST.get("applicant"))
        return redirect(_intake_new_url(applicant_id, None) if applicant_id else reverse("desk_applicants"))
    data = form.cleaned_data
    applicant = get_object_or_404(Applicant, pk=data["applicant"])
    back = _intake_new_url(applicant.pk, data["ticket"])
    version = bundle = None
    if data["item"] is not None:
        item = published_items().filter(pk=data["item"]).first()
        version = item.published if item is not None else None
    else:
        bundle = published_bundles().filter(pk=data["bundle"]).first()
    if version is None and bundle is None:
        messages.error(request, _("所选事项当前未发布，不能受理。"))
        return redirect(back)
    try:
        application = application_start(actor=request.user, applicant=applicant, version=version, bundle=bundle,
                                        channel=Channel.WINDOW, idempotency_key=data["key"])
    except ValidationError as exc:
        _error_messages(request, exc, {})
        return redirect(back)
    _serve_ticket(request, data["ticket"])
    messages.success(request, _("已登记申请 %(number)s，请填写申请表并收取材料。") % {"number": application.number})
    return redirect("desk_application", pk=application.pk)


# --- the intake page -------------------------------------------------------------------------------------
def _form_fields(application: Application) -> list[FormField]:
    return [f for f in form_fields_of(application) if f.field_type != "file"]


def _item_form(application: Application, fields: list[FormField], data: Any = None) -> forms.Form:
    """The item's own form, filled with what is saved; read-only once the application has left the draft."""
    form = application_form(fields)(data=data, initial=application.form_data, prefix=ITEM_FORM_PREFIX)
    editable = application.status in EDITABLE
    for field in form.fields.values():
        field.required = False  # a draft may be saved incomplete; submitting checks completeness
        field.disabled = not editable
    return form


def _page(request: HttpRequest, application: Application, *, status: int = 200, **bound: Any) -> HttpResponse:
    """The intake page; `bound` carries a form sent back with its errors (by its context name)."""
    application = (Application.objects.select_related("applicant", "version", "bundle", "department",
                                                      "responsible_clerk", "accepted_by")
                   .get(pk=application.pk))
    applicant = application.applicant
    materials = list(application.materials.select_related("licence").prefetch_related("documents", "commitments"))
    fields = _form_fields(application)
    editable = application.status in EDITABLE
    submitted = application.status == Status.SUBMITTED
    may_change_materials = editable or submitted
    reusable = reusable_documents(application=application) if may_change_materials else {}
    notices = list(application.notices.all())
    rows = []
    for m in materials:
        rows.append({
            "material": m,
            "upload_form": UploadForm(auto_id=f"id_up{m.pk}_%s"),
            "commit_form": CommitForm(auto_id=f"id_cm{m.pk}_%s", initial={"signed_name": applicant.name}),
            "may_commit": m.commitment_allowed and m.status != MaterialStatus.COMMITMENT and applicant.may_use_leniency,
            "commitment_text": commitment_text(m) if m.commitment_allowed else "",
            "reusable": reusable.get(m.name, []),
        })
    context: dict[str, Any] = {
        "application": application, "applicant": applicant, "materials": materials, "material_rows": rows,
        "events": application.events.all(), "notices": notices,
        "notices_pending": any(not n.is_ready for n in notices),
        "editable": editable, "submitted": submitted, "may_change_materials": may_change_materials,
        "may_submit": application.status == Status.DRAFT and application.channel == Channel.WINDOW,
        "item_form": bound.get("item_form") or _item_form(application, fields),
        "interview_form": bound.get("interview_form") or InterviewForm(),
        "proxy_form": bound.get("proxy_form") or ProxyForm(),
        "active": bound.get("active", ""),
        "instant_decision_url": _instant_decision_url(request, application),
    }
    if submitted:
        latest = rongque_latest_due(application, timezone.localdate())
        context.update(
            supplement_form=bound.get("supplement_form") or SupplementForm(materials=materials, fields=fields),
            refuse_form=bound.get("refuse_form") or RefuseForm(),
            rongque_form=bound.get("rongque_form") or RongqueForm(materials=materials, latest=latest),
            rongque_latest=latest,
            unsatisfied=[m for m in materials if m.required and not m.is_satisfied],
        )
    return render(request, "applications/desk/application.html", context, status=status)


def _instant_decision_url(request: HttpRequest, application: Application) -> str:
    """即办件: the clerk who accepted it decides on the spot, on the review app's page (a plain path: intake
    does not import review)."""
    instant = application.version is not None and application.version.instant
    if instant and application.status == Status.ACCEPTED and application.accepted_by_id == request.user.pk:
        return f"/review/applications/{application.pk}/decide/"
    return ""


def _application(request: HttpRequest, pk: int) -> Application:
    return application_get_for_user(user=request.user, pk=pk)


def _material(application: Application, mid: int) -> ApplicationMaterial:
    return get_object_or_404(ApplicationMaterial, pk=mid, application=application)


@clerk_only
@require_GET
def desk_application(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _application(request, pk))


@clerk_only
@require_POST
def desk_save_form(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    fields = _form_fields(application)
    data = {f.key: request.POST.get(f"{ITEM_FORM_PREFIX}-{f.key}", "") for f in fields}
    try:
        application_save_form(actor=request.user, application=application, data=data)
    except ValidationError as exc:
        form = _item_form(application, fields, data=request.POST)
        form.is_valid()
        _put_errors(form, exc, prefix="form_data.")
        messages.error(request, _("申请表有错误，未保存，请按提示更正。"))
        return _page(request, application, item_form=form, active="form")
    except (DomainError, *CONFLICTS) as exc:
        return _refused(request, application, exc)
    messages.success(request, _("申请表已保存。"))
    return redirect(reverse("desk_application", args=[application.pk]) + "#form")


def _labels(application: Application) -> dict[str, str]:
    return {f.key: str(f.label) for f in _form_fields(application)}


@clerk_only
@require_POST
def desk_upload(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    """扫描上传: the clerk scans the paper material at the window (also while the submission is pre-reviewed)."""
    application = _application(request, pk)
    material = _material(application, mid)
    try:
        documents = material_upload(actor=request.user, application=application, material=material,
                                    files=request.FILES.getlist("scans"))
    except ValidationError as exc:
        _error_messages(request, exc, {"files": material.name, "material": material.name})
    except (DomainError, *CONFLICTS) as exc:
        return _refused(request, application, exc)
    else:
        messages.success(request, _("“%(name)s”已上传 %(n)s 个文件。") % {"name": material.name, "n": len(documents)})
    return redirect(reverse("desk_application", args=[application.pk]) + "#materials")


@clerk_only
@require_POST
def desk_reuse(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    """免提交: use a file the applicant gave in an earlier application."""
    application = _application(request, pk)
    material = _material(application, mid)
    try:
        document_id = uuid.UUID(request.POST.get("document", ""))
    except ValueError as exc:
        raise Http404 from exc
    document = get_object_or_404(Document, pk=document_id, applicant=application.applicant_id)
    try:
        material_reuse(actor=request.user, application=application, material=material, document=document)
    except ValidationError as exc:
        _error_messages(request, exc, {"document": material.name})
    except (DomainError, *CONFLICTS) as exc:
        return _refused(request, application, exc)
    else:
        messages.success(request, _("“%(name)s”已复用已有材料。") % {"name": material.name})
    return redirect(reverse("desk_application", args=[application.pk]) + "#materials")


@clerk_only
@require_POST
def desk_commit(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    """告知承诺: the applicant signs (their name typed at the window) and the commitment replaces the proof."""
    application = _application(request, pk)
    material = _material(application, mid)
    form = CommitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("“%(name)s”：请输入承诺人签名。") % {"name": material.name})
        return redirect(reverse("desk_application", args=[application.pk]) + "#materials")
    try:
        material_commit(actor=request.user, application=application, material=material,
                        signed_name=form.cleaned_data["signed_name"])
    except ValidationError as exc:
        _error_messages(request, exc, {"material": material.name, "signed_name": material.name})
    except (DomainError, *CONFLICTS) as exc:
        return _refused(request, application, exc)
    else:
        messages.success(request, _("“%(name)s”已签署告知承诺。") % {"name": material.name})
    return redirect(reverse("desk_application", args=[application.pk]) + "#materials")


@clerk_only
@require_POST
def desk_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """提交并预审: the window draft is complete; the outcome forms follow on the same page."""
    application = _application(request, pk)
    try:
        application_submit(actor=request.user, application=application)
    except ValidationError as exc:
        messages.error(request, _("尚不能提交："))
        _error_messages(request, exc, {**_labels(application), "materials": "", "status": ""})
        return redirect("desk_application", pk=application.pk)
    except (DomainError, *CONFLICTS) as exc:
        return _refused(request, application, exc)
    messages.success(request, _("已提交，请作出预审结论。"))
    return redirect(reverse("desk_application", args=[application.pk]) + "#outcomes")


@clerk_only
@require_POST
def desk_accept(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    try:
        application_accept(actor=request.user, application=application)
    except (DomainError, *CONFLICTS) as exc:
        return _refused(request, application, exc)
    messages.success(request, _("已受理，受理通知书已出具。"))
    instant = application.version is not None and application.version.instant
    return redirect(reverse("desk_application", args=[application.pk]) + ("#instant" if instant else "#notices"))


@clerk_only
@require_POST
def desk_supplement(request: HttpRequest, pk: int) -> HttpResponse:
    """一次性告知: one notice listing every problem ticked on the one form."""
    application = _application(request, pk)
    if application.status != Status.SUBMITTED:
        return _refused(request, application, _conflict(application))
    form = SupplementForm(request.POST, materials=list(application.materials.all()),
                          fields=_form_fields(application))
    if form.is_valid():
        try:
            application_request_supplement(actor=request.user, application=application,
                                           problems=form.cleaned_data["problems"])
        except ValidationError as exc:
            _put_errors(form, exc)
        except (DomainError, *CONFLICTS) as exc:
            return _refused(request, application, exc)
        else:
            messages.success(request, _("一次性告知补正通知书已出具（%(n)s 项）。") % {
                "n": len(form.cleaned_data["problems"])})
            return redirect(reverse("desk_application", args=[application.pk]) + "#notices")
    messages.error(request, _("一次性告知补正未出具，请按提示更正。"))
    return _page(request, application, supplement_form=form, active="supplement")


def _conflict(application: Application) -> Exception:
    from applications.services.intake import transition_conflict

    return transition_conflict(application)


@clerk_only
@require_POST
def desk_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """不予受理 with reasons, the competent authority and how to succeed (双告知); remedies by the service."""
    application = _application(request, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            application_refuse(actor=request.user, application=application, **form.cleaned_data)
        except ValidationError as exc:
            _put_errors(form, exc)
        except (DomainError, *CONFLICTS) as exc:
            return _refused(request, application, exc)
        else:
            messages.success(request, _("不予受理通知书已出具。"))
            return redirect(reverse("desk_application", args=[application.pk]) + "#notices")
    if application.status != Status.SUBMITTED:
        return _refused(request, application, _conflict(application))
    messages.error(request, _("不予受理通知书未出具，请按提示更正。"))
    return _page(request, application, refuse_form=form, active="refuse")


@clerk_only
@require_POST
def desk_rongque(request: HttpRequest, pk: int) -> HttpResponse:
    """容缺受理: only secondary materials, a deadline within the promised limit, the applicant's signature."""
    application = _application(request, pk)
    if not application.applicant.may_use_leniency:
        messages.error(request, _("申请人有失信记录或信用等级不符，不适用容缺受理。"))
        return redirect("desk_application", pk=application.pk)
    if application.status != Status.SUBMITTED:
        return _refused(request, application, _conflict(application))
    form = RongqueForm(request.POST, materials=list(application.materials.all()),
                       latest=rongque_latest_due(application, timezone.localdate()))
    if form.is_valid():
        try:
            application_accept_rongque(actor=request.user, application=application, **form.cleaned_data)
        except ValidationError as exc:
            _put_errors(form, exc)
        except (DomainError, *CONFLICTS) as exc:
            return _refused(request, application, exc)
        else:
            messages.success(request, _("已容缺受理，容缺受理通知书已出具。"))
            return redirect(reverse("desk_application", args=[application.pk]) + "#notices")
    messages.error(request, _("未能容缺受理，请按提示更正。"))
    return _page(request, application, rongque_form=form, active="rongque")


@clerk_only
@require_POST
def desk_interview(request: HttpRequest, pk: int) -> HttpResponse:
    """约谈: the clerk records that the interview took place, which clears the applicant's flag."""
    application = _application(request, pk)
    form = InterviewForm(request.POST)
    if form.is_valid():
        try:
            applicant_clear_interview(actor=request.user, applicant=application.applicant,
                                      note=form.cleaned_data["note"])
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("已记录约谈情况。"))
            return redirect("desk_application", pk=application.pk)
    return _page(request, application, interview_form=form, active="interview")


@clerk_only
@require_POST
def desk_proxy(request: HttpRequest, pk: int) -> HttpResponse:
    """帮办代办: record the agent and scan the applicant's signed authorisation."""
    application = _application(request, pk)
    form = ProxyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            application_record_proxy(actor=request.user, application=application,
                                     authorisation=form.cleaned_data["authorisation"],
                                     agent=form.cleaned_data["agent"])
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("已登记帮办代办。"))
            return redirect("desk_application", pk=application.pk)
    return _page(request, application, proxy_form=form, active="proxy")


# --- the administrator's credit page ---------------------------------------------------------------------
def _credit_query(data: Any) -> str:
    """The list's filters, kept across an edit (only the known keys)."""
    return urlencode({k: data.get(k) for k in ("q", "grade", "dishonest", "page") if data.get(k)})


@sysadmin_only
@require_http_methods(["GET", "POST"])
def credit_admin(request: HttpRequest) -> HttpResponse:
    """信用等级: enterprises with their grade and dishonesty flag; edit one, or import a workbook."""
    import_form = CreditImportForm()
    import_errors: list[tuple[int, str]] = []
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "edit":
            return _credit_edit(request)
        if action == "import":
            import_form = CreditImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                try:
                    count = credit_import.credit_import(actor=request.user, file=import_form.cleaned_data["file"])
                except credit_import.CreditImportError as exc:
                    import_errors = exc.errors
                    messages.error(request, _("导入失败：共 %(n)s 处错误，未写入任何数据。") % {"n": len(exc.errors)})
                else:
                    messages.success(request, _("已导入 %(n)s 家企业的信用等级。") % {"n": count})
                    return redirect("credit_admin")
    filters = CreditFilterForm(request.GET)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    qs = credit_import.enterprises_for_credit(query=cleaned.get("q", ""), grade=cleaned.get("grade", ""),
                                              dishonest=cleaned.get("dishonest", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"applicant": a, "form": CreditEditForm(auto_id=f"id_c{a.pk}_%s", form_id=f"credit-{a.pk}", initial={
        "applicant": a.pk, "grade": a.credit_grade, "dishonest": a.dishonest, "note": a.credit_note})}
        for a in page]
    return render(request, "applications/desk/credit.html", {
        "filters": filters, "page": page, "rows": rows, "import_form": import_form, "import_errors": import_errors,
        "query": _credit_query(request.GET), "page_query": _credit_query({**request.GET.dict(), "page": ""}),
    })


def _credit_edit(request: HttpRequest) -> HttpResponse:
    form = CreditEditForm(request.POST)
    back = reverse("credit_admin")
    query = _credit_query(request.GET)
    if query:
        back += f"?{query}"
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else str(error))
        return redirect(back)
    applicant = get_object_or_404(Applicant, pk=form.cleaned_data["applicant"], kind=ApplicantKind.ENTERPRISE)
    try:
        applicant_set_credit(actor=request.user, applicant=applicant, grade=form.cleaned_data["grade"],
                             dishonest=form.cleaned_data["dishonest"], note=form.cleaned_data["note"])
    except ValidationError as exc:
        _error_messages(request, exc, {"credit_grade": str(_("信用等级"))})
    else:
        messages.success(request, _("“%(name)s”的信用信息已更新。") % {"name": applicant.name})
    return redirect(back)


@sysadmin_only
@require_GET
def credit_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(credit_import.credit_template(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="credit-template.xlsx"'
    return response
