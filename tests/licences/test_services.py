"""The licence services people call: delivery (choose, pick-up, dispatch), revocation and cancellation, renewal
watch, and the catalogue administrator's templates. Who may act, from which state, and bad input by field."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed

from licences import signals
from licences.models import DeliveryMethod, Licence, LicenceTemplate, Status
from licences.services import (
    LicenceConflict,
    licence_choose_delivery,
    licence_end,
    licence_record_dispatch,
    licence_record_download,
    licence_record_pickup,
    licence_render,
    licence_renewal_closed,
    licence_renewal_filed,
    licence_template_reset,
    licence_template_save,
    renewal_in_time,
)
from portal.models import AuditEvent, Role
from tests.factories import UserFactory
from tests.licences.test_issue_flow import HOLDER_CODE, issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def applicant_a_holds(monkeypatch):
    """applicant_a acts for the holder of the licences these tests issue (the applications app's resolver
    would say so for a real applicant)."""
    from licences import holders

    monkeypatch.setattr(holders, "_resolver", lambda user: [HOLDER_CODE] if user.username == "applicant_a" else [])

EXPRESS = {"address": "湖州市吴兴区人民路1号", "recipient": "张三", "phone": "13905720001"}


@pytest.fixture
def licence(licence_version):
    """Issued, not yet made (the holder may choose before it is ready)."""
    return issue(licence_version)


@pytest.fixture
def ready(licence):
    return licence_render(licence_id=licence.pk)


@pytest.fixture
def changes():
    seen = []

    def receiver(sender, licence, change, **kwargs):
        seen.append((licence.pk, change))

    signals.licence_changed.connect(receiver, dispatch_uid="test-changes")
    yield seen
    signals.licence_changed.disconnect(dispatch_uid="test-changes")


@pytest.fixture
def head_y(dept_y):
    return UserFactory(username="head_y_lic", role=Role.HEAD, department=dept_y)


def reload(licence):
    return Licence.objects.get(pk=licence.pk)


# --- choosing how to receive it ---------------------------------------------------------------------------------
def test_download_is_delivered_when_the_licence_is_ready(people, licence):
    assert licence.delivery_method == DeliveryMethod.DOWNLOAD and licence.delivered_at is None
    made = licence_render(licence_id=licence.pk)
    assert made.delivered_at == made.ready_at and made.is_delivered and not made.awaiting_handover


def test_pickup_chosen_before_ready_waits_for_the_window(people, licence, django_capture_on_commit_callbacks,
                                                         changes):
    chosen = licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    assert chosen.delivery_method == DeliveryMethod.PICKUP and chosen.awaiting_handover
    with pytest.raises(LicenceConflict):  # not made yet
        licence_record_pickup(licence=licence, actor=people["clerk"], collected_by="张三")
    made = licence_render(licence_id=licence.pk)
    assert made.delivered_at is None  # not delivered until collected
    assert Licence.objects.filter(Licence.awaiting_handover_q(DeliveryMethod.PICKUP), pk=licence.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        collected = licence_record_pickup(licence=made, actor=people["clerk"], collected_by=" 李四 ",
                                          id_number="11010519491231002x")
    assert collected.collected_by == "李四"
    assert collected.collected_id_masked == "110***********002X"  # never the full number
    assert collected.delivered_at == collected.handed_over_at is not None
    assert collected.delivered_by == people["clerk"] and not collected.awaiting_handover
    assert changes == [(licence.pk, "delivered")]
    assert AuditEvent.objects.filter(action="licence.deliver", object_id=str(licence.pk)).exists()
    with pytest.raises(LicenceConflict):  # collected once
        licence_record_pickup(licence=collected, actor=people["clerk"], collected_by="王五")
    with pytest.raises(LicenceConflict):  # and the method cannot change any more
        licence_choose_delivery(licence=collected, actor=people["applicant_a"], method=DeliveryMethod.DOWNLOAD)


def test_a_holder_who_downloaded_may_still_ask_for_the_paper_licence(people, ready):
    """Electronic delivery met Art. 44 when the PDF reached the account; asking for the paper licence later is
    an extra: the delivery is not undone, and the clerk still hands the paper over."""
    delivered_at = ready.delivered_at
    assert delivered_at is not None
    chosen = licence_choose_delivery(licence=ready, actor=people["applicant_a"], method=DeliveryMethod.EXPRESS,
                                     **EXPRESS)
    assert chosen.delivered_at == delivered_at and chosen.awaiting_handover
    assert Licence.objects.filter(Licence.awaiting_handover_q(DeliveryMethod.EXPRESS), pk=ready.pk).exists()
    posted = licence_record_dispatch(licence=chosen, actor=people["reviewer_x"], company="邮政EMS",
                                     tracking_number="EMS1234567890")
    assert posted.delivered_at == delivered_at  # the statutory delivery stays the first one
    assert posted.handed_over_at is not None and posted.tracking_number == "EMS1234567890"
    assert posted.express_company == "邮政EMS" and not posted.awaiting_handover


def test_switching_back_to_download_before_the_hand_over(people, ready):
    licence_choose_delivery(licence=ready, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    back = licence_choose_delivery(licence=ready, actor=people["applicant_a"], method=DeliveryMethod.DOWNLOAD)
    assert back.delivery_method == DeliveryMethod.DOWNLOAD and back.delivered_at == ready.delivered_at
    assert not back.awaiting_handover


def test_pickup_chosen_first_then_download_is_delivered_at_once(people, licence):
    licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    made = licence_render(licence_id=licence.pk)
    assert made.delivered_at is None
    back = licence_choose_delivery(licence=made, actor=people["applicant_a"], method=DeliveryMethod.DOWNLOAD)
    assert back.delivered_at > made.ready_at  # delivered when chosen: a late choice is not backdated


def test_only_the_holder_chooses_how_to_receive_it(people, licence):
    with pytest.raises(PermissionDenied):
        licence_choose_delivery(licence=licence, actor=people["applicant_b"], method=DeliveryMethod.PICKUP)
    assert Licence.objects.get(pk=licence.pk).delivery_method == DeliveryMethod.DOWNLOAD


def test_express_needs_address_recipient_and_a_phone(people, licence):
    with pytest.raises(ValidationError) as caught:
        licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.EXPRESS,
                                address=" ", recipient="", phone="12345")
    assert set(caught.value.message_dict) == {"address", "recipient", "phone"}
    for phone in ("1390572000", "139057200011", "abc", "0572-123"):
        with pytest.raises(ValidationError) as caught:
            licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.EXPRESS,
                                    **{**EXPRESS, "phone": phone})
        assert set(caught.value.message_dict) == {"phone"}
    for phone in ("13905720001", "0572-2345678", "05722345678"):
        chosen = licence_choose_delivery(licence=licence, actor=people["applicant_a"],
                                         method=DeliveryMethod.EXPRESS, **{**EXPRESS, "phone": phone})
        assert chosen.delivery_phone == phone
    assert reload(licence).delivery_address == EXPRESS["address"]


def test_an_unknown_method_is_refused_and_nothing_changes(people, licence):
    with pytest.raises(ValidationError) as caught:
        licence_choose_delivery(licence=licence, actor=people["applicant_a"], method="drone")
    assert set(caught.value.message_dict) == {"method"}
    assert reload(licence).delivery_method == DeliveryMethod.DOWNLOAD


def test_choosing_to_pick_up_clears_the_express_address(people, licence):
    licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.EXPRESS, **EXPRESS)
    chosen = licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.PICKUP,
                                     **EXPRESS)
    assert (chosen.delivery_address, chosen.delivery_recipient, chosen.delivery_phone) == ("", "", "")


def test_an_ended_licence_cannot_be_received(people, ready):
    licence_end(licence=ready, actor=people["head_x"], kind="revoke", reason="以欺骗手段取得")
    with pytest.raises(LicenceConflict):
        licence_choose_delivery(licence=ready, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)


def test_only_staff_record_hand_overs(people, ready):
    licence_choose_delivery(licence=ready, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    for role in ("applicant_a", "supervisor", "catalogue_admin", "agency_a", "sysadmin"):
        with pytest.raises(PermissionDenied):
            licence_record_pickup(licence=ready, actor=people[role], collected_by="张三")
    assert reload(ready).handed_over_at is None


def test_pickup_needs_a_collector_and_a_plausible_id(people, ready):
    licence_choose_delivery(licence=ready, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    with pytest.raises(ValidationError) as caught:
        licence_record_pickup(licence=ready, actor=people["clerk"], collected_by="  ", id_number="12<3")
    assert set(caught.value.message_dict) == {"collected_by", "id_number"}
    with pytest.raises(LicenceConflict):  # the wrong desk: it is not to be posted
        licence_record_dispatch(licence=ready, actor=people["clerk"], company="顺丰", tracking_number="SF12345678")
    assert reload(ready).handed_over_at is None


def test_dispatch_needs_a_company_and_a_tracking_number(people, ready):
    licence_choose_delivery(licence=ready, actor=people["applicant_a"], method=DeliveryMethod.EXPRESS, **EXPRESS)
    with pytest.raises(ValidationError) as caught:
        licence_record_dispatch(licence=ready, actor=people["clerk"], company="", tracking_number="12")
    assert set(caught.value.message_dict) == {"company", "tracking_number"}
    for bad in ("SF 123456", "单号123456", "x" * 41):
        with pytest.raises(ValidationError) as caught:
            licence_record_dispatch(licence=ready, actor=people["clerk"], company="顺丰", tracking_number=bad)
        assert set(caught.value.message_dict) == {"tracking_number"}
    with pytest.raises(LicenceConflict):
        licence_record_pickup(licence=ready, actor=people["clerk"], collected_by="张三")
    assert reload(ready).handed_over_at is None


def test_the_first_download_is_recorded_and_every_one_audited(people, ready):
    licence_record_download(licence=ready, actor=people["applicant_a"])
    first = reload(ready).downloaded_at
    assert first is not None
    licence_record_download(licence=reload(ready), actor=people["applicant_a"])
    assert reload(ready).downloaded_at == first
    assert AuditEvent.objects.filter(action="licence.download", object_id=str(ready.pk)).count() == 2


# --- revocation and cancellation -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["revoke", "cancel"])
def test_the_issuing_departments_head_ends_a_valid_licence_with_reasons(people, ready, kind, changes,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ended = licence_end(licence=ready, actor=people["head_x"], kind=kind, reason=" 以欺骗手段取得 ",
                            basis="《行政许可法》第六十九条")
    assert ended.status == {"revoke": Status.REVOKED, "cancel": Status.CANCELLED}[kind]
    assert ended.end_reason == "以欺骗手段取得" and ended.ended_by == people["head_x"]
    assert ended.validity() == str(ended.status)
    assert changes == [(ready.pk, kind)]
    assert AuditEvent.objects.filter(action=f"licence.{kind}", object_id=str(ready.pk)).exists()
    with pytest.raises(TransitionNotAllowed):  # once
        licence_end(licence=ended, actor=people["head_x"], kind="cancel", reason="再次")


def test_nobody_else_ends_a_licence(people, ready, head_y):
    for actor in (people["reviewer_x"], people["clerk"], people["supervisor"], people["sysadmin"],
                  people["catalogue_admin"], people["applicant_a"], head_y):
        with pytest.raises(PermissionDenied):
            licence_end(licence=ready, actor=actor, kind="revoke", reason="理由")
    assert reload(ready).status == Status.VALID


def test_ending_needs_a_reason_and_a_kind(people, ready):
    with pytest.raises(ValidationError) as caught:
        licence_end(licence=ready, actor=people["head_x"], kind="revoke", reason="  ")
    assert set(caught.value.message_dict) == {"reason"}
    with pytest.raises(ValidationError) as caught:
        licence_end(licence=ready, actor=people["head_x"], kind="destroy", reason="理由")
    assert set(caught.value.message_dict) == {"kind"}
    assert reload(ready).status == Status.VALID


def test_a_licence_being_made_cannot_be_ended(people, licence):
    with pytest.raises(TransitionNotAllowed):
        licence_end(licence=licence, actor=people["head_x"], kind="revoke", reason="理由")
    assert reload(licence).status == Status.RENDERING


# --- renewal -------------------------------------------------------------------------------------------------------
def test_a_renewal_filed_is_watched_until_closed(ready):
    filed = licence_renewal_filed(licence=ready, application_number="A2026001", filed_on=date(2026, 1, 5))
    assert (filed.renewal_application, filed.renewal_filed_on) == ("A2026001", date(2026, 1, 5))
    # The same application again (resubmitted after a supplement) keeps its first filing day.
    again = licence_renewal_filed(licence=ready, application_number="A2026001", filed_on=date(2026, 1, 9))
    assert again.renewal_filed_on == date(2026, 1, 5)
    with pytest.raises(ValidationError) as caught:
        licence_renewal_filed(licence=ready, application_number="A2026002", filed_on=date(2026, 1, 9))
    assert set(caught.value.message_dict) == {"renews"}
    licence_renewal_closed(licence=ready, application_number="A-other")  # another application: no effect
    assert reload(ready).renewal_application == "A2026001"
    licence_renewal_closed(licence=ready, application_number="A2026001")
    assert reload(ready).renewal_application == ""
    assert AuditEvent.objects.filter(action="licence.renewal_closed", object_id=str(ready.pk)).exists()


def test_only_a_valid_licence_can_be_renewed(people, licence, ready):
    licence_end(licence=ready, actor=people["head_x"], kind="cancel", reason="申请注销")
    with pytest.raises(ValidationError) as caught:
        licence_renewal_filed(licence=ready, application_number="A1", filed_on=date(2026, 1, 5))
    assert set(caught.value.message_dict) == {"renews"}
    assert reload(ready).renewal_application == ""


def test_in_time_means_thirty_days_before_expiry(ready):
    ready.valid_to = date(2026, 6, 30)
    assert renewal_in_time(ready, date(2026, 5, 31))
    assert not renewal_in_time(ready, date(2026, 6, 1))
    ready.valid_to = None
    assert not renewal_in_time(ready, date(2026, 5, 1))


# --- templates -----------------------------------------------------------------------------------------------------
def test_the_catalogue_administrator_saves_and_resets_an_items_template(people, licence_version):
    item = licence_version.item
    for role in ("catalogue_admin", "sysadmin"):
        saved = licence_template_save(item=item, actor=people[role], body=f"<p>{role} {{{{ holder_name }}}}</p>")
        assert saved.updated_by == people[role]
    assert LicenceTemplate.objects.get(item=item).body == "<p>sysadmin {{ holder_name }}</p>"
    assert AuditEvent.objects.filter(action="licence.template_save").count() == 2
    licence_template_reset(item=item, actor=people["catalogue_admin"])
    assert not LicenceTemplate.objects.filter(item=item).exists()
    assert AuditEvent.objects.filter(action="licence.template_reset").count() == 1
    licence_template_reset(item=item, actor=people["catalogue_admin"])  # nothing to reset: no audit row
    assert AuditEvent.objects.filter(action="licence.template_reset").count() == 1


def test_others_may_not_edit_templates(people, licence_version):
    item = licence_version.item
    for role in ("clerk", "reviewer_x", "head_x", "supervisor", "applicant_a", "agency_a"):
        with pytest.raises(PermissionDenied):
            licence_template_save(item=item, actor=people[role], body="<p>{{ holder_name }}</p>")
        with pytest.raises(PermissionDenied):
            licence_template_reset(item=item, actor=people[role])
    assert not LicenceTemplate.objects.exists()


def test_a_bad_template_is_refused_by_field_and_the_old_one_stays(people, licence_version):
    item = licence_version.item
    licence_template_save(item=item, actor=people["catalogue_admin"], body="<p>{{ holder_name }}</p>")
    for body in ("", "{% load static %}", "<p>{{ password }}</p>"):
        with pytest.raises(ValidationError) as caught:
            licence_template_save(item=item, actor=people["catalogue_admin"], body=body)
        assert set(caught.value.message_dict) == {"body"}
    assert LicenceTemplate.objects.get(item=item).body == "<p>{{ holder_name }}</p>"
