"""PDF rendering: Chinese text with the CJK fonts, a fetcher that reads only the project's static files, QR codes
and department seals."""

import base64
import io
import re
from pathlib import Path

import pytest
from defusedxml import ElementTree
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from portal.pdf import PDF_BASE_URL, PDFResourceRefused, StaticOnlyURLFetcher, qr_data_uri, render_pdf
from portal.seal import SEAL_PIXELS, cjk_font_file, generated_seal_png, seal_data_uri
from tests.factories import DepartmentFactory

STYLESHEET_URL = f"{PDF_BASE_URL}static/pdf/pdf.css"


def pdf_text(pdf: bytes) -> str:
    """The text of every page, without the line breaks and spaces that layout puts in."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def pdf_fonts(pdf: bytes) -> set[str]:
    """Embedded font names without the subset prefix and separators (`ABCDEF+Noto-Serif-CJK-SC` → NotoSerifCJKSC)."""
    reader = PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            name = str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1]
            names.add(name.replace("-", "").replace(" ", ""))
    return names


def decode_data_uri(uri: str, mime: str) -> bytes:
    prefix = f"data:{mime};base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri.removeprefix(prefix), validate=True)


# --- rendering ---------------------------------------------------------------------------------------------
def test_rendered_pdf_holds_the_chinese_text_and_the_page_footer():
    pdf = render_pdf("pdf/base.html", {"title": "受理通知书", "issuer": "湖州市市场监督管理局",
                                       "document_number": "湖市监受〔2026〕1号"})
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "受理通知书" in text and "湖州市市场监督管理局" in text and "湖市监受〔2026〕1号" in text
    # The footer comes from the stylesheet: it was fetched through the fetcher and applied.
    assert "第1页共1页" in text


def test_chinese_is_set_in_the_noto_cjk_fonts():
    fonts = pdf_fonts(render_pdf("pdf/base.html", {"title": "政务服务", "issuer": "行政审批局"}))
    assert fonts and all("NotoSerifCJK" in name or "NotoSansCJK" in name for name in fonts), fonts


def test_applicant_text_is_escaped_not_markup(monkeypatch):
    asked = []
    fetch = StaticOnlyURLFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(StaticOnlyURLFetcher, "fetch", spy)
    hostile = '<img src=file:///etc/passwd>张三<link rel="stylesheet" href="http://example.com/x.css">'
    text = pdf_text(render_pdf("pdf/base.html", {"title": "通知书", "issuer": hostile}))
    assert "<imgsrc=file:///etc/passwd>张三" in text
    assert asked == [STYLESHEET_URL]  # the project's stylesheet, and nothing the applicant named


# --- the URL fetcher ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.com/x.png",
    "https://example.com/static/pdf/pdf.css",  # the static path on another host
    f"{PDF_BASE_URL}media/seals/x.png",  # the site, but not its static files
    f"{PDF_BASE_URL}static/../../../../etc/passwd",
    f"{PDF_BASE_URL}static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    f"{PDF_BASE_URL}static//etc/passwd",
    f"{PDF_BASE_URL}static/pdf/missing.css",
    "ftp://example.com/x",
])
def test_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(PDFResourceRefused):
        StaticOnlyURLFetcher().fetch(url)


def test_fetcher_serves_a_static_file_with_its_type():
    response = StaticOnlyURLFetcher().fetch(f"{STYLESHEET_URL}?v=1")
    body = response.read()
    response.close()
    assert b"@page" in body
    assert response.content_type == "text/css" and response.charset == "utf-8"
    assert body == (Path(__file__).resolve().parents[2] / "static" / "pdf" / "pdf.css").read_bytes()


def test_fetcher_serves_a_collected_static_file_when_no_finder_has_it(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "pdf.0123abcd.css").write_text("@page { size: A4 }")
    response = StaticOnlyURLFetcher().fetch(f"{PDF_BASE_URL}static/pdf/pdf.0123abcd.css")
    assert response.read() == b"@page { size: A4 }"


def test_fetcher_serves_data_uris():
    response = StaticOnlyURLFetcher().fetch("data:text/plain;base64," + base64.b64encode(b"hi").decode())
    assert response.read() == b"hi"


# --- QR code -----------------------------------------------------------------------------------------------
def test_qr_data_uri_is_an_svg_image():
    svg = decode_data_uri(qr_data_uri("https://zwfw.example.gov.cn/track/abc/"), "image/svg+xml")
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find(".//{http://www.w3.org/2000/svg}path") is not None


# --- seals ------------------------------------------------------------------------------------------------
def test_the_seal_font_is_a_cjk_font_found_by_fontconfig():
    path, index = cjk_font_file()
    assert Path(path).is_file() and index >= 0


def test_generated_seal_is_a_transparent_red_png(db):
    department = DepartmentFactory(name="湖州市市场监督管理局")
    png = decode_data_uri(seal_data_uri(department), "image/png")
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.mode == "RGBA"
        assert image.size == (SEAL_PIXELS, SEAL_PIXELS)
        assert image.getpixel((0, 0))[3] == 0  # outside the ring: transparent
        red, green, blue, alpha = image.getpixel((SEAL_PIXELS // 2, SEAL_PIXELS // 2 - 20))  # in the star
        assert alpha > 200 and red > 150 and green < 60 and blue < 60


def test_generated_seal_is_cached_by_name():
    assert generated_seal_png("湖州市行政审批局") is generated_seal_png("湖州市行政审批局")
    assert generated_seal_png("湖州市行政审批局") != generated_seal_png("湖州市税务局")


def test_an_uploaded_seal_is_used_when_there_is_one(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGBA", (120, 120), (200, 0, 0, 255)).save(buffer, format="PNG")
    department = DepartmentFactory(name="湖州市自然资源和规划局")
    department.seal = SimpleUploadedFile("seal.png", buffer.getvalue(), content_type="image/png")
    department.save()
    department.refresh_from_db()
    assert decode_data_uri(seal_data_uri(department), "image/png") == buffer.getvalue()


def test_an_unreadable_uploaded_seal_gives_way_to_a_drawn_one(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    department = DepartmentFactory(name="湖州市交通运输局")
    department.seal = SimpleUploadedFile("seal.png", b"<html>not an image</html>", content_type="image/png")
    department.save()
    assert decode_data_uri(seal_data_uri(department), "image/png") == generated_seal_png("湖州市交通运输局")


def test_an_oversized_uploaded_seal_gives_way_to_a_drawn_one(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("portal.seal.MAX_UPLOADED_SEAL_PIXELS", 100 * 100)
    buffer = io.BytesIO()
    Image.new("RGBA", (120, 120), (200, 0, 0, 255)).save(buffer, format="PNG")
    department = DepartmentFactory(name="湖州市水利局")
    department.seal = SimpleUploadedFile("seal.png", buffer.getvalue(), content_type="image/png")
    department.save()
    assert decode_data_uri(seal_data_uri(department), "image/png") == generated_seal_png("湖州市水利局")
