"""End to end, in Chromium: issue 6 "E-licences" (电子证照).

The demo catalogue's restaurant bundle (开办餐饮店“一件事”), filed by an enterprise and approved by every
department, is decided on the lead department's case page: each item whose result is a licence yields one,
rendered and signed in the background while the case page and the applicant's page show 制证中. The applicant
downloads the signed 食品经营许可证 from 我的证照; the QR code read off the downloaded PDF opens the public
verification page, which says 有效 and, given the same file, that it is the one issued and its signature is
intact and trusted. A later application for 食品经营许可（变更） takes the licence from the licence library
instead of an upload.
"""

import re
from concurrent.futures import ThreadPoolExecutor

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import expect

from applications.models import Application, MaterialStatus
from approvals.demo import _approve
from approvals.models import Case, CaseStatus
from items.models import Bundle, ResultType
from licences import signing
from licences.models import Licence, Status
from tests.e2e.test_review_browser import (  # noqa: F401  (the `demo` fixture and the filing helper)
    LEAD,
    RESTAURANT,
    accepted_through_services,
    demo,
    reviewer_of,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

FOOD_LICENCE = "食品经营许可证"
FOOD_CHANGE = "食品经营许可（变更）"


def qr_url(pdf_bytes: bytes) -> str:
    """The URL in the QR code printed on the first page of a PDF (rendered at 3× and decoded)."""
    page = pypdfium2.PdfDocument(pdf_bytes)[0]
    codes = [code.text for code in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]
    assert len(codes) == 1, codes
    return codes[0]


def approved_by_every_department(people, bundle: Bundle) -> Case:
    """Filed and accepted through the services, every task approved (two staff where Art. 34 asks);
    the lead department's decision is left for its page."""
    case = Case.objects.get(application=accepted_through_services(people, bundle))
    for task in case.tasks.select_related("department"):
        first = reviewer_of(task.department.code)
        second = UserFactory(role=first.role, department=first.department)
        _approve(task, first, second, text="同意。")
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDING
    return case


def test_restaurant_licences_are_signed_downloaded_verified_and_reused(
        new_page, login, demo, settings, tmp_path):  # noqa: F811  (the fixture imported above)
    settings.LICENCE_SIGNING_DIR = tmp_path / "signing"  # a demo CA of this test alone
    bundle = Bundle.objects.get(name=RESTAURANT)
    case = approved_by_every_department(demo, bundle)
    application = case.application
    licensed = {e.item.published.name for e in bundle.entries.select_related("item__published")
                if e.item.published.result_type == ResultType.LICENCE}
    assert len(licensed) >= 2

    # The lead department decides on its case page; the licences appear there, made and signed.
    lead = new_page()
    login(lead, reviewer_of(LEAD).username)
    lead.goto(f"/review/cases/{case.pk}/")
    decision = lead.get_by_role("region", name="作出决定")
    decision.get_by_label("准予许可的说明（可选）").fill("各部门审查同意，准予许可。")
    # Tasks run eagerly in tests: this request also issues, renders and signs every licence (a worker's job).
    decision.get_by_role("button", name="作出准予许可决定").click(timeout=90_000)
    expect(lead.get_by_text("已作出准予许可决定")).to_be_visible()
    licences = Licence.objects.filter(application_number=application.number)
    assert licences.count() == len(licensed)
    assert set(licences.values_list("status", flat=True)) == {Status.VALID}
    panel = lead.locator("#case-licences")  # a department's staff see their own department's licences
    expect(panel.locator(".licence-card")).to_have_count(licences.filter(department__code=LEAD).count())
    expect(panel).to_contain_text(FOOD_LICENCE)

    # The applicant: the licences on the application's page, then 我的证照 and the download.
    applicant = new_page()
    login(applicant, demo.enterprise.username)
    applicant.goto(f"/applications/{application.pk}/")
    expect(applicant.get_by_text("已生成")).to_have_count(len(licensed))
    applicant.goto("/account/licences/")
    applicant.get_by_role("link", name=FOOD_LICENCE, exact=True).click()
    expect(applicant.get_by_role("heading", name=FOOD_LICENCE, level=1)).to_be_visible()
    with applicant.expect_download() as download:
        applicant.get_by_role("link", name="下载电子证照（PDF）").click()
    pdf_path = tmp_path / "licence.pdf"
    download.value.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    licence = licences.get(name=FOOD_LICENCE)
    assert licence.pdf.read() == pdf
    # pyHanko validates with asyncio.run(): not in this thread, where Playwright's event loop runs.
    with ThreadPoolExecutor(max_workers=1) as pool:
        check = pool.submit(signing.check, pdf).result()
    assert check.ok and licence.department.name in check.signer, check
    licence.refresh_from_db()
    assert licence.downloaded_at is not None

    # Its QR code opens the public verification page (no login): valid, and the file is the one issued.
    url = qr_url(pdf)
    public = new_page()
    public.goto(re.sub(r"^https?://[^/]+", "", url))
    expect(public.locator(".verdict, [role=status]").first).to_contain_text("有效")
    expect(public.get_by_text(licence.number).first).to_be_visible()
    public.locator("input[type=file]").set_input_files(str(pdf_path))
    public.get_by_role("button", name=re.compile("核验")).click()
    expect(public.get_by_text(re.compile("与颁发的证照一致|一致"))).not_to_have_count(0)
    expect(public.get_by_text(licence.pdf_sha256)).to_be_visible()

    # A later application takes the licence from the library: no upload for 食品经营许可证.
    applicant.goto(f"/items/{_item_code(FOOD_CHANGE)}/")
    applicant.get_by_role("button", name="在线申报").click()
    expect(applicant).to_have_url(re.compile(r"/applications/\d+/edit/"))
    later = Application.objects.filter(title=FOOD_CHANGE).get()
    material = later.materials.get(name=FOOD_LICENCE)
    assert material.status == MaterialStatus.LICENCE and material.licence_id == licence.pk
    row = applicant.locator(".material-licence").filter(has_text=FOOD_LICENCE)
    expect(row).to_contain_text(f"已从电子证照库调取：{FOOD_LICENCE}（{licence.number}")


def _item_code(name: str) -> str:
    from items.models import Item

    return Item.objects.get(published__name=name).implementation_code
