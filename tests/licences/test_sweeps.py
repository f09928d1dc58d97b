"""The licence sweep: delivery reminders and overdue flags (Art. 44), expiry reminders (Art. 50 ¶1) and deemed
renewal (Art. 50 ¶2). Each selects what is due, acts once, and changes nothing when run again."""

from datetime import date

import pytest

from licences import signals
from licences.models import DeliveryMethod, Licence, Status
from licences.services import licence_choose_delivery, licence_end, licence_renewal_filed
from licences.sweeps import licence_sweep
from portal.fsm import transition
from portal.models import AuditEvent, Notification
from tests.licences.test_issue_flow import HOLDER_CODE, issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def applicant_a_holds(monkeypatch):
    """applicant_a acts for the holder of the licences these tests issue (the applications app's resolver
    would say so for a real applicant)."""
    from licences import holders

    monkeypatch.setattr(holders, "_resolver", lambda user: [HOLDER_CODE] if user.username == "applicant_a" else [])


def made(licence):
    """Made and signed, as licence_render leaves it (without spending a second on the PDF)."""
    return transition(licence, "make_ready", actor=None, action="test.ready", pdf_name="licences/t.pdf",
                      sha256="0" * 64, signer="部门X")


def sweep(today, day):
    today.set(day)
    return licence_sweep(today=day)


def subjects(user):
    return list(Notification.objects.filter(recipient=user).values_list("subject", flat=True))


@pytest.fixture
def expiring():
    seen = []

    def receiver(sender, licence, **kwargs):
        seen.append(licence.pk)

    signals.licence_expiring.connect(receiver, dispatch_uid="test-expiring")
    yield seen
    signals.licence_expiring.disconnect(dispatch_uid="test-expiring")


@pytest.fixture
def changes():
    seen = []

    def receiver(sender, licence, change, **kwargs):
        seen.append((licence.pk, change))

    signals.licence_changed.connect(receiver, dispatch_uid="test-changes")
    yield seen
    signals.licence_changed.disconnect(dispatch_uid="test-changes")


# --- delivery (Art. 44) --------------------------------------------------------------------------------------------
@pytest.fixture
def to_pick_up(people, licence_version, today, work_calendar):
    """Decided on 30 September 2025 (due 21 October across National Day), to be collected at the window."""
    today.set(date(2025, 9, 30))
    licence = made(issue(licence_version, "pickup", decided_on=date(2025, 9, 30)))
    licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    return Licence.objects.get(pk=licence.pk)


def test_the_department_is_reminded_before_the_due_date_and_supervisors_told_after(people, to_pick_up, today):
    licence = to_pick_up
    assert (licence.deliver_remind_on, licence.deliver_due) == (date(2025, 10, 17), date(2025, 10, 21))
    head, supervisor = people["head_x"], people["supervisor"]

    assert sweep(today, date(2025, 10, 16))["delivery_reminded"] == 0
    assert subjects(head) == []

    counts = sweep(today, date(2025, 10, 17))
    assert (counts["delivery_reminded"], counts["delivery_overdue"]) == (1, 0)
    assert [s.startswith("证照待送达") for s in subjects(head)] == [True]
    assert subjects(people["reviewer_x"]) == [] and subjects(supervisor) == []
    assert sweep(today, date(2025, 10, 17))["delivery_reminded"] == 0  # not twice
    assert sweep(today, date(2025, 10, 21)) == {"delivery_reminded": 0, "delivery_overdue": 0, "expiry_reminded": 0,
                                                "deemed_renewed": 0, "rendered": 0}
    assert not Licence.objects.get(pk=licence.pk).deliver_overdue

    counts = sweep(today, date(2025, 10, 22))
    assert (counts["delivery_reminded"], counts["delivery_overdue"]) == (0, 1)
    licence = Licence.objects.get(pk=licence.pk)
    assert licence.deliver_overdue and licence.deliver_remind_on is None
    assert any(s.startswith("证照送达超期") for s in subjects(supervisor))
    assert len(subjects(head)) == 2
    assert sweep(today, date(2025, 10, 23))["delivery_overdue"] == 0  # not twice
    assert len(subjects(supervisor)) == 1
    assert AuditEvent.objects.filter(action="licence.delivery_overdue", object_id=str(licence.pk)).count() == 1


def test_a_late_hand_over_keeps_the_overdue_flag(people, to_pick_up, today):
    from licences.services import licence_record_pickup

    sweep(today, date(2025, 10, 22))
    collected = licence_record_pickup(licence=to_pick_up, actor=people["clerk"], collected_by="张三")
    assert collected.delivered_at is not None and collected.deliver_overdue  # delivered, late (e-supervision)
    assert sweep(today, date(2025, 10, 23))["delivery_overdue"] == 0


def test_delivered_licences_are_never_selected(people, licence_version, today, work_calendar):
    today.set(date(2025, 9, 30))
    downloaded = made(issue(licence_version, "download", decided_on=date(2025, 9, 30)))
    Licence.objects.filter(pk=downloaded.pk).update(delivered_at=downloaded.ready_at)  # as licence_render does
    for day in (date(2025, 10, 17), date(2025, 10, 22), date(2025, 12, 1)):
        counts = sweep(today, day)
        assert (counts["delivery_reminded"], counts["delivery_overdue"]) == (0, 0)
    assert Notification.objects.count() == 0


def test_a_holder_asking_for_paper_after_the_download_does_not_make_it_overdue(people, licence_version, today,
                                                                                work_calendar):
    today.set(date(2025, 9, 30))
    licence = made(issue(licence_version, "download-then-paper", decided_on=date(2025, 9, 30)))
    Licence.objects.filter(pk=licence.pk).update(delivered_at=licence.ready_at)
    today.set(date(2025, 11, 3))  # long after the due date
    licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    assert sweep(today, date(2025, 11, 3))["delivery_overdue"] == 0
    assert not Licence.objects.get(pk=licence.pk).deliver_overdue


def test_a_licence_issued_after_its_reminder_day_is_reminded_at_once_or_flagged(people, licence_version, today,
                                                                               work_calendar):
    # Issued on 20 October (the approval's delivery was held up): the reminder day, 17 October, has passed.
    today.set(date(2025, 10, 20))
    late = issue(licence_version, "late", decided_on=date(2025, 9, 30))
    counts = sweep(today, date(2025, 10, 20))
    assert (counts["delivery_reminded"], counts["delivery_overdue"]) == (1, 0)
    # Issued after the due date: flagged at once, without a reminder first.
    today.set(date(2025, 10, 27))
    later = issue(licence_version, "later", decided_on=date(2025, 9, 30))
    counts = sweep(today, date(2025, 10, 27))
    assert (counts["delivery_reminded"], counts["delivery_overdue"]) == (0, 2)
    assert Licence.objects.get(pk=late.pk).deliver_overdue and Licence.objects.get(pk=later.pk).deliver_overdue


def test_an_ended_licence_is_dropped_from_the_delivery_watch(people, to_pick_up, today):
    licence_end(licence=to_pick_up, actor=people["head_x"], kind="revoke", reason="以欺骗手段取得")
    counts = sweep(today, date(2025, 10, 22))
    assert (counts["delivery_reminded"], counts["delivery_overdue"]) == (0, 0)
    assert Licence.objects.get(pk=to_pick_up.pk).deliver_remind_on is None
    assert Notification.objects.filter(recipient=people["supervisor"]).count() == 0


# --- expiry (Art. 50 ¶1) -------------------------------------------------------------------------------------------
def test_the_holder_is_reminded_sixty_and_thirty_days_before_expiry_once_each(licence_version, today, expiring):
    today.set(date(2026, 2, 28))
    licence = made(issue(licence_version))  # valid to 27 February 2031
    assert licence.expiry_remind_on == date(2030, 12, 29)  # a month before renewal is due
    assert sweep(today, date(2030, 12, 28))["expiry_reminded"] == 0
    assert sweep(today, date(2030, 12, 29))["expiry_reminded"] == 1
    assert Licence.objects.get(pk=licence.pk).expiry_remind_on == date(2031, 1, 28)  # Art. 50: the last day
    assert sweep(today, date(2031, 1, 27))["expiry_reminded"] == 0
    assert sweep(today, date(2031, 1, 28))["expiry_reminded"] == 1
    assert expiring == [licence.pk, licence.pk]
    assert sweep(today, date(2031, 1, 29))["expiry_reminded"] == 0
    assert expiring == [licence.pk, licence.pk]
    assert Licence.objects.get(pk=licence.pk).expiry_remind_on is None


def test_a_late_sweep_sends_one_reminder_not_each_missed_one(licence_version, today, expiring):
    today.set(date(2026, 2, 28))
    licence = made(issue(licence_version))
    assert sweep(today, date(2031, 1, 28))["expiry_reminded"] == 1
    assert sweep(today, date(2031, 1, 28))["expiry_reminded"] == 0
    assert expiring == [licence.pk]


def test_no_expiry_reminder_for_ended_long_term_or_already_renewing_licences(people, dept_x, licence_version,
                                                                            today, expiring):
    from tests.approvals.conftest import publish

    today.set(date(2026, 2, 28))
    revoked = made(issue(licence_version, "revoked"))
    licence_end(licence=revoked, actor=people["head_x"], kind="revoke", reason="以欺骗手段取得")
    renewing = made(issue(licence_version, "renewing"))
    licence_renewal_filed(licence=renewing, application_number="R1", filed_on=date(2026, 3, 1))
    forever = made(issue(publish(people, dept_x, code="LIC-T-009", result_type="licence", result_name="长期证",
                                 licence_validity_months=0), "forever"))
    assert forever.expiry_remind_on is None
    assert sweep(today, date(2031, 1, 28))["expiry_reminded"] == 0
    assert expiring == []


def test_a_failing_receiver_leaves_that_reminder_for_the_next_run_and_not_the_others(licence_version, today,
                                                                                   expiring):
    today.set(date(2026, 2, 28))
    first, second = made(issue(licence_version, "e-1")), made(issue(licence_version, "e-2"))
    broken = {first.pk}

    def flaky(sender, licence, **kwargs):
        if licence.pk in broken:
            raise RuntimeError("receiver bug")

    signals.licence_expiring.connect(flaky, dispatch_uid="test-flaky")
    try:
        assert sweep(today, date(2031, 1, 28))["expiry_reminded"] == 1
        assert Licence.objects.get(pk=first.pk).expiry_remind_on == date(2030, 12, 29)  # rolled back: retried
        assert Licence.objects.get(pk=second.pk).expiry_remind_on is None
        broken.clear()
        assert sweep(today, date(2031, 1, 29))["expiry_reminded"] == 1
    finally:
        signals.licence_expiring.disconnect(dispatch_uid="test-flaky")
    # The recording receiver saw the failed attempt, the other licence, then the retry.
    assert expiring == [first.pk, second.pk, first.pk]


# --- deemed renewal (Art. 50 ¶2) -----------------------------------------------------------------------------------
def test_a_renewal_filed_in_time_and_undecided_is_deemed_granted_the_day_after_expiry(
        licence_version, today, changes, django_capture_on_commit_callbacks):
    today.set(date(2026, 2, 28))
    licence = made(issue(licence_version))
    licence_renewal_filed(licence=licence, application_number="R2031", filed_on=date(2031, 1, 28))  # 30 days before
    assert sweep(today, date(2031, 2, 27))["deemed_renewed"] == 0  # the last day of validity
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(today, date(2031, 2, 28))["deemed_renewed"] == 1
    renewed = Licence.objects.get(pk=licence.pk)
    assert renewed.deemed_renewed and renewed.renewal_application == ""
    assert renewed.valid_to == date(2036, 2, 27)  # one more period from 28 February 2031
    assert renewed.expiry_remind_on == date(2035, 12, 29)
    assert renewed.validity(date(2031, 2, 28)) == "valid"
    assert changes == [(licence.pk, "deemed_renewed")]
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(today, date(2031, 3, 1))["deemed_renewed"] == 0
    assert Licence.objects.get(pk=licence.pk).valid_to == date(2036, 2, 27)
    assert changes == [(licence.pk, "deemed_renewed")]
    assert AuditEvent.objects.filter(action="licence.deemed_renewed", object_id=str(licence.pk)).count() == 1


def test_a_renewal_filed_late_is_not_deemed_granted(licence_version, today, changes,
                                                    django_capture_on_commit_callbacks):
    today.set(date(2026, 2, 28))
    licence = made(issue(licence_version))
    licence_renewal_filed(licence=licence, application_number="R-late", filed_on=date(2031, 1, 29))  # 29 days
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(today, date(2031, 2, 28))["deemed_renewed"] == 0
    late = Licence.objects.get(pk=licence.pk)
    assert late.renewal_application == "" and not late.deemed_renewed
    assert late.valid_to == date(2031, 2, 27) and late.validity(date(2031, 2, 28)) == "expired"
    assert changes == []
    assert AuditEvent.objects.filter(action="licence.renewal_late", object_id=str(licence.pk)).count() == 1


def test_a_licence_revoked_while_renewing_is_not_renewed(people, licence_version, today):
    today.set(date(2026, 2, 28))
    licence = made(issue(licence_version))
    licence_renewal_filed(licence=licence, application_number="R1", filed_on=date(2031, 1, 1))
    licence_end(licence=licence, actor=people["head_x"], kind="revoke", reason="以欺骗手段取得")
    assert sweep(today, date(2031, 2, 28))["deemed_renewed"] == 0
    assert Licence.objects.get(pk=licence.pk).status == Status.REVOKED


def test_a_renewal_decided_in_time_replaces_the_old_licence(people, licence_version, today, changes,
                                                            django_capture_on_commit_callbacks):
    today.set(date(2026, 2, 28))
    old = made(issue(licence_version, "old"))
    licence_renewal_filed(licence=old, application_number="R1", filed_on=date(2031, 1, 1))
    today.set(date(2031, 2, 10))
    with django_capture_on_commit_callbacks(execute=True):
        new = issue(licence_version, "renewal", renews=old)
    old = Licence.objects.get(pk=old.pk)
    assert old.status == Status.REPLACED and old.replaced_by == new and old.renewal_application == ""
    # Renewed before expiry: the new period runs on from the old licence's end, not from today.
    assert (new.valid_from, new.valid_to) == (date(2031, 2, 10), date(2036, 2, 27))
    assert (old.pk, "replaced") in changes
    assert sweep(today, date(2031, 2, 28))["deemed_renewed"] == 0


def test_a_renewal_never_replaces_another_holders_licence(licence_version, today):
    today.set(date(2026, 2, 28))
    other = made(issue(licence_version, "other", holder_code="330521199001011234"))
    new = issue(licence_version, "renewal", renews=other)
    assert Licence.objects.get(pk=other.pk).status == Status.VALID and new.status == Status.RENDERING
    assert AuditEvent.objects.filter(action="licence.replace_skipped", object_id=str(other.pk)).exists()
