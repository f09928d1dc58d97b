"""An approved case issues its licence once, numbered, identified, rendered, signed and verifiable."""

import pytest

from licences import selectors, signing
from licences.models import Licence, Status
from licences.services import identifier_is_valid

pytestmark = pytest.mark.django_db


def test_an_approved_case_issues_a_signed_licence(approved_case, person_a):
    licence = Licence.objects.get()
    assert licence.status == Status.VALID
    assert licence.name == "测试许可证"
    assert licence.holder_code == person_a.id_number
    assert licence.serial == 1 and licence.number.endswith("000001")
    assert identifier_is_valid(licence.identifier)
    pdf = licence.pdf.read()
    assert pdf.startswith(b"%PDF")
    check = signing.check(pdf)
    assert check.ok, check
    upload = selectors.check_upload(pdf)
    assert upload.licence == licence
    assert selectors.licence_by_token(licence.verify_token()) == licence
