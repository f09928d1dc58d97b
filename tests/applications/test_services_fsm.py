"""The application state machine: every allowed and forbidden transition, through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.models import CLOSED_STATUSES, Application, Notice, Status
from applications.services import filing, intake
from portal.errors import CONFLICTS, DomainError
from tests.applications.conftest import FORM_DATA
from tests.applications.helpers import filled, material, submitted
from tests.conftest import examples

FORBIDDEN = (TransitionNotAllowed, DomainError, ValidationError)


def _supplement(clerk, application):
    return intake.application_request_supplement(actor=clerk, application=application,
                                                 problems=[{"subject": "地址", "problem": "不清楚"}])


def _refuse(clerk, application):
    return intake.application_refuse(actor=clerk, application=application, reasons="不属于本部门职权",
                                     competent_authority="湖州市自然资源和规划局", how_to_succeed="向该局申请")


def test_draft_can_only_be_submitted_or_withdrawn(people, person_a, published_version, work_calendar):
    clerk = people["clerk"]
    draft = filled(people["applicant_a"], person_a, published_version)
    for action in (lambda: intake.application_accept(actor=clerk, application=draft),
                   lambda: _supplement(clerk, draft),
                   lambda: _refuse(clerk, draft)):
        with pytest.raises(FORBIDDEN):
            action()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert filing.application_withdraw(actor=people["applicant_a"], application=draft).status == Status.WITHDRAWN


def test_submitted_allows_the_four_outcomes_and_withdrawal(people, person_a, published_version, work_calendar):
    clerk, user = people["clerk"], people["applicant_a"]
    outcomes = {
        Status.ACCEPTED: lambda a: intake.application_accept(actor=clerk, application=a),
        Status.SUPPLEMENT_REQUESTED: lambda a: _supplement(clerk, a),
        Status.NOT_ACCEPTED: lambda a: _refuse(clerk, a),
        Status.WITHDRAWN: lambda a: filing.application_withdraw(actor=user, application=a),
    }
    for target, act in outcomes.items():
        application = submitted(user, person_a, published_version)
        assert act(application).status == target


def test_closed_applications_refuse_every_action(people, person_a, published_version, work_calendar):
    clerk, user = people["clerk"], people["applicant_a"]
    application = _refuse(clerk, submitted(user, person_a, published_version))
    for action in (lambda: intake.application_accept(actor=clerk, application=application),
                   lambda: _supplement(clerk, application),
                   lambda: filing.application_withdraw(actor=user, application=application),
                   lambda: filing.application_submit(actor=user, application=application),
                   lambda: filing.application_save_form(actor=user, application=application, data=FORM_DATA)):
        with pytest.raises(FORBIDDEN):
            action()
    application.refresh_from_db()
    assert application.status == Status.NOT_ACCEPTED and application.closed_at is not None


def test_accepted_may_be_withdrawn_but_not_refused(people, person_a, published_version, work_calendar):
    clerk, user = people["clerk"], people["applicant_a"]
    application = intake.application_accept(actor=clerk, application=submitted(user, person_a, published_version))
    with pytest.raises(FORBIDDEN):
        _refuse(clerk, application)
    assert filing.application_withdraw(actor=user, application=application, reason="不再需要").status == \
        Status.WITHDRAWN


def test_only_clerks_give_outcomes_and_only_members_file(people, person_a, published_version, work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    for role in ("applicant_a", "applicant_b", "reviewer_x", "supervisor"):
        with pytest.raises(PermissionDenied):
            intake.application_accept(actor=people[role], application=application)
    with pytest.raises(PermissionDenied):
        filing.application_withdraw(actor=people["applicant_b"], application=application)


def test_required_fields_and_main_materials_checked_on_submit(people, person_a, published_version, work_calendar):
    user = people["applicant_a"]
    application = filing.application_start(actor=user, applicant=person_a, version=published_version)
    with pytest.raises(ValidationError) as error:
        filing.application_save_form(actor=user, application=application, data={"phone": "12345", "area": "0"})
    assert {"form_data.phone", "form_data.area"} <= set(error.value.message_dict)
    application.refresh_from_db()
    assert application.form_data == {}
    filing.application_save_form(actor=user, application=application, data={"shop_name": "只填一半"})
    with pytest.raises(ValidationError) as error:
        filing.application_submit(actor=user, application=application)
    assert "form_data.address" in error.value.message_dict
    filing.application_save_form(actor=user, application=application, data=FORM_DATA)
    with pytest.raises(ValidationError) as error:
        filing.application_submit(actor=user, application=application)
    assert "materials" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.revision == 0


def test_accept_with_missing_material_is_refused_rongque_is_the_way(people, walk_in, published_version,
                                                                   work_calendar):
    clerk = people["clerk"]
    application = submitted(clerk, walk_in, published_version, skip=("营业执照复印件",))
    with pytest.raises(DomainError):
        intake.application_accept(actor=clerk, application=application)


def test_commitment_replaces_a_proof_only_where_allowed_and_credit_permits(people, walk_in, published_version,
                                                                          work_calendar):
    clerk = people["clerk"]
    application = filing.application_start(actor=clerk, applicant=walk_in, version=published_version)
    proof = material(application, "食品安全管理制度")
    main = material(application, "食品经营许可申请书")
    with pytest.raises(ValidationError):
        filing.material_commit(actor=clerk, application=application, material=main, signed_name="王五")
    commitment = filing.material_commit(actor=clerk, application=application, material=proof, signed_name="王五")
    assert "虚假承诺" in commitment.text
    walk_in.dishonest = True
    walk_in.save()
    other = filing.application_start(actor=clerk, applicant=walk_in, version=published_version)
    with pytest.raises(ValidationError):
        filing.material_commit(actor=clerk, application=other, material=material(other, "食品安全管理制度"),
                               signed_name="王五")


def test_dishonest_applicant_gets_no_rongque(people, walk_in, published_version, work_calendar):
    walk_in.dishonest = True
    walk_in.save()
    clerk = people["clerk"]
    application = submitted(clerk, walk_in, published_version, skip=("营业执照复印件",))
    with pytest.raises(DomainError):
        intake.application_accept_rongque(actor=clerk, application=application,
                                          missing=[material(application, "营业执照复印件").pk],
                                          due=application.received_on + timedelta(days=3), signed_name="王五")


def test_rongque_deadline_not_after_promised_limit(people, walk_in, published_version, work_calendar):
    clerk = people["clerk"]
    application = submitted(clerk, walk_in, published_version, skip=("营业执照复印件",))
    latest = intake.rongque_latest_due(application, application.received_on)
    with pytest.raises(ValidationError) as error:
        intake.application_accept_rongque(actor=clerk, application=application,
                                          missing=[material(application, "营业执照复印件").pk],
                                          due=latest + timedelta(days=1), signed_name="王五")
    assert "due" in error.value.message_dict


def test_sent_back_more_than_three_times_flags_an_interview(people, person_a, published_version, work_calendar):
    user, clerk = people["applicant_a"], people["clerk"]
    application = submitted(user, person_a, published_version)
    for round_ in range(4):
        application = _supplement(clerk, application)
        filing.application_save_form(actor=user, application=application,
                                     data={**FORM_DATA, "note": f"第{round_ + 1}次补正"})
        application = filing.application_submit(actor=user, application=application)
    person_a.refresh_from_db()
    assert application.supplement_rounds == 4 and person_a.interview_required
    assert application.notices.filter(kind=Notice.Kind.SUPPLEMENT).count() == 4


def test_proxy_filing_needs_an_authorisation(people, person_a, published_version, work_calendar):
    agent = people["applicant_b"]
    with pytest.raises(ValidationError) as error:
        filing.application_start(actor=agent, applicant=person_a, version=published_version)
    assert "authorisation" in error.value.message_dict
    from tests.applications.conftest import pdf_file

    application = filing.application_start(actor=agent, applicant=person_a, version=published_version,
                                           authorisation=pdf_file("委托书.pdf"))
    assert application.channel == "proxy" and application.agent == agent and application.authorisation


def test_idempotency_key_returns_the_first_application(people, person_a, published_version):
    user = people["applicant_a"]
    first = filing.application_start(actor=user, applicant=person_a, version=published_version,
                                     idempotency_key="k-1")
    again = filing.application_start(actor=user, applicant=person_a, version=published_version,
                                     idempotency_key="k-1")
    assert first.pk == again.pk and Application.objects.count() == 1


ACTIONS = ["submit", "change", "accept", "supplement", "refuse", "withdraw", "deem", "lapse"]


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=8))
def test_random_action_sequences_never_reach_an_illegal_state(people, person_a, published_version, work_calendar,
                                                              steps):
    user, clerk = people["applicant_a"], people["clerk"]
    application = filled(user, person_a, published_version)
    acts = {
        "submit": lambda a: filing.application_submit(actor=user, application=a),
        "change": lambda a: filing.application_save_form(actor=user, application=a,
                                                         data={**FORM_DATA, "note": str(a.revision)}),
        "accept": lambda a: intake.application_accept(actor=clerk, application=a),
        "supplement": lambda a: _supplement(clerk, a),
        "refuse": lambda a: _refuse(clerk, a),
        "withdraw": lambda a: filing.application_withdraw(actor=user, application=a),
        "deem": lambda a: intake.application_deem_accepted(application=a),
        "lapse": lambda a: intake.application_lapse(application=a),
    }
    for step in steps:
        try:
            acts[step](application)
        except (*CONFLICTS, *FORBIDDEN):
            pass
        application.refresh_from_db()
        assert application.status in Status.values
        if application.status in CLOSED_STATUSES:
            assert application.closed_at is not None and application.acceptance_due is None
        if application.status == Status.ACCEPTED:
            assert application.accepted_on and application.promised_due and application.statutory_due
        if application.status == Status.SUBMITTED:
            assert application.acceptance_due is not None
        supplements = application.notices.filter(kind=Notice.Kind.SUPPLEMENT)
        assert supplements.count() == application.supplement_rounds <= application.revision
        assert supplements.values("revision").distinct().count() == supplements.count()
