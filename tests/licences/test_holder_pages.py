"""The holder's side of licences: who holds what, being told, 我的证照 and one licence's page, the download,
the delivery choice, and the licences on an approved application's page."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import ApplicantMember, Application
from applications.services import filing
from licences import holders, sweeps
from licences.models import DeliveryMethod, Licence, Status
from licences.selectors import licence_by_token
from licences.services import licence_end, licence_issue, licence_record_dispatch, licence_render
from portal.models import AuditEvent, Notification
from tests.matrix import SIGNED_IN, Row, check_matrix, only

pytestmark = pytest.mark.django_db


def issue(version, applicant, *, number="", render=True, facts=None, source=None):
    """A licence for `applicant` without a whole approval (as approvals.licensing would issue it)."""
    code = applicant.uscc if applicant.is_enterprise else applicant.id_number
    licence = licence_issue(
        source=source or f"test-{applicant.pk}-{Licence.objects.count()}", version=version,
        holder_name=applicant.name, holder_code=code, holder_code_type="001" if applicant.is_enterprise else "111",
        decided_on=timezone.localdate(), application_number=number, facts=facts or [])
    return licence_render(licence_id=licence.pk) if render else licence


def links_to_verification_of(licence, text):
    """The page links the licence's public verification page (its token is signed with a timestamp, so
    the link is read back rather than compared)."""
    tokens = re.findall(r"/licences/verify/l/([^/\"]+)/", text)
    return any(licence_by_token(token) == licence for token in tokens)


@pytest.fixture
def licence(approved_case):
    return Licence.objects.get()


@pytest.fixture
def holder(client, people):
    client.force_login(people["applicant_a"])
    return people["applicant_a"]


def html(response):
    return response.content.decode()


# --- who holds what ---------------------------------------------------------------------------------------
def test_the_resolver_gives_the_codes_of_every_applicant_an_account_acts_for(people, person_a,
                                                                            enterprise_applicant):
    assert holders.holder_codes(people["applicant_a"]) == [person_a.id_number]
    ApplicantMember.objects.create(applicant=enterprise_applicant, user=people["applicant_a"])
    assert sorted(holders.holder_codes(people["applicant_a"])) == sorted(
        [person_a.id_number, enterprise_applicant.uscc])
    assert holders.holder_codes(people["clerk"]) == []
    assert holders.holder_codes(people["applicant_b"]) == []  # no applicant yet


# --- being told -------------------------------------------------------------------------------------------
def test_a_ready_licence_is_told_to_the_holder_and_written_on_the_timeline(approved_case, people):
    licence = Licence.objects.get()
    note = Notification.objects.get(recipient=people["applicant_a"], subject__startswith="电子证照已生成")
    assert note.link == reverse("licence_detail", args=[licence.pk])
    assert licence.number in note.body
    application = approved_case.application
    event = application.events.get(kind="licence_ready")
    assert event.summary == f"电子证照已制作完成：{licence.name} {licence.number}"
    assert event.actor_label == licence.department.name
    assert not Notification.objects.filter(recipient=people["applicant_b"]).exists()


def test_the_expiry_reminder_tells_the_holder_to_renew_30_days_before(licence, people,
                                                                      django_capture_on_commit_callbacks):
    today = timezone.localdate()
    Licence.objects.filter(pk=licence.pk).update(valid_to=today + timedelta(days=30), expiry_remind_on=today)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.licence_sweep(today=today)["expiry_reminded"] == 1
    note = Notification.objects.get(recipient=people["applicant_a"], subject__startswith="证照即将到期")
    assert "到期前 30 日" in note.body and str(today + timedelta(days=30)) in note.body
    assert note.link == reverse("licence_detail", args=[licence.pk])


def test_revocation_and_delivery_are_told_to_the_holder(licence, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Licence.objects.filter(pk=licence.pk).update(delivery_method=DeliveryMethod.EXPRESS, delivered_at=None,
                                                      delivery_address="湖州市人民路1号", delivery_recipient="张三",
                                                      delivery_phone="13905720001")
        licence_record_dispatch(licence=licence, actor=people["clerk"], company="EMS", tracking_number="EMS1234567")
    note = Notification.objects.get(recipient=people["applicant_a"], subject__startswith="证照已送达")
    assert "EMS1234567" in note.body
    assert Application.objects.get(number=licence.application_number).events.filter(
        kind="licence_delivered").exists()
    with django_capture_on_commit_callbacks(execute=True):
        licence_end(licence=licence, actor=people["head_x"], kind="revoke", reason="以欺骗手段取得")
    note = Notification.objects.get(recipient=people["applicant_a"], subject__startswith="证照已撤销")
    assert "以欺骗手段取得" in note.body


# --- 我的证照 -----------------------------------------------------------------------------------------------
def test_the_library_lists_the_holders_licences_only(client, holder, licence, people, person_b, licence_version):
    other = issue(licence_version, person_b)
    response = client.get(reverse("licence_library"))
    assert response.status_code == 200
    page = html(response)
    assert licence.number in page and other.number not in page
    assert "有效" in page
    client.force_login(people["applicant_b"])
    page = html(client.get(reverse("licence_library")))
    assert other.number in page and licence.number not in page


def test_another_holders_licence_is_a_404_on_every_page(client, licence, people, person_b):
    client.force_login(people["applicant_b"])
    for name in ("licence_detail", "licence_pdf"):
        assert client.get(reverse(name, args=[licence.pk])).status_code == 404
    for name in ("licence_delivery", "licence_renew"):
        assert client.post(reverse(name, args=[licence.pk]), {"method": "download"}).status_code == 404
    client.force_login(people["clerk"])  # staff use the licence desk, not the holder's pages
    assert client.get(reverse("licence_detail", args=[licence.pk])).status_code == 404
    assert client.get(reverse("licence_detail", args=[999999])).status_code == 404


def test_the_holders_pages_need_a_login_and_the_right_method(client, licence, holder):
    assert client.post(reverse("licence_pdf", args=[licence.pk])).status_code == 405
    assert client.get(reverse("licence_renew", args=[licence.pk])).status_code == 405
    assert client.get(reverse("licence_delivery", args=[licence.pk])).status_code == 405
    client.logout()
    response = client.get(reverse("licence_library"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_expired_and_expiring_licences_are_marked(client, holder, licence):
    today = timezone.localdate()
    Licence.objects.filter(pk=licence.pk).update(valid_to=today + timedelta(days=20))
    page = html(client.get(reverse("licence_library")))
    assert "即将到期" in page
    Licence.objects.filter(pk=licence.pk).update(valid_to=today - timedelta(days=1))
    page = html(client.get(reverse("licence_library")))
    assert "已过期" in page and "即将到期" not in page
    page = html(client.get(reverse("licence_detail", args=[licence.pk])))
    assert "已过期" in page and reverse("licence_renew", args=[licence.pk]) not in page


def test_a_licence_being_made_is_polled_until_ready(client, holder, person_a, licence_version):
    licence = issue(licence_version, person_a, render=False)
    page = html(client.get(reverse("licence_library")))
    assert "制证中" in page and 'hx-trigger="every 2s"' in page
    part = client.get(reverse("licence_detail", args=[licence.pk]) + "?part=status", HTTP_HX_REQUEST="true")
    assert "制证中" in html(part) and 'hx-trigger="every 2s"' in html(part)
    licence_render(licence_id=licence.pk)
    part = client.get(reverse("licence_detail", args=[licence.pk]) + "?part=status", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in html(part)
    assert reverse("licence_pdf", args=[licence.pk]) in html(part)


def test_the_detail_page_shows_metadata_verification_and_the_art_44_deadline(client, holder, licence, person_a):
    response = client.get(reverse("licence_detail", args=[licence.pk]))
    page = html(response)
    assert licence.identifier in page and licence.number in page
    assert person_a.id_number not in page  # masked (PIPL)
    assert licence.holder_code_masked in page
    assert links_to_verification_of(licence, page) and "data:image/svg+xml" in page
    assert licence.deliver_due.strftime("%Y-%m-%d") in page and "第四十四条" in page
    assert reverse("licence_renew", args=[licence.pk]) in page


# --- download ---------------------------------------------------------------------------------------------
def test_the_download_is_the_signed_pdf_as_an_attachment_and_is_recorded(client, holder, licence):
    response = client.get(reverse("licence_pdf", args=[licence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    licence.refresh_from_db()
    assert licence.downloaded_at is not None
    assert AuditEvent.objects.filter(action="licence.download", actor=holder).exists()


# --- delivery choice --------------------------------------------------------------------------------------
def test_express_needs_address_recipient_and_phone_named_by_field(client, holder, licence):
    url = reverse("licence_delivery", args=[licence.pk])
    response = client.post(url, {"method": "express", "address": "", "recipient": "", "phone": "123"})
    assert response.status_code == 400
    page = html(response)
    assert "收件地址：邮寄须填写收件地址" in page
    assert "收件人：邮寄须填写收件人" in page
    assert "收件人电话：请填写正确的收件人电话" in page
    licence.refresh_from_db()
    assert licence.delivery_method == DeliveryMethod.DOWNLOAD  # nothing changed
    response = client.post(url, {"method": "pigeon"})
    assert response.status_code == 400 and "领取方式：" in html(response)


def test_the_holder_chooses_free_express(client, holder, licence):
    url = reverse("licence_delivery", args=[licence.pk])
    response = client.post(url, {"method": "express", "address": "湖州市吴兴区人民路1号", "recipient": "张三",
                                 "phone": "13905720001"})
    assert response.status_code == 302 and response["Location"] == reverse("licence_detail", args=[licence.pk])
    licence.refresh_from_db()
    assert (licence.delivery_method, licence.delivery_recipient) == (DeliveryMethod.EXPRESS, "张三")
    page = html(client.get(reverse("licence_detail", args=[licence.pk])))
    assert "免费邮寄至 湖州市吴兴区人民路1号" in page


def test_the_delivery_form_goes_back_to_a_local_page_only(client, holder, licence):
    url = reverse("licence_delivery", args=[licence.pk])
    response = client.post(url, {"method": "pickup", "next": "https://evil.example/"})
    assert response["Location"] == reverse("licence_detail", args=[licence.pk])
    back = reverse("application_detail", args=[Application.objects.get(number=licence.application_number).pk])
    response = client.post(url, {"method": "download", "next": back})
    assert response["Location"] == back


def test_a_revoked_licence_offers_no_delivery_choice(client, holder, licence, people):
    licence_end(licence=licence, actor=people["head_x"], kind="cancel", reason="申请人申请注销")
    page = html(client.get(reverse("licence_detail", args=[licence.pk])))
    assert "已注销" in page and "保存领取方式" not in page
    assert reverse("licence_renew", args=[licence.pk]) not in page
    response = client.post(reverse("licence_delivery", args=[licence.pk]), {"method": "pickup"}, follow=True)
    assert "证照已失效" in html(response)


# --- on the application's page ------------------------------------------------------------------------------
def test_an_approved_application_shows_its_licence_with_download_and_delivery(client, holder, approved_case):
    licence = Licence.objects.get()
    application = approved_case.application
    page = html(client.get(reverse("application_detail", args=[application.pk])))
    assert "已生成" in page and licence.number in page
    assert reverse("licence_pdf", args=[licence.pk]) in page
    assert reverse("licence_delivery", args=[licence.pk]) in page
    assert f'hx-get="{reverse("application_licences_partial", args=[application.pk])}"' not in page


def test_the_application_page_polls_while_the_licence_is_made(client, holder, approved_case):
    application = approved_case.application
    Licence.objects.all().delete()  # as if the approval's issue task had not run yet
    partial = reverse("application_licences_partial", args=[application.pk])
    page = html(client.get(reverse("application_detail", args=[application.pk])))
    assert "证照正在签发" in page and f'hx-get="{partial}"' in page
    licence = issue(approved_case.application.version, approved_case.application.applicant,
                    number=application.number, render=False)
    part = html(client.get(partial, HTTP_HX_REQUEST="true"))
    assert "制证中" in part and f'hx-get="{partial}"' in part
    licence_render(licence_id=licence.pk)
    part = html(client.get(partial, HTTP_HX_REQUEST="true"))
    assert "已生成" in part and "hx-get" not in part


def test_the_applications_licences_are_not_shown_to_others(client, approved_case, people):
    client.force_login(people["applicant_b"])
    assert client.get(reverse("application_licences_partial", args=[approved_case.application.pk])).status_code == 404


def test_the_workspace_links_to_my_licences(client, holder):
    page = html(client.get(reverse("workspace"), follow=True))
    assert reverse("licence_library") in page and "我的证照" in page


def test_a_draft_application_has_no_licence_block(client, holder, person_a, licence_version):
    draft = filing.application_start(actor=holder, applicant=person_a, version=licence_version)
    page = html(client.get(reverse("application_detail", args=[draft.pk])))
    assert "licences-h" not in page
    assert Licence.objects.filter(status=Status.VALID).count() == 0


# --- the permission matrix of these pages and the renewal endpoint -------------------------------------------
def _rows():
    def acct(suffix=""):
        return lambda p: f"/account/licences/{p['licence'].pk}/{suffix}"

    pages = [
        Row("get", "/account/licences/", SIGNED_IN),  # everyone signed in sees their own (mostly none)
        Row("get", acct(), only("applicant_a")),
        Row("get", acct("pdf/"), only("applicant_a")),
        Row("post", acct("delivery/"), only("applicant_a"), data={"method": "express"}, ok=frozenset({400})),
        Row("get", lambda p: f"/applications/{p['application'].pk}/licences/", only("applicant_a", "clerk")),
        Row("post", acct("renew/"), only("applicant_a"), ok=frozenset({302})),
    ]
    api = [Row("post", lambda p: f"/api/v1/licences/{p['licence'].pk}/renew/", only("applicant_a"),
               ok=frozenset({201}))]
    return pages, api


def test_every_role_against_the_holders_pages_and_the_renewal_endpoint(people, approved_case):
    objects = {**people, "licence": Licence.objects.get(), "application": approved_case.application}
    pages, api = _rows()
    assert check_matrix(Client, objects, pages) == []
    licence = Licence.objects.get()
    assert licence.delivery_method == DeliveryMethod.DOWNLOAD  # the bad input changed nothing
    assert Application.objects.filter(renews=licence).count() == 1
    Application.objects.filter(renews=licence).delete()
    assert check_matrix(APIClient, objects, api) == []
    assert Application.objects.filter(renews=licence).count() == 1
