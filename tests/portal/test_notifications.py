from django.core import mail

from portal.models import Notification, OutboxMessage
from portal.services.notifications import notify
from portal.sms import LocmemSMSBackend


def test_inbox_only_needs_no_background_work(people):
    notify(recipient=people["applicant_a"], subject="站内消息")
    assert Notification.objects.filter(recipient=people["applicant_a"]).count() == 1
    assert not OutboxMessage.objects.exists()


def test_email_and_sms_are_sent_after_commit(people, django_capture_on_commit_callbacks):
    LocmemSMSBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=people["applicant_a"], subject="受理通知", body="您的申请已受理。", email=True, sms=True)
    assert mail.outbox == [] and LocmemSMSBackend.outbox == []
    for callback in callbacks:
        callback()
    assert [m.subject for m in mail.outbox] == ["受理通知"]
    assert LocmemSMSBackend.outbox == [{"phone": people["applicant_a"].phone, "text": "【政务服务】受理通知"}]


def test_no_email_for_a_user_without_an_address(people, django_capture_on_commit_callbacks):
    user = people["applicant_a"]
    user.email = ""
    user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=user, subject="x", email=True)
    assert not notification.send_email
    assert mail.outbox == []
