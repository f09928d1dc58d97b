"""Issuing: an approved case issues its licence once, numbered without gaps per department and year, identified,
with its validity and delivery dates, rendered, signed and verifiable."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from approvals.licensing import issue_licences
from approvals.tasks import case_approved_task
from items.models import ItemVersion
from licences import selectors, services, signing
from licences.models import DeliveryMethod, Licence, LicenceCounter, Status
from licences.services import identifier_is_valid, licence_issue, valid_to_for
from portal.models import OutboxMessage
from tests.approvals.conftest import publish

pytestmark = pytest.mark.django_db

HOLDER_CODE = "11010519491231002X"


def issue(version, source="test-1", **kwargs):
    """A licence issued straight through the service (the approval's receiver does the same)."""
    defaults = {"holder_name": "张三", "holder_code": HOLDER_CODE, "holder_code_type": "111",
                "decided_on": timezone.localdate()}
    return licence_issue(source=source, version=version, **{**defaults, **kwargs})


def counter_last(department, year):
    counter = LicenceCounter.objects.filter(department=department, year=year).first()
    return counter.last if counter else 0


class Boom(Exception):
    pass


# --- the approval ----------------------------------------------------------------------------------------------
def test_an_approved_case_issues_a_signed_licence(approved_case, person_a):
    licence = Licence.objects.get()
    assert licence.status == Status.VALID
    assert licence.name == "测试许可证"
    assert licence.holder_code == person_a.id_number
    assert licence.serial == 1 and licence.number.endswith("000001")
    assert identifier_is_valid(licence.identifier)
    assert licence.delivery_method == DeliveryMethod.DOWNLOAD and licence.delivered_at == licence.ready_at
    pdf = licence.pdf.read()
    assert pdf.startswith(b"%PDF")
    check = signing.check(pdf)
    assert check.ok, check
    upload = selectors.check_upload(pdf)
    assert upload.licence == licence
    assert selectors.licence_by_token(licence.verify_token()) == licence


def test_the_approval_task_delivered_twice_issues_one_licence_with_one_number(approved_case):
    licence = Licence.objects.get()
    message = OutboxMessage.objects.get(task="approvals.case_approved", kwargs={"case_id": approved_case.pk})
    assert message.done_at is not None
    # The same message redelivered: the outbox sees it done and the body does not run.
    assert case_approved_task(case_id=approved_case.pk, outbox_id=str(message.pk)) is None
    # Another message for the same case (an approval published twice): the body runs, the licence is found.
    again = OutboxMessage.objects.create(task="approvals.case_approved", kwargs={"case_id": approved_case.pk})
    case_approved_task(case_id=approved_case.pk, outbox_id=str(again.pk))
    again.refresh_from_db()
    assert again.done_at is not None
    assert issue_licences(approved_case) == [licence]
    assert issue_licences(approved_case) == [licence]
    assert Licence.objects.count() == 1
    assert counter_last(licence.department, licence.year) == 1
    assert OutboxMessage.objects.filter(task="licences.render").count() == 1


def test_the_same_source_twice_is_the_same_licence(licence_version):
    first = issue(licence_version, "case-1-item-1")
    second = issue(licence_version, "case-1-item-1", holder_name="别人")
    assert second == first and second.holder_name == "张三"
    assert counter_last(first.department, first.year) == 1


# --- numbering -------------------------------------------------------------------------------------------------
def test_numbers_run_from_one_per_department_and_year(people, licence_version, dept_y, today):
    version_y = publish(people, dept_y, code="LIC-T-002", result_type="licence", result_name="乙许可证",
                        licence_validity_months=12)
    today.set(date(2025, 12, 31))
    first, second = issue(licence_version, "x-1"), issue(licence_version, "x-2")
    other = issue(version_y, "y-1")
    today.set(date(2026, 1, 2))
    next_year = issue(licence_version, "x-3")
    assert (first.serial, second.serial, other.serial, next_year.serial) == (1, 2, 1, 1)
    assert (first.year, next_year.year) == (2025, 2026)
    assert first.number == "X-2025000001" and second.number == "X-2025000002"
    assert other.number == "Y-2025000001" and next_year.number == "X-2026000001"
    assert len({first.identifier, second.identifier, other.identifier, next_year.identifier}) == 4
    assert counter_last(licence_version.item.department, 2025) == 2
    assert counter_last(dept_y, 2025) == 1
    assert counter_last(licence_version.item.department, 2026) == 1


def test_an_issue_rolled_back_by_the_outer_transaction_leaves_no_gap(licence_version):
    department = licence_version.item.department
    with pytest.raises(Boom), transaction.atomic():
        taken = issue(licence_version, "rolled-back")
        assert taken.serial == 1
        raise Boom
    assert not Licence.objects.filter(source="rolled-back").exists()
    assert counter_last(department, timezone.localdate().year) == 0
    assert issue(licence_version, "kept").serial == 1


def test_an_issue_that_fails_after_numbering_leaves_no_gap(licence_version, monkeypatch):
    def broken_audit(**kwargs):
        raise Boom

    with monkeypatch.context() as patch:
        patch.setattr(services, "audit_record", broken_audit)
        with pytest.raises(Boom):
            issue(licence_version, "fails")
    assert not Licence.objects.exists()
    assert not OutboxMessage.objects.filter(task="licences.render").exists()
    assert issue(licence_version, "next").serial == 1
    assert counter_last(licence_version.item.department, timezone.localdate().year) == 1


def test_bad_holder_data_is_refused_by_field_and_takes_no_number(licence_version):
    with pytest.raises(ValidationError) as caught:
        issue(licence_version, "bad", holder_code_type="999", holder_code="1" * 19, holder_name=" ")
    assert set(caught.value.message_dict) == {"holder_code_type", "holder_code", "holder_name"}
    assert counter_last(licence_version.item.department, timezone.localdate().year) == 0


# --- validity and delivery dates -------------------------------------------------------------------------------
@pytest.mark.parametrize(("valid_from", "months", "valid_to"), [
    (date(2026, 2, 28), 60, date(2031, 2, 27)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 3, 1), 12, date(2025, 2, 28)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2026, 1, 1), 12, date(2026, 12, 31)),
    (date(2026, 5, 20), 0, None),
])
def test_valid_to_follows_the_items_months(valid_from, months, valid_to):
    assert valid_to_for(ItemVersion(licence_validity_months=months), valid_from) == valid_to


def test_an_issued_licence_has_its_validity_and_expiry_reminder(licence_version, today):
    today.set(date(2026, 2, 28))
    licence = issue(licence_version)
    assert (licence.issued_on, licence.valid_from, licence.valid_to) == (
        date(2026, 2, 28), date(2026, 2, 28), date(2031, 2, 27))
    assert licence.expiry_remind_on == date(2030, 12, 29)  # 60 days before: a month ahead of Art. 50's 30 days
    assert not licence.is_expired(date(2031, 2, 27)) and licence.is_expired(date(2031, 2, 28))


def test_a_long_term_licence_has_no_end_and_no_reminder(people, dept_x, work_calendar, today):
    version = publish(people, dept_x, code="LIC-T-003", result_type="licence", result_name="长期许可证",
                      licence_validity_months=0)
    today.set(date(2024, 2, 29))
    licence = issue(version)
    assert licence.valid_to is None and licence.expiry_remind_on is None
    assert not licence.is_expired(date(2099, 1, 1))


def test_delivery_is_due_ten_working_days_after_the_decision_across_national_day(licence_version, today,
                                                                                  work_calendar):
    today.set(date(2025, 10, 9))
    licence = issue(licence_version, decided_on=date(2025, 9, 30))
    # 1–8 October 2025 are holidays, Saturday 11 October a make-up working day (Art. 44, Art. 82).
    assert licence_version.issue_limit == 10
    assert licence.deliver_due == work_calendar.add_working_days(date(2025, 9, 30), 10) == date(2025, 10, 21)
    assert licence.deliver_remind_on == date(2025, 10, 17)  # two working days before
    assert licence.decided_on == date(2025, 9, 30) and licence.issued_on == date(2025, 10, 9)
