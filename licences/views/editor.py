"""The licence template editor (证照版式) for catalogue administrators: every item whose published version's
result is a licence, with its own template or the default layout; edit, check, preview as a specimen PDF
(nothing saved, no number taken), save, or go back to the default."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from items.models import Item
from licences import selectors
from licences.forms import TemplateForm
from licences.rendering import PLACEHOLDERS, render_licence_pdf
from licences.services import licence_template_reset, licence_template_save
from licences.views.common import put_errors
from portal.models import Role
from portal.permissions import role_required

# The roles licences.services.may_edit_templates allows.
editors = role_required(Role.CATALOGUE_ADMIN, Role.SYSADMIN)
PAGE_SIZE = 50


@editors
@require_GET
def templates(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.licence_template_items(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "licences/templates.html", {"page": page})


def _preview(item: Item, body: str | None) -> HttpResponse:
    pdf = render_licence_pdf(selectors.specimen_licence(item), body=body, specimen=True)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="specimen-{item.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _editor(request: HttpRequest, item: Item, form: TemplateForm, custom: bool, status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {
        "item": item, "version": item.published, "form": form, "custom": custom,
        "placeholders": [(f"{{{{ {name} }}}}", label) for name, label in PLACEHOLDERS.items()],
    }
    return render(request, "licences/template_edit.html", context, status=status)


@editors
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, item_pk: int) -> HttpResponse:
    """`action` = save (check, then store), preview (a specimen PDF of the body in the form, in a new tab),
    or reset (back to the default layout)."""
    item = selectors.licence_template_item(pk=item_pk)
    body, custom = selectors.licence_template_body(item)
    if request.method == "GET":
        return _editor(request, item, TemplateForm(initial={"body": body}), custom)
    action = request.POST.get("action", "save")
    if action == "reset":
        licence_template_reset(item=item, actor=request.user)
        messages.success(request, _("已恢复为默认版式。"))
        return redirect("licence_template_edit", item.pk)
    form = TemplateForm(request.POST)
    if form.is_valid():
        if action == "preview":
            return _preview(item, form.cleaned_data["body"])
        try:
            licence_template_save(item=item, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("证照版式已保存，此后制作的证照使用新版式。"))
            return redirect("licence_template_edit", item.pk)
    messages.error(request, _("证照版式有误，未保存，请按提示更正。"))
    return _editor(request, item, form, custom)


@editors
@require_GET
def template_preview(request: HttpRequest, item_pk: int) -> HttpResponse:
    """A specimen PDF of the saved template (or the default layout)."""
    item = selectors.licence_template_item(pk=item_pk)
    body, _custom = selectors.licence_template_body(item)
    return _preview(item, body)

