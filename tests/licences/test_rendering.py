"""The licence PDF: the default layout or the item's own template, applicant text kept as text, templates checked
when saved, nothing fetched but the project's static files, Chinese text in the PDF."""

import io
import re

import pytest
from pypdf import PdfReader

from licences import rendering
from licences.rendering import (
    DEFAULT_BODY,
    MAX_TEMPLATE_LENGTH,
    PLACEHOLDERS,
    render_licence_html,
    render_licence_pdf,
    template_errors,
)
from licences.services import licence_template_save
from portal.pdf import PDFResourceRefused, StaticOnlyURLFetcher
from tests.licences.test_issue_flow import issue

pytestmark = pytest.mark.django_db

IMG = '<img src="file:///etc/passwd">'
SCRIPT = "</table><script>alert(1)</script>"


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with white space removed (lines wrap wherever the layout puts them)."""
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", text)


@pytest.fixture
def hostile(licence_version):
    """A licence whose holder name and facts (the applicant's words) are markup."""
    return issue(licence_version, "hostile", holder_name=f"李四{IMG}",
                 facts=[["经营场所名称", f"小吃店{SCRIPT}"], ["<b>标签</b>", "面积80"]])


def test_the_default_layout_shows_the_licence_facts(licence_version):
    licence = issue(licence_version, facts=[["经营场所名称", "湖州小吃店"]])
    html = render_licence_html(licence)
    assert 'class="licence-main"' in html and 'class="licence-facts"' in html
    for text in ("测试许可证", licence.number, licence.identifier, "张三", licence.holder_code, "居民身份证",
                 licence_version.name, "湖州小吃店", "部门X"):
        assert text in html, text
    assert f"{licence.valid_from.year}年{licence.valid_from.month}月{licence.valid_from.day}日 至 " in html
    assert "data:image/svg+xml;base64," in html  # the QR code, inline
    assert "样本" not in html
    assert "样本" in render_licence_html(licence, specimen=True)


def test_an_items_own_template_replaces_the_default(people, licence_version):
    licence = issue(licence_version)
    licence_template_save(item=licence_version.item, actor=people["catalogue_admin"],
                          body='<p class="own">本证持有人：{{ holder_name }}，编号 {{number}}。</p>')
    html = render_licence_html(licence)
    assert '<p class="own">本证持有人：张三，编号 ' + licence.number + "。</p>" in html
    assert 'class="licence-main"' not in html
    # A preview of a body being edited, without saving it.
    assert "预览" in render_licence_html(licence, body="<p>预览 {{ item_name }}</p>")


def test_applicant_text_is_escaped_in_the_html(hostile):
    html = render_licence_html(hostile)
    assert IMG not in html and "<script>" not in html and "<b>标签</b>" not in html
    assert "李四&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert "小吃店&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;标签&lt;/b&gt;" in html
    # In an administrator's template too: the markup is theirs, the values are escaped.
    own = render_licence_html(hostile, body="<div>{{ holder_name }}</div>{{ facts }}")
    assert IMG not in own and "<script>" not in own and "<div>李四&lt;img" in own


def test_applicant_text_is_literal_text_in_the_pdf_with_chinese(hostile):
    text = pdf_text(render_licence_pdf(hostile))
    assert "测试许可证" in text  # the licence's name, in a CJK font
    assert re.sub(r"\s+", "", f"李四{IMG}") in text
    assert re.sub(r"\s+", "", f"小吃店{SCRIPT}") in text
    assert "部门X" in text and hostile.number in text


def test_the_pdf_fetches_only_the_projects_static_files(monkeypatch, hostile):
    asked: list[tuple[str, str]] = []

    class Spy(StaticOnlyURLFetcher):
        def fetch(self, url, headers=None):
            try:
                response = super().fetch(url, headers)
            except PDFResourceRefused:
                asked.append((url, "refused"))
                raise
            asked.append((url, "served"))
            return response

    monkeypatch.setattr(rendering, "StaticOnlyURLFetcher", Spy)
    body = ('<img src="file:///etc/passwd"><img src="http://example.com/x.png">'
            '<link rel="stylesheet" href="file:///etc/hostname"><p>{{ holder_name }}</p>')
    pdf = render_licence_pdf(hostile, body=body)
    assert pdf.startswith(b"%PDF")  # refused resources are skipped, the licence still renders
    outcomes = dict(asked)
    assert outcomes["file:///etc/passwd"] == "refused"
    assert outcomes["http://example.com/x.png"] == "refused"
    assert outcomes.get("file:///etc/hostname") in (None, "refused")
    assert any(url.endswith("/static/licences/licence.css") and outcome == "served" for url, outcome in asked)
    assert [url for url, outcome in asked if outcome == "served" and not url.startswith(("data:", "https://portal"))
            ] == []


# --- templates as the administrator saves them -------------------------------------------------------------------
def test_the_default_body_and_every_placeholder_are_accepted():
    assert template_errors(DEFAULT_BODY) == []
    assert template_errors(" ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)) == []
    assert template_errors("<p>{{holder_name}}</p>") == []


def test_an_unknown_placeholder_is_named():
    (error,) = template_errors("<p>{{ holder_name }} {{ secret_field }} {{ holder.name }} {{ x|safe }}</p>")
    assert "secret_field" in error and "holder.name" in error and "x|safe" in error
    assert "holder_name" not in error.replace("holder.name", "")


@pytest.mark.parametrize("body", ["{% load static %}<p>x</p>", "<p>{% if 1 %}x{% endif %}</p>", "{# note #}<p>x</p>"])
def test_template_tags_are_refused(body):
    assert any("模板标签" in error for error in template_errors(body))


def test_an_empty_or_too_long_template_is_refused():
    assert any("不能为空" in error for error in template_errors(""))
    assert any("不能为空" in error for error in template_errors("  \n "))
    assert any(str(MAX_TEMPLATE_LENGTH) in error for error in template_errors("x" * (MAX_TEMPLATE_LENGTH + 1)))
    assert template_errors("x" * MAX_TEMPLATE_LENGTH) == []
