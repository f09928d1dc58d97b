"""The licence PDF: the item's licence template (or the default layout) filled with the licence's facts.

A template is HTML written by the catalogue administrator with `{{ placeholder }}` fields from PLACEHOLDERS.
It is not a Django template (no tags, no filters, no includes): each placeholder is replaced by its value,
escaped, so an applicant's text can never become markup; an unknown placeholder is refused when the
template is saved. The page around it (title, number, identifier, seal, QR code) is the project's own, and
the PDF fetches nothing but the project's static files (portal.pdf).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from weasyprint import HTML

from licences.models import Licence, LicenceTemplate
from portal.pdf import PDF_BASE_URL, StaticOnlyURLFetcher, public_url, qr_data_uri
from portal.seal import seal_data_uri

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
# Anything written as a field, well formed or not (`{{ holder.name }}`, `{{ x|safe }}`): each must be a
# placeholder, or the administrator would see the braces printed on the licence.
FIELD = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
PLACEHOLDERS = {
    "licence_name": _("证照名称"),
    "number": _("证照编号"),
    "identifier": _("证照标识"),
    "holder_name": _("持证主体"),
    "holder_code": _("持证主体代码"),
    "holder_code_type": _("持证主体代码类型"),
    "item_name": _("事项名称"),
    "department": _("颁证单位"),
    "issued_on": _("发证日期"),
    "valid_from": _("有效期起"),
    "valid_to": _("有效期至（或“长期”）"),
    "validity": _("有效期（起止）"),
    "facts": _("申请表所填的证照信息（表格）"),
    "legal_basis": _("设定依据"),
}
# The default layout: what an item without its own template shows, and where an administrator starts.
DEFAULT_BODY = """<table class="licence-main">
  <tr><th scope="row">持证主体</th><td>{{ holder_name }}</td></tr>
  <tr><th scope="row">{{ holder_code_type }}</th><td>{{ holder_code }}</td></tr>
  <tr><th scope="row">许可事项</th><td>{{ item_name }}</td></tr>
  <tr><th scope="row">有效期</th><td>{{ validity }}</td></tr>
</table>
{{ facts }}
"""
MAX_TEMPLATE_LENGTH = 20_000


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def template_errors(body: str) -> list[str]:
    """What is wrong with a template body, in words for the administrator (empty: nothing)."""
    errors = []
    if not body.strip():
        errors.append(str(_("证照版式不能为空。")))
    if len(body) > MAX_TEMPLATE_LENGTH:
        errors.append(str(_("证照版式不能超过 %(n)s 个字符。") % {"n": MAX_TEMPLATE_LENGTH}))
    unknown = sorted({field.strip() or "（空）" for field in FIELD.findall(body)
                      if field.strip() not in PLACEHOLDERS})
    if unknown:
        errors.append(str(_("未知的占位符：%(names)s。") % {"names": "、".join(unknown)}))
    if re.search(r"{%|{#", body):
        errors.append(str(_("证照版式只能使用 {{ 占位符 }}，不能使用模板标签。")))
    return errors


def validate_template(body: str) -> None:
    errors = template_errors(body)
    if errors:
        raise ValidationError({"body": errors})


def values(licence: Licence) -> dict[str, SafeString]:
    """Each placeholder's value, escaped (the facts table is built from escaped cells)."""
    validity_to = _day(licence.valid_to) if licence.valid_to else "长期"
    facts = format_html_join(
        "", '<tr><th scope="row">{}</th><td>{}</td></tr>',
        ((str(label), str(value)) for label, value in _fact_rows(licence.facts)),
    )
    plain = {
        "licence_name": licence.name,
        "number": licence.number,
        "identifier": licence.identifier,
        "holder_name": licence.holder_name,
        "holder_code": licence.holder_code,
        "holder_code_type": licence.get_holder_code_type_display(),
        "item_name": licence.version.name,
        "department": licence.department.name,
        "issued_on": _day(licence.issued_on),
        "valid_from": _day(licence.valid_from),
        "valid_to": validity_to,
        "validity": f"{_day(licence.valid_from)} 至 {validity_to}",
        "legal_basis": licence.version.legal_basis,
    }
    result = {key: escape(value) for key, value in plain.items()}
    result["facts"] = format_html('<table class="licence-facts">{}</table>', facts) if facts else SafeString("")
    return result


def _fact_rows(facts: Any) -> list[tuple[str, str]]:
    if not isinstance(facts, list):
        return []
    return [(str(row[0]), str(row[1])) for row in facts if isinstance(row, list | tuple) and len(row) == 2]


def fill(body: str, licence: Licence) -> SafeString:
    """The template body with every placeholder replaced by its escaped value."""
    filled = values(licence)
    # The administrator's markup is the template (it becomes a PDF, never a page); every value is escaped.
    return mark_safe(PLACEHOLDER.sub(lambda m: filled.get(m.group(1), ""), body))  # noqa: S308


def body_of(licence: Licence, override: str | None = None) -> str:
    if override is not None:
        return override
    template = LicenceTemplate.objects.filter(item_id=licence.item_id).only("body").first()
    return template.body if template else DEFAULT_BODY


def render_licence_html(licence: Licence, *, body: str | None = None, specimen: bool = False) -> str:
    """The licence page as HTML, in the site's language (an official document, whoever's task renders it)."""
    with override(settings.LANGUAGE_CODE):
        return render_to_string("licences/licence.html", {
            "licence": licence,
            "title": licence.name,
            "body": fill(body_of(licence, body), licence),
            "seal": seal_data_uri(licence.department),
            "qr": qr_data_uri(public_url(licence.verify_path())),
            "specimen": specimen,
        })


def render_licence_pdf(licence: Licence, *, body: str | None = None, specimen: bool = False) -> bytes:
    """The unsigned PDF of a licence. `body` previews a template being edited; `specimen` marks it 样本.
    WeasyPrint fetches nothing but data: URIs and the project's static files (portal.pdf)."""
    html = render_licence_html(licence, body=body, specimen=specimen)
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).write_pdf()
