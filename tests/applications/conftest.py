"""Fixtures for intake: a published item with main, secondary (可容缺) and 告知承诺 materials, applicants for
the matrix people, and uploads that are what they claim to be."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications.models import ApplicantKind
from applications.services.applicants import applicant_for_user, applicant_register
from items.models import ItemType, ServiceObject
from items.services import item_create, version_approve, version_submit
from portal.validators import uscc_check_character
from tests.factories import UserFactory

ITEM_CONTENT = {
    "name": "食品经营许可（测试）", "item_type": ItemType.LICENSING, "service_object": ServiceObject.BOTH,
    "legal_basis": "《中华人民共和国食品安全法》第三十五条", "conditions": "有与经营的食品品种相适应的场所",
    "statutory_limit": 20, "promised_limit": 10, "acceptance_limit": 5,
}
MATERIALS = [
    {"name": "食品经营许可申请书", "required": True},
    {"name": "营业执照复印件", "required": True, "may_be_missing": True},
    {"name": "食品安全管理制度", "required": True, "commitment_allowed": True},
    {"name": "其他补充材料", "required": False},
]
FORM_FIELDS = [
    {"key": "shop_name", "label": "经营场所名称", "field_type": "text"},
    {"key": "address", "label": "经营地址", "field_type": "address"},
    {"key": "area", "label": "经营面积（平方米）", "field_type": "number", "min_value": 1, "max_value": 100000},
    {"key": "phone", "label": "联系电话", "field_type": "phone"},
    {"key": "note", "label": "备注", "field_type": "text", "required": False},
]
FORM_DATA = {"shop_name": "湖州小吃店", "address": "湖州市吴兴区人民路1号", "area": "80", "phone": "13905720001"}


def make_uscc(seed: int) -> str:
    first17 = f"91330502MA{seed:07d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
def published_version(people, dept_x):
    """A published item of department X (edited by catalogue_admin, approved by a second administrator)."""
    return publish_test_item(people, dept_x)


def publish_test_item(people, dept_x):
    reviewer = UserFactory(username="catalogue_reviewer", role="catalogue_admin")
    draft = item_create(actor=people["catalogue_admin"], department=dept_x, implementation_code="APP-T-001",
                        basic_code="000000000002", content=ITEM_CONTENT, materials=MATERIALS,
                        form_fields=FORM_FIELDS, steps=[{"name": "受理"}, {"name": "审查"}, {"name": "决定"}])
    version_submit(actor=people["catalogue_admin"], version=draft)
    return version_approve(actor=reviewer, version=draft)


@pytest.fixture
def person_a(people):
    """applicant_a's applicant record (registered from the account's profile)."""
    return applicant_for_user(user=people["applicant_a"])


@pytest.fixture
def person_b(people):
    return applicant_for_user(user=people["applicant_b"])


@pytest.fixture
def enterprise_applicant(people):
    user = people["enterprise"]
    user.uscc = make_uscc(1)
    user.save(update_fields=["uscc"])
    return applicant_for_user(user=user)


@pytest.fixture
def walk_in(people):
    """A walk-in enterprise registered by the clerk (no account)."""
    return register_walk_in(people)


def register_walk_in(people):
    return applicant_register(actor=people["clerk"], kind=ApplicantKind.ENTERPRISE, name="湖州绿源餐饮有限公司",
                              uscc=make_uscc(2), phone="13905720002", legal_representative="王五")


def pdf_file(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                              content_type="application/pdf")


def png_file(name: str = "photo.png", size: tuple[int, int] = (20, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
