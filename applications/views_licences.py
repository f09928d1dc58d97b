"""The holder's licences (我的证照): the licence library, one licence with its download, its delivery choice
(Art. 44) and its verification link, and the renewal (延续, Art. 50); and the licences of an approved
application on its page, with their progress while they are made.

A user sees the licences of the applicants they act for (ApplicantMember); any other licence is a 404.
Views check the shape of input and call the services; the services decide.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from applications import selectors
from applications.models import Application, Status
from applications.services import filing
from applications.services import licences as holder_licences
from items.models import ResultType
from licences import holders
from licences import selectors as licence_selectors
from licences.models import DeliveryMethod, Licence
from licences.services import LicenceConflict, licence_choose_delivery, licence_record_download
from portal.errors import CONFLICTS, DomainError
from portal.pdf import qr_data_uri

PAGE_SIZE = 20
VALIDITY_LABELS = {
    "valid": gettext_lazy("有效"),
    "expired": gettext_lazy("已过期"),
    "revoked": pgettext_lazy("licence", "已撤销"),
    "cancelled": gettext_lazy("已注销"),
    "replaced": gettext_lazy("已换发"),
    "rendering": gettext_lazy("制证中"),
}
# The application status badges of applications.css, reused for licences.
VALIDITY_STYLES = {"valid": "approved", "expired": "denied", "revoked": "denied", "cancelled": "denied",
                   "replaced": "withdrawn", "rendering": "submitted"}


class DeliveryForm(forms.Form):
    """How the holder receives the licence: download, pick-up at the result window, or free express."""

    method = forms.ChoiceField(label=gettext_lazy("领取方式"), choices=DeliveryMethod.choices,
                               widget=forms.RadioSelect)
    address = forms.CharField(label=gettext_lazy("收件地址"), max_length=200, required=False,
                              help_text=gettext_lazy("选择免费邮寄时填写。"))
    recipient = forms.CharField(label=gettext_lazy("收件人"), max_length=100, required=False)
    phone = forms.CharField(label=gettext_lazy("收件人电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


def delivery_form(licence: Licence, data: Any = None) -> DeliveryForm:
    return DeliveryForm(data, auto_id=f"l{licence.pk}-%s", initial={
        "method": licence.delivery_method, "address": licence.delivery_address,
        "recipient": licence.delivery_recipient, "phone": licence.delivery_phone})


def may_change_delivery(licence: Licence) -> bool:
    """Until the paper licence has been handed over or posted (one delivered electronically may still be
    asked for on paper)."""
    return licence.validity() in ("rendering", "valid") and licence.handed_over_at is None


def licence_row(licence: Licence, *, open_renewal: Application | None = None, holder: bool = True,
                form: DeliveryForm | None = None) -> dict[str, Any]:
    """What the pages show of one licence."""
    validity = licence.validity()
    changeable = holder and may_change_delivery(licence)
    return {
        "licence": licence,
        "validity": validity,
        "label": VALIDITY_LABELS.get(validity, validity),
        "style": VALIDITY_STYLES.get(validity, ""),
        "expiring": holder_licences.expiring_soon(licence),
        "renewal_due": holder_licences.renewal_due_on(licence),
        "renewal_late": holder_licences.renewal_late(licence),
        "open_renewal": open_renewal,
        "holder": holder,
        "delivery_form": (form or delivery_form(licence)) if changeable else None,
    }


def _mine(request: HttpRequest) -> QuerySet[Licence]:
    return licence_selectors.licences_of_holder(request.user)


def _get(request: HttpRequest, pk: int) -> Licence:
    """The licence if the user acts for its holder, else 404 (they need not know it exists)."""
    licence = _mine(request).filter(pk=pk).first()
    if licence is None:
        raise Http404
    return licence


# --- the library -------------------------------------------------------------------------------------------
@login_required
@require_GET
def licence_library(request: HttpRequest) -> HttpResponse:
    """我的证照: every licence of the applicants the account acts for; polled with htmx while one is made."""
    page = Paginator(_mine(request), PAGE_SIZE).get_page(request.GET.get("page"))
    licences = list(page.object_list)
    renewals = holder_licences.open_renewals(licences)
    rows = [licence_row(licence, open_renewal=renewals.get(licence.pk)) for licence in licences]
    context = {"page": page, "rows": rows, "rendering": any(r["validity"] == "rendering" for r in rows)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "applications/licences/_library_rows.html", context)
    return render(request, "applications/licences/library.html", context)


def _detail_context(request: HttpRequest, licence: Licence, form: DeliveryForm | None = None) -> dict[str, Any]:
    open_renewal = holder_licences.open_renewals([licence]).get(licence.pk)
    row = licence_row(licence, open_renewal=open_renewal, form=form)
    verify_url = request.build_absolute_uri(licence.verify_path())
    return {
        "row": row,
        "licence": licence,
        "verify_url": verify_url,
        "qr": qr_data_uri(verify_url) if row["validity"] != "rendering" else "",
        "renewal_refusal": holder_licences.renewal_refusal(licence, open_renewal=open_renewal),
        "origin": selectors.applications_visible_to(request.user).filter(number=licence.application_number).first()
        if licence.application_number else None,
    }


@login_required
@require_GET
def licence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _get(request, pk)
    context = _detail_context(request, licence)
    if request.htmx and request.GET.get("part") == "status":  # type: ignore[attr-defined]
        return render(request, "applications/licences/_status.html", context)
    return render(request, "applications/licences/detail.html", context)


@login_required
@require_GET
def licence_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The signed PDF, as an attachment; the first download is recorded (and every one audited)."""
    licence = _get(request, pk)
    if not licence.pdf:
        raise Http404
    try:
        handle = licence.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    licence_record_download(licence=licence, actor=request.user)
    response = FileResponse(handle, as_attachment=True, filename=f"{licence.number}.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def licence_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder chooses (or changes) how to receive the licence; errors beside the field they name."""
    licence = _get(request, pk)
    form = delivery_form(licence, request.POST)
    if form.is_valid():
        try:
            licence_choose_delivery(licence=licence, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        except (LicenceConflict, *CONFLICTS) as exc:
            messages.error(request, str(exc) or _("证照状态已变化，请刷新页面后再操作。"))
            return redirect("licence_detail", pk=licence.pk)
        else:
            messages.success(request, _("领取方式已保存：%(method)s。") % {
                "method": DeliveryMethod(form.cleaned_data["method"]).label})
            return redirect(_next(request, reverse("licence_detail", args=[licence.pk])))
    licence.refresh_from_db()
    return render(request, "applications/licences/detail.html", _detail_context(request, licence, form), status=400)


@login_required
@require_POST
def licence_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """延续: a draft of the item's renewal application, prefilled; then on to its form."""
    licence = _get(request, pk)
    try:
        application = filing.application_start_renewal(actor=request.user, licence=licence)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("licence_detail", pk=licence.pk)
    except (DomainError, *CONFLICTS) as exc:
        messages.error(request, str(exc))
        return redirect("licence_detail", pk=licence.pk)
    messages.success(request, _("已创建延续申请草稿，表单已按原申请预填，请核对后提交。"))
    return redirect("application_edit", pk=application.pk)


# --- the licences of an application ----------------------------------------------------------------------
def expects_licence(application: Application) -> bool:
    """Approved, and an item of it results in a licence (证照): one is being issued or has been."""
    if application.status != Status.APPROVED:
        return False
    if application.version_id is not None:
        return application.version.result_type == ResultType.LICENCE  # type: ignore[union-attr]
    return application.bundle_versions.filter(result_type=ResultType.LICENCE).exists()


def application_licences(request: HttpRequest, application: Application) -> dict[str, Any]:
    """The context of applications/_licences.html: the licences issued on it, with their progress."""
    if not expects_licence(application):
        return {"expected": False, "rows": [], "polling": False}
    licences = holder_licences.licences_of_application(application)
    codes = set(holders.holder_codes(request.user))
    rows = [licence_row(licence, holder=licence.holder_code in codes) for licence in licences]
    # Poll while a licence is being made — or not issued yet (the approval's task has not run).
    polling = not rows or any(r["validity"] == "rendering" for r in rows)
    return {"expected": True, "rows": rows, "polling": polling, "next": application_url(application)}


def application_url(application: Application) -> str:
    return reverse("application_detail", args=[application.pk])


@login_required
@require_GET
def application_licences_partial(request: HttpRequest, pk: int) -> HttpResponse:
    """The application's licences alone: polled with htmx while they are made."""
    application = selectors.application_get_for_user(user=request.user, pk=pk)
    return render(request, "applications/_licences.html",
                  {"application": application, "licences": application_licences(request, application),
                   "today": timezone.localdate()})
