"""Public verification (证照核验): anyone holding the QR code, or the number and the holder code, sees whether
the licence is valid, expired, revoked, cancelled or replaced, with its public metadata (the holder code
masked); and may upload a PDF to learn whether it is the file issued (SHA-256) and whether its signature
holds. No sign-in; POSTs are rate-limited per address."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from licences import selectors
from licences.forms import UploadForm, VerifyForm
from licences.models import Licence
from licences.views.common import VERDICTS, noindex, uploaded_bytes, verify_limit


def verdict_context(licence: Licence) -> dict[str, Any]:
    verdict = licence.validity(timezone.localdate())
    return {"licence": licence, "verdict": verdict, "verdict_label": VERDICTS[verdict]}


def _check(form: UploadForm, licence: Licence | None) -> dict[str, Any]:
    """Hash and signature of the uploaded file. On a licence's page it matches that licence's stored hash
    only; on the form page, any licence's."""
    upload = selectors.check_upload(uploaded_bytes(form.cleaned_data["file"]))
    if licence is not None:
        matched = bool(licence.pdf_sha256) and upload.sha256 == licence.pdf_sha256
        return {"upload": upload, "upload_matches": matched, "upload_licence": licence if matched else None}
    return {"upload": upload, "upload_matches": upload.matches, "upload_licence": upload.licence}


@require_http_methods(["GET", "POST"])
@verify_limit
def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    """The page the licence's QR code opens; a POST checks an uploaded PDF against this licence."""
    licence = selectors.licence_by_token(token)
    if licence is None:
        return noindex(render(request, "licences/verify_not_found.html", status=404))
    context = verdict_context(licence)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        context.update(_check(form, licence))
    context["upload_form"] = form
    return noindex(render(request, "licences/verify_result.html", context))


@require_http_methods(["GET", "POST"])
@verify_limit
def verify(request: HttpRequest) -> HttpResponse:
    """By number and holder code (→ the licence's page), or by uploading its PDF."""
    uploading = request.method == "POST" and request.POST.get("action") == "upload"
    looking_up = request.method == "POST" and not uploading
    form = VerifyForm(request.POST if looking_up else None)
    upload_form = UploadForm(request.POST if uploading else None, request.FILES if uploading else None)
    context: dict[str, Any] = {"form": form, "upload_form": upload_form}
    if looking_up and form.is_valid():
        licence = selectors.licence_find(number=form.cleaned_data["number"],
                                         holder_code=form.cleaned_data["holder_code"])
        if licence is not None:
            return redirect(licence.verify_path())
        context["not_found"] = True
    if uploading and upload_form.is_valid():
        context.update(_check(upload_form, None))
        if context["upload_licence"] is not None:
            context.update(verdict_context(context["upload_licence"]))
    return noindex(render(request, "licences/verify.html", context))
