"""The licence library as materials (免提交): a material whose source is 电子证照库 is filled from the holder's
licences when the application starts and again when it is submitted, not uploaded; applicant, clerk and
reviewer see the licence with its verification page."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from applications.models import MaterialStatus, Status
from applications.services import filing
from items.services import item_create, version_approve, version_submit
from licences.models import Licence
from licences.selectors import licence_by_token
from licences.services import licence_end, licence_issue, licence_render
from tests.applications.conftest import FORM_DATA, FORM_FIELDS, ITEM_CONTENT, pdf_file
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def issue(version, applicant, *, render=True):
    code = applicant.uscc if applicant.is_enterprise else applicant.id_number
    licence = licence_issue(
        source=f"test-{applicant.pk}-{Licence.objects.count()}", version=version, holder_name=applicant.name,
        holder_code=code, holder_code_type="001" if applicant.is_enterprise else "111",
        decided_on=timezone.localdate())
    return licence_render(licence_id=licence.pk) if render else licence


def links_to_verification_of(licence, text):
    """The page links the licence's public verification page (its token is signed with a timestamp, so
    the link is read back rather than compared)."""
    tokens = re.findall(r"/licences/verify/l/([^/\"]+)/", text)
    return any(licence_by_token(token) == licence for token in tokens)


@pytest.fixture
def change_version(people, dept_x, work_calendar):
    """An item (a change of the licence) that takes the 测试许可证 from the licence library, and a second
    library material that no licence matches."""
    reviewer = UserFactory(username="cat_reviewer_lib", role="catalogue_admin")
    draft = item_create(
        actor=people["catalogue_admin"], department=dept_x, implementation_code="LIB-T-001",
        basic_code="000000000010", content={**ITEM_CONTENT, "name": "测试许可变更", "result_type": "other"},
        materials=[
            {"name": "变更申请书", "required": True},
            {"name": "测试许可证", "required": True, "source": "licence_library"},
            {"name": "使用单位测试许可证", "required": False, "source": "licence_library"},
            {"name": "营业执照", "required": True, "source": "licence_library"},
        ],
        form_fields=FORM_FIELDS, steps=[{"name": "审查"}])
    version_submit(actor=people["catalogue_admin"], version=draft)
    return version_approve(actor=reviewer, version=draft)


def material(application, name):
    return application.materials.select_related("licence").get(name=name)


def test_a_library_material_is_filled_at_the_start(people, person_a, licence_version, change_version):
    licence = issue(licence_version, person_a)
    draft = filing.application_start(actor=people["applicant_a"], applicant=person_a, version=change_version)
    filled = material(draft, "测试许可证")
    assert (filled.status, filled.licence) == (MaterialStatus.LICENCE, licence)
    assert filled.is_satisfied
    # A material whose name contains a licence's name takes it too ("使用单位营业执照" takes the 营业执照).
    assert material(draft, "使用单位测试许可证").licence == licence
    # No licence of that name: missing, and still not the applicant's to give (the window checks it).
    unmatched = material(draft, "营业执照")
    assert (unmatched.status, unmatched.licence) == (MaterialStatus.MISSING, None)
    assert unmatched.is_satisfied


def test_another_holders_licence_is_not_taken(people, person_a, person_b, licence_version, change_version):
    issue(licence_version, person_b)
    draft = filing.application_start(actor=people["applicant_a"], applicant=person_a, version=change_version)
    assert material(draft, "测试许可证").licence is None


def test_a_licence_issued_after_the_start_is_taken_at_submission(people, person_a, licence_version,
                                                                 change_version):
    user = people["applicant_a"]
    draft = filing.application_start(actor=user, applicant=person_a, version=change_version)
    assert material(draft, "测试许可证").status == MaterialStatus.MISSING
    filing.application_save_form(actor=user, application=draft, data=FORM_DATA)
    filing.material_upload(actor=user, application=draft, material=material(draft, "变更申请书"), files=[pdf_file()])
    licence = issue(licence_version, person_a)
    submitted = filing.application_submit(actor=user, application=draft)
    assert submitted.status == Status.SUBMITTED
    assert material(submitted, "测试许可证").licence == licence
    assert material(submitted, "测试许可证").status == MaterialStatus.LICENCE


def test_a_licence_revoked_before_submission_is_dropped_or_replaced(people, person_a, licence_version,
                                                                   change_version):
    user = people["applicant_a"]
    first = issue(licence_version, person_a)
    draft = filing.application_start(actor=user, applicant=person_a, version=change_version)
    assert material(draft, "测试许可证").licence == first
    licence_end(licence=first, actor=people["head_x"], kind="revoke", reason="测试撤销")
    filing.application_save_form(actor=user, application=draft, data=FORM_DATA)
    filing.material_upload(actor=user, application=draft, material=material(draft, "变更申请书"), files=[pdf_file()])
    submitted = filing.application_submit(actor=user, application=draft)
    dropped = material(submitted, "测试许可证")
    assert (dropped.status, dropped.licence) == (MaterialStatus.MISSING, None)


def test_the_applicant_sees_the_licence_taken_and_no_upload_for_it(client, people, person_a, licence_version,
                                                                   change_version):
    licence = issue(licence_version, person_a)
    client.force_login(people["applicant_a"])
    draft = filing.application_start(actor=people["applicant_a"], applicant=person_a, version=change_version)
    page = client.get(reverse("application_edit", args=[draft.pk])).content.decode()
    taken = f"已从电子证照库调取：测试许可证（{licence.number}，有效期至 {licence.valid_to:%Y-%m-%d}）"
    assert taken in page
    assert links_to_verification_of(licence, page)
    assert "未在电子证照库中找到，受理时由窗口核验" in page  # 营业执照
    row = material(draft, "测试许可证")
    assert reverse("application_material_upload", args=[draft.pk, row.pk]) not in page
    page = client.get(reverse("application_detail", args=[draft.pk])).content.decode()
    assert taken in page and links_to_verification_of(licence, page)


def test_the_clerk_and_the_reviewer_see_the_licence_with_its_verification_page(client, people, person_a,
                                                                               licence_version, change_version):
    licence = issue(licence_version, person_a)
    draft = filing.application_start(actor=people["applicant_a"], applicant=person_a, version=change_version)
    client.force_login(people["clerk"])
    page = client.get(reverse("desk_application", args=[draft.pk])).content.decode()
    assert f"已从电子证照库调取：测试许可证（{licence.number}" in page and links_to_verification_of(licence, page)
    reviewer_html = render_to_string("approvals/_materials.html", {"materials": [material(draft, "测试许可证")]})
    assert f"已从电子证照库调取：测试许可证（{licence.number}" in reviewer_html
    assert links_to_verification_of(licence, reviewer_html)


def test_the_api_names_the_licence_of_a_library_material(client, people, person_a, licence_version,
                                                         change_version):
    licence = issue(licence_version, person_a)
    draft = filing.application_start(actor=people["applicant_a"], applicant=person_a, version=change_version)
    client.force_login(people["applicant_a"])
    data = client.get(reverse("api-application", args=[draft.pk])).json()
    rows = {m["name"]: m for m in data["materials"]}
    assert rows["测试许可证"]["status"] == "licence" and rows["测试许可证"]["source"] == "licence_library"
    assert rows["测试许可证"]["licence"]["number"] == licence.number
    assert rows["测试许可证"]["licence"]["validity"] == "valid"
    verify_url = rows["测试许可证"]["licence"]["verify_url"]
    assert verify_url.startswith("http") and links_to_verification_of(licence, verify_url)
    assert rows["营业执照"]["licence"] is None
    assert data["renews"] is None
