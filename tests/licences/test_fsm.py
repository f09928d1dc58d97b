"""The licence's state machine: rendering → valid → revoked | cancelled | replaced, every allowed and every
forbidden transition on saved rows through portal.fsm, the protected field, and random sequences of actions."""

import pytest
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from hypothesis import given, settings
from hypothesis import strategies as st

from licences.models import Licence, Status
from portal.fsm import transition
from portal.models import AuditEvent
from tests.conftest import examples
from tests.licences.test_issue_flow import issue

LICENCE = {
    "make_ready": ({"rendering"}, "valid"),
    "revoke": ({"valid"}, "revoked"),
    "cancel": ({"valid"}, "cancelled"),
    "replace": ({"valid"}, "replaced"),
}
ENDED = {Status.REVOKED, Status.CANCELLED, Status.REPLACED}


def table():
    rows: dict[str, tuple[set[str], str]] = {}
    for t in Licence().get_all_status_transitions():
        sources, _target = rows.setdefault(t.name, (set(), t.target))
        sources.add(t.source)
    return rows


def kwargs_for(name, people, other=None):
    return {
        "make_ready": {"pdf_name": "licences/x.pdf", "sha256": "0" * 64, "signer": "CN=部门X"},
        "revoke": {"by": people["head_x"], "reason": "以欺骗手段取得", "basis": "行政许可法第六十九条"},
        "cancel": {"by": people["head_x"], "reason": "申请人申请注销", "basis": "行政许可法第七十条"},
        "replace": {"by": other},
    }[name]


def test_the_licence_declares_exactly_these_transitions():
    assert table() == LICENCE


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(LICENCE))
def test_licence_transition_from_every_state(people, licence_version, name):
    allowed, target = LICENCE[name]
    other = issue(licence_version, "the-other")
    for number, state in enumerate(Status.values):
        licence = issue(licence_version, f"{name}-{number}")
        Licence.objects.filter(pk=licence.pk).update(status=state)  # set up only: bypasses the machine
        licence = Licence.objects.get(pk=licence.pk)
        if state in allowed:
            updated = transition(licence, name, actor=None, action=f"test.{name}",
                                 **kwargs_for(name, people, other))
            assert updated.status == target
            assert Licence.objects.get(pk=licence.pk).status == target, (name, state)
            assert AuditEvent.objects.filter(action=f"test.{name}", object_id=str(licence.pk),
                                             before={"status": state}).exists()
        else:
            with pytest.raises(TransitionNotAllowed):
                transition(licence, name, actor=None, action=f"test.{name}", **kwargs_for(name, people, other))
            assert Licence.objects.get(pk=licence.pk).status == state, (name, state)


@pytest.mark.django_db
def test_transitions_carry_their_fields(people, licence_version):
    licence = issue(licence_version, "fields")
    licence.expiry_remind_on = timezone.localdate()
    licence.renewal_application = "R1"
    licence.save(update_fields=["expiry_remind_on", "renewal_application"])
    ready = transition(licence, "make_ready", actor=None, action="test", pdf_name="licences/a.pdf", sha256="a" * 64,
                       signer="S" * 300)
    assert ready.pdf.name == "licences/a.pdf" and ready.pdf_sha256 == "a" * 64 and len(ready.signer) == 200
    assert ready.ready_at is not None
    revoked = transition(ready, "revoke", actor=None, action="test", by=people["head_x"], reason="理由",
                         basis="B" * 300)
    assert revoked.ended_by == people["head_x"] and revoked.ended_at and revoked.end_reason == "理由"
    assert len(revoked.end_basis) == 200
    assert revoked.expiry_remind_on is None and revoked.renewal_application == ""
    assert revoked.validity() == "revoked"
    with pytest.raises(TransitionNotAllowed):  # revoked is final
        transition(revoked, "make_ready", actor=None, action="test", pdf_name="x", sha256="x", signer="x")


@pytest.mark.django_db
def test_replace_links_the_new_licence_and_stops_its_reminders(people, licence_version):
    old, new = issue(licence_version, "old"), issue(licence_version, "new")
    old = transition(old, "make_ready", actor=None, action="test", **kwargs_for("make_ready", people))
    replaced = transition(old, "replace", actor=None, action="test", by=new)
    assert replaced.replaced_by == new and replaced.expiry_remind_on is None
    assert replaced.validity() == "replaced"


@pytest.mark.django_db
def test_the_status_is_protected_and_stale_copies_conflict(people, licence_version):
    licence = issue(licence_version, "protected")
    with pytest.raises(AttributeError):
        licence.status = Status.VALID
    stale = Licence.objects.get(pk=licence.pk)
    transition(licence, "make_ready", actor=None, action="test", **kwargs_for("make_ready", people))
    stale.make_ready(**kwargs_for("make_ready", people))  # in memory the stale copy still looks `rendering`
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    with pytest.raises(TransitionNotAllowed):  # make_ready twice, through the service layer
        transition(Licence.objects.get(pk=licence.pk), "make_ready", actor=None, action="test",
                   **kwargs_for("make_ready", people))


def test_validity_is_derived_from_the_status_and_the_date():
    licence = Licence(valid_to=timezone.localdate())
    assert licence.validity() == "rendering"
    licence.make_ready(pdf_name="x.pdf", sha256="0" * 64, signer="s")
    today = timezone.localdate()
    assert licence.validity(today) == "valid"
    assert licence.validity(today.replace(year=today.year + 1)) == "expired"
    licence.cancel(by=None, reason="r", basis="")
    assert licence.validity(today.replace(year=today.year + 1)) == "cancelled"


ACTIONS = ("make_ready", "revoke", "cancel", "replace")


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.sampled_from(ACTIONS), max_size=8))
def test_property_random_actions_never_reach_an_illegal_state(actions):
    """In memory: whatever is tried in whatever order, the licence is made once, ends at most once, and an
    ended licence never changes again."""
    licence = Licence()
    history = [licence.status]
    for action in actions:
        before = licence.status
        args = {"make_ready": {"pdf_name": "x.pdf", "sha256": "0" * 64, "signer": "s"},
                "revoke": {"by": None, "reason": "r", "basis": ""}, "cancel": {"by": None, "reason": "r", "basis": ""},
                "replace": {"by": Licence()}}[action]
        try:
            getattr(licence, action)(**args)
        except TransitionNotAllowed:
            assert licence.status == before
            continue
        assert before in LICENCE[action][0]
        assert licence.status == LICENCE[action][1]
        history.append(licence.status)
    assert history[0] == Status.RENDERING
    assert history.count(Status.VALID) <= 1
    assert sum(state in ENDED for state in history) <= 1
    assert all(state == Status.VALID for state in history[1:2])
