"""延续 (Art. 50): the holder applies to renew a valid licence; the renewal is prefilled from the application the
licence was issued on, its submission starts the deemed-renewal watch, its end without approval stops it, and
its approval issues a licence that replaces the old one."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Status
from applications.services import filing
from applications.services.intake import application_accept, application_refuse
from approvals.services.cases import case_decide, case_open
from approvals.services.tasks import task_claim, task_reject
from items.services import version_retire
from licences.models import Licence
from licences.models import Status as LicenceStatus
from licences.services import licence_end, licence_issue, licence_render
from portal.models import Notification
from tests.applications.conftest import FORM_DATA, pdf_file
from tests.licences.conftest import approve_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(approved_case):
    return Licence.objects.get()


@pytest.fixture
def holder(client, people):
    client.force_login(people["applicant_a"])
    return people["applicant_a"]


def renew(client, licence, **kwargs):
    return client.post(reverse("licence_renew", args=[licence.pk]), **kwargs)


def renewal_of(licence):
    return Application.objects.get(renews=licence)


def submit(user, application):
    for m in application.materials.all():
        if m.required and m.from_applicant:
            filing.material_upload(actor=user, application=application, material=m, files=[pdf_file()])
    return filing.application_submit(actor=user, application=application)


# --- creating the renewal ------------------------------------------------------------------------------------
def test_renewal_is_a_draft_of_the_item_prefilled_from_the_original(client, holder, licence, approved_case,
                                                                   person_a):
    response = renew(client, licence)
    application = renewal_of(licence)
    assert response.status_code == 302 and response["Location"] == reverse("application_edit",
                                                                           args=[application.pk])
    assert application.status == Status.DRAFT
    assert application.applicant == person_a
    assert application.version == licence.item.published
    assert application.form_data == FORM_DATA
    assert application.events.filter(kind="renewal", summary__contains=licence.number).exists()
    page = client.get(response["Location"]).content.decode()
    assert f"延续 {licence.name}（{licence.number}" in page


def test_without_the_original_application_the_facts_on_the_licence_prefill(people, person_a, licence_version):
    licence = licence_issue(source="test-facts", version=licence_version, holder_name=person_a.name,
                            holder_code=person_a.id_number, holder_code_type="111",
                            decided_on=timezone.localdate(), facts=[["经营场所名称", "湖州老店"], ["未知项", "x"]])
    licence = licence_render(licence_id=licence.pk)
    application = filing.application_start_renewal(actor=people["applicant_a"], licence=licence)
    assert application.form_data == {"shop_name": "湖州老店"}


def test_a_second_renewal_is_refused_while_one_is_open(client, holder, licence):
    renew(client, licence)
    response = renew(client, licence, follow=True)
    assert "已有延续申请" in response.content.decode()
    assert Application.objects.filter(renews=licence).count() == 1


@pytest.mark.parametrize("case", ["revoked", "expired", "long_term", "unpublished"])
def test_renewal_is_refused_when_the_licence_or_the_item_does_not_allow_it(client, holder, licence, people, case):
    if case == "revoked":
        licence_end(licence=licence, actor=people["head_x"], kind="revoke", reason="测试")
        expected = "只有有效的证照可以申请延续"
    elif case == "expired":
        Licence.objects.filter(pk=licence.pk).update(valid_to=timezone.localdate() - timedelta(days=1))
        expected = "只有有效的证照可以申请延续"
    elif case == "long_term":
        Licence.objects.filter(pk=licence.pk).update(valid_to=None)
        expected = "长期有效"
    else:
        version_retire(actor=people["catalogue_admin"], version=licence.item.published)
        expected = "未发布"
    response = renew(client, licence, follow=True)
    assert expected in response.content.decode()
    assert not Application.objects.filter(renews=licence).exists()


# --- submission and its end ----------------------------------------------------------------------------------
def test_submitting_the_renewal_files_it_on_the_licence(holder, licence):
    application = filing.application_start_renewal(actor=holder, licence=licence)
    submitted = submit(holder, application)
    licence.refresh_from_db()
    assert licence.renewal_application == submitted.number
    assert licence.renewal_filed_on == timezone.localdate()


def test_a_renewal_of_a_licence_revoked_meanwhile_cannot_be_submitted(holder, licence, people):
    application = filing.application_start_renewal(actor=holder, licence=licence)
    licence_end(licence=licence, actor=people["head_x"], kind="revoke", reason="测试")
    with pytest.raises(ValidationError) as raised:
        submit(holder, application)
    assert "renews" in raised.value.message_dict
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_withdrawing_the_renewal_closes_it_on_the_licence(holder, licence):
    application = submit(holder, filing.application_start_renewal(actor=holder, licence=licence))
    filing.application_withdraw(actor=holder, application=application, reason="不再经营")
    licence.refresh_from_db()
    assert licence.renewal_application == ""


def test_a_renewal_not_accepted_is_closed_on_the_licence(holder, licence, people):
    application = submit(holder, filing.application_start_renewal(actor=holder, licence=licence))
    application_refuse(actor=people["clerk"], application=application, reasons="不属于本机关职权",
                       how_to_succeed="向有权机关申请")
    licence.refresh_from_db()
    assert licence.renewal_application == ""


def _renewal_case(holder, licence, people, django_capture_on_commit_callbacks):
    application = submit(holder, filing.application_start_renewal(actor=holder, licence=licence))
    with django_capture_on_commit_callbacks(execute=True):
        application_accept(actor=people["clerk"], application=application)
    return case_open(application_id=application.pk)


def test_a_denied_renewal_is_closed_on_the_licence(holder, licence, people, django_capture_on_commit_callbacks):
    case = _renewal_case(holder, licence, people, django_capture_on_commit_callbacks)
    task = case.tasks.get(department=people["reviewer_x"].department)
    task = task_claim(actor=people["reviewer_x"], task=task)
    task_reject(actor=people["reviewer_x"], task=task, text="条件已不具备")
    case.refresh_from_db()
    case_decide(actor=people["head_x"], case=case, approve=False, reasons="经营条件已不具备",
                how_to_succeed="整改后重新申请")
    licence.refresh_from_db()
    assert licence.renewal_application == ""
    assert licence.status == LicenceStatus.VALID


def test_an_approved_renewal_issues_a_licence_that_replaces_the_old(holder, licence, people,
                                                                    django_capture_on_commit_callbacks):
    case = _renewal_case(holder, licence, people, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        approve_case(people, case)
    licence.refresh_from_db()
    new = Licence.objects.exclude(pk=licence.pk).get()
    assert new.application_number == case.application.number
    assert new.status == LicenceStatus.VALID
    assert licence.status == LicenceStatus.REPLACED and licence.replaced_by == new
    assert licence.renewal_application == ""
    told = Notification.objects.get(recipient=people["applicant_a"], subject__startswith="证照已换发")
    assert new.number in told.body


# --- API ------------------------------------------------------------------------------------------------------
def test_the_api_starts_the_renewal_for_the_holder_only(client, licence, people):
    url = reverse("api-licence-renew", args=[licence.pk])
    client.force_login(people["applicant_b"])
    assert client.post(url).status_code == 404
    client.force_login(people["clerk"])
    assert client.post(url).status_code == 403
    client.force_login(people["applicant_a"])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "draft" and data["renews"]["id"] == licence.pk
    assert data["form_data"]["shop_name"] == FORM_DATA["shop_name"]
    again = client.post(url)
    assert again.status_code == 409 and "已有延续申请" in again.json()["detail"]
    assert client.post(reverse("api-licence-renew", args=[999999])).status_code == 404
    client.logout()
    assert client.post(url).status_code in (401, 403)
