"""The intake sweeps: deemed acceptance (Art. 32(4)), lapsed supplements, overdue 容缺 — across a holiday."""

from datetime import date, timedelta

import pytest

from applications.models import Application, Notice, Status
from applications.services import intake, sweeps
from applications.tasks import intake_sweep
from portal.errors import Conflict, DomainError
from tests.applications.helpers import material, submitted

RECEIVED = date(2026, 9, 30)  # the day before the 2026 National Day holiday (Oct 1–7; Sat Oct 10 is worked)


def _received_on(application, day, calendar):
    Application.objects.filter(pk=application.pk).update(received_on=day,
                                                         acceptance_due=calendar.add_working_days(day, 5))
    application.refresh_from_db()
    return application


def test_deemed_acceptance_the_day_after_the_fifth_working_day_across_national_day(
        people, person_a, published_version, work_calendar):
    application = _received_on(submitted(people["applicant_a"], person_a, published_version), RECEIVED,
                               work_calendar)
    assert application.acceptance_due == date(2026, 10, 13)  # Oct 8, 9, 10 (make-up), 12, 13
    assert sweeps.applications_deem_accepted(today=date(2026, 10, 13)) == 0
    assert sweeps.applications_deem_accepted(today=date(2026, 10, 14)) == 1
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED and application.deemed_accepted
    assert application.accepted_on == RECEIVED  # as of the day the materials arrived
    assert application.promised_due == work_calendar.add_working_days(RECEIVED, 10)
    assert application.notices.filter(kind=Notice.Kind.DEEMED_ACCEPTANCE).count() == 1
    assert people["applicant_a"].notifications.filter(subject__contains="视为受理").exists()
    # Run again: nothing more happens.
    assert sweeps.applications_deem_accepted(today=date(2026, 10, 15)) == 0
    assert application.notices.count() == 1


def test_a_clerk_outcome_in_time_prevents_deemed_acceptance(people, person_a, published_version, work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    intake.application_request_supplement(actor=people["clerk"], application=application,
                                          problems=[{"subject": "地址", "problem": "不清"}])
    assert sweeps.applications_deem_accepted(today=date(2030, 1, 1)) == 0


def test_after_the_period_a_clerk_may_only_accept_and_as_of_the_arrival_day(people, person_a, published_version,
                                                                           work_calendar):
    late = _received_on(submitted(people["applicant_a"], person_a, published_version), RECEIVED, work_calendar)
    with pytest.raises(DomainError):  # the law has accepted it: no supplement notice any more
        intake.application_request_supplement(actor=people["clerk"], application=late,
                                              problems=[{"subject": "地址", "problem": "不清"}])
    with pytest.raises(DomainError):
        intake.application_refuse(actor=people["clerk"], application=late, reasons="x", how_to_succeed="y")
    accepted = intake.application_accept(actor=people["clerk"], application=late)
    assert accepted.accepted_on == RECEIVED
    assert accepted.promised_due == work_calendar.add_working_days(RECEIVED, 10)


def test_a_sweep_leaves_alone_what_changed_after_it_selected(people, walk_in, published_version, work_calendar):
    clerk = people["clerk"]
    application = submitted(clerk, walk_in, published_version, skip=("营业执照复印件",))
    due = work_calendar.add_working_days(application.received_on, 2)
    application = intake.application_accept_rongque(
        actor=clerk, application=application, missing=[material(application, "营业执照复印件").pk], due=due,
        signed_name="王五")
    from applications.services import filing
    from tests.applications.conftest import pdf_file

    filing.material_upload(actor=clerk, application=application, material=material(application, "营业执照复印件"),
                           files=[pdf_file()])
    with pytest.raises(Conflict):  # supplied meanwhile: the termination re-checks on the locked row
        intake.application_terminate_rongque(application=application, today=date(2030, 1, 1))


def test_supplement_not_answered_in_time_lapses(people, person_a, published_version, work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    application = intake.application_request_supplement(actor=people["clerk"], application=application,
                                                         problems=[{"subject": "地址", "problem": "不清"}])
    due = application.supplement_due
    assert sweeps.applications_lapse_supplements(today=due) == 0
    assert sweeps.applications_lapse_supplements(today=date.fromordinal(due.toordinal() + 1)) == 1
    application.refresh_from_db()
    assert application.status == Status.LAPSED


def test_rongque_not_supplied_terminates_and_supplied_does_not(people, walk_in, published_version, work_calendar):
    clerk = people["clerk"]
    cases = []
    for _i in range(2):
        application = submitted(clerk, walk_in, published_version, skip=("营业执照复印件",))
        due = work_calendar.add_working_days(application.received_on, 2)
        cases.append(intake.application_accept_rongque(
            actor=clerk, application=application, missing=[material(application, "营业执照复印件").pk], due=due,
            signed_name="王五"))
    supplied, owed = cases
    from applications.services import filing
    from tests.applications.conftest import pdf_file

    filing.material_upload(actor=clerk, application=supplied, material=material(supplied, "营业执照复印件"),
                           files=[pdf_file()])
    supplied.refresh_from_db()
    assert not supplied.rongque_pending
    after = date.fromordinal(owed.rongque_due.toordinal() + 1)
    assert sweeps.applications_terminate_rongque(today=after) == 1
    owed.refresh_from_db()
    supplied.refresh_from_db()
    assert owed.status == Status.TERMINATED and supplied.status == Status.ACCEPTED
    assert owed.notices.filter(kind=Notice.Kind.TERMINATION).exists()
    assert sweeps.applications_terminate_rongque(today=after) == 0


def test_the_beat_task_runs_every_sweep(people, person_a, published_version, work_calendar):
    assert intake_sweep() == {"deemed_accepted": 0, "lapsed": 0, "terminated": 0, "notices_requeued": 0}


def test_a_notice_whose_pdf_never_rendered_is_rendered_by_the_sweep(people, person_a, published_version,
                                                                   work_calendar, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.OUTBOX_PUBLISH_ON_COMMIT = False  # the render task is never sent: as if the broker lost it
    application = intake.application_accept(actor=people["clerk"],
                                            application=submitted(people["applicant_a"], person_a,
                                                                  published_version))
    notice = application.notices.get()
    assert not notice.pdf
    later = notice.issued_at + timedelta(minutes=11)
    assert sweeps.notices_render_missing(now=notice.issued_at) == 0  # too early: the task may still run
    settings.OUTBOX_PUBLISH_ON_COMMIT = True
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.notices_render_missing(now=later) == 1
    notice.refresh_from_db()
    assert notice.pdf and len(notice.pdf_sha256) == 64
    assert sweeps.notices_render_missing(now=later) == 0
