import pytest
from django.core.exceptions import ValidationError
from django_fsm import TransitionNotAllowed

from applications.models import Notice, Status
from applications.services import filing, intake
from portal.errors import DomainError
from tests.applications.helpers import material, submitted


def test_online_submission_gets_number_code_and_acceptance_period(people, person_a, published_version,
                                                                   work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    assert application.status == Status.SUBMITTED
    assert len(application.number) == 16 and len(application.query_code) == 6
    assert application.acceptance_due == work_calendar.add_working_days(application.received_on, 5)
    assert [e.kind for e in application.events.all()] == ["created", "submitted"]


def test_supplement_once_per_submission_then_accept(people, person_a, published_version, work_calendar,
                                                    django_capture_on_commit_callbacks):
    clerk = people["clerk"]
    application = submitted(people["applicant_a"], person_a, published_version)
    licence = material(application, "营业执照复印件")
    with django_capture_on_commit_callbacks(execute=True):
        application = intake.application_request_supplement(actor=clerk, application=application, problems=[
            {"material": licence.pk, "problem": "复印件不清晰"},
            {"subject": "经营地址", "problem": "与租赁合同不一致"}])
    assert application.status == Status.SUPPLEMENT_REQUESTED
    notice = application.notices.get(kind=Notice.Kind.SUPPLEMENT)
    assert [p["subject"] for p in notice.content["problems"]] == ["营业执照复印件", "经营地址"]
    with pytest.raises(TransitionNotAllowed):  # still waiting for the applicant: no second notice
        intake.application_request_supplement(actor=clerk, application=application,
                                              problems=[{"subject": "x", "problem": "y"}])
    with pytest.raises(ValidationError):  # nothing changed: resubmission refused
        filing.application_submit(actor=people["applicant_a"], application=application)
    filing.application_save_form(actor=people["applicant_a"], application=application,
                                 data={**application.form_data, "address": "湖州市吴兴区人民路2号"})
    application = filing.application_submit(actor=people["applicant_a"], application=application)
    assert application.status == Status.SUBMITTED and application.revision == 2
    accepted = intake.application_accept(actor=clerk, application=application)
    assert accepted.status == Status.ACCEPTED and accepted.responsible_clerk == clerk
    assert accepted.promised_due == work_calendar.add_working_days(accepted.accepted_on, 10)


def test_second_supplement_notice_for_the_same_submission_is_refused(people, person_a, published_version,
                                                                    work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    intake.application_request_supplement(actor=people["clerk"], application=application,
                                          problems=[{"subject": "地址", "problem": "不清"}])
    application.refresh_from_db()
    with pytest.raises((DomainError, TransitionNotAllowed)):
        intake.application_request_supplement(actor=people["clerk"], application=application,
                                              problems=[{"subject": "地址", "problem": "不清"}])
    assert application.notices.filter(kind=Notice.Kind.SUPPLEMENT).count() == 1


def test_rongque_needs_secondary_material_and_clean_credit(people, walk_in, published_version, work_calendar):
    clerk = people["clerk"]
    application = submitted(clerk, walk_in, published_version, skip=("营业执照复印件",))
    main = material(application, "食品经营许可申请书")
    with pytest.raises(ValidationError):
        intake.application_accept_rongque(actor=clerk, application=application, missing=[main.pk],
                                          due=application.received_on, signed_name="王五")
    secondary = material(application, "营业执照复印件")
    due = work_calendar.add_working_days(application.received_on, 3)
    accepted = intake.application_accept_rongque(actor=clerk, application=application, missing=[secondary.pk],
                                                 due=due, signed_name="王五")
    assert accepted.status == Status.ACCEPTED and accepted.rongque_pending and accepted.rongque_due == due
    assert accepted.notices.filter(kind=Notice.Kind.RONGQUE).exists()
