"""The applicant's and the clerk's side of review: answering a review supplement (审查补正) on the detail page
and through the API, the review statuses and decision notices on the detail page, and the instant-decision
link on the clerk's desk."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from applications.models import Application, Notice, Status
from applications.services import intake
from approvals.models import TaskStatus
from approvals.services.cases import case_decide, case_open
from approvals.services.tasks import task_approve, task_claim, task_reject, task_return
from items.services import item_create, version_approve, version_submit
from tests.applications.conftest import FORM_FIELDS, ITEM_CONTENT, MATERIALS, pdf_file
from tests.applications.helpers import material, submitted
from tests.factories import UserFactory
from tests.matrix import Row, check_matrix, only

FLAGGED = "食品安全管理制度"
NOT_FLAGGED = "食品经营许可申请书"


def html(response) -> str:
    return response.content.decode()


def api_client(user=None) -> APIClient:
    client = APIClient()
    client.default_format = "json"
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def case(people, person_a, published_version, work_calendar):
    """applicant_a's application, accepted at the window, with its case opened (one task of department X)."""
    application = submitted(people["applicant_a"], person_a, published_version)
    intake.application_accept(actor=people["clerk"], application=application)
    return case_open(application_id=application.pk)


@pytest.fixture
def returned(people, case):
    """Department X asked for a supplement: one material and one matter that is not a material."""
    task = task_claim(actor=people["reviewer_x"], task=case.tasks.get())
    task_return(actor=people["reviewer_x"], task=task, problems=[
        {"material": material(case.application, FLAGGED).pk, "problem": "未包含进货查验制度"},
        {"subject": "经营面积", "problem": "请说明后厨面积与平面图不一致的原因"},
    ])
    case.application.refresh_from_db()
    return case.application


@pytest.fixture
def citizen(client, people):
    client.force_login(people["applicant_a"])
    return people["applicant_a"]


def detail_url(application: Application) -> str:
    return reverse("application_detail", args=[application.pk])


def supply_url(application: Application) -> str:
    return reverse("application_supply", args=[application.pk])


def upload(client, application: Application, name: str):
    m = material(application, name)
    return client.post(reverse("application_material_upload", args=[application.pk, m.pk]),
                       {"file": pdf_file(f"{name}.pdf")})


# --- the page -----------------------------------------------------------------------------------------------
def test_the_detail_page_shows_what_the_department_asked_and_uploads_for_exactly_those_materials(
        client, citizen, returned):
    page = html(client.get(detail_url(returned)))
    assert "审查中" in page
    assert "审查补正：请补正以下内容" in page
    assert "部门X" in page and "审查补正通知书" in page
    assert "未包含进货查验制度" in page and "请说明后厨面积与平面图不一致的原因" in page
    flagged, other = material(returned, FLAGGED), material(returned, NOT_FLAGGED)
    assert reverse("application_material_upload", args=[returned.pk, flagged.pk]) in page
    assert reverse("application_material_upload", args=[returned.pk, other.pk]) not in page
    assert f'action="{supply_url(returned)}"' in page and "提交补正" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_only_the_listed_material_may_be_replaced(client, citizen, returned):
    refused = upload(client, returned, NOT_FLAGGED)
    assert refused.status_code == 302
    page = html(client.get(refused.url))
    assert f"{NOT_FLAGGED}：当前状态下不能上传此材料。" in page
    assert material(returned, NOT_FLAGGED).documents.count() == 1

    done = upload(client, returned, FLAGGED)
    assert done.status_code == 302 and done.url.endswith(f"#material-{material(returned, FLAGGED).pk}")
    assert material(returned, FLAGGED).documents.count() == 2
    assert "已重新上传" in html(client.get(detail_url(returned)))


def test_supplying_before_replacing_names_the_material_and_keeps_the_note(client, citizen, returned):
    response = client.post(supply_url(returned), {"note": "已说明后厨面积"})
    assert response.status_code == 400
    page = html(response)
    assert f"请重新上传：{FLAGGED}" in page
    assert "已说明后厨面积" in page  # the note typed is not lost
    returned.refresh_from_db()
    assert returned.review_supplement is True


def test_supplying_after_replacing_resumes_the_review(client, citizen, people, returned):
    upload(client, returned, FLAGGED)
    response = client.post(supply_url(returned), {"note": "后厨面积以平面图为准"})
    assert response.status_code == 302 and response.url == detail_url(returned)
    page = html(client.get(response.url))
    assert "已提交补正，审查继续" in page
    assert "审查补正：请补正以下内容" not in page
    returned.refresh_from_db()
    assert returned.status == Status.IN_REVIEW and returned.review_supplement is False
    assert not returned.materials.exclude(problem="").exists()
    task = returned.case.tasks.get()
    assert task.status == TaskStatus.IN_REVIEW and task.assignee == people["reviewer_x"]


def test_supplying_when_nothing_is_asked_is_a_message_not_an_error(client, citizen, case):
    response = client.post(supply_url(case.application), {"note": "x"})
    assert response.status_code == 302
    assert "当前没有需要补正的内容" in html(client.get(response.url))


def test_a_long_note_is_refused_with_its_field(client, citizen, returned):
    response = client.post(supply_url(returned), {"note": "长" * 2001})
    assert response.status_code == 400
    assert "补正说明：" in html(response)


def test_supply_is_for_the_applicants_own_application_and_by_post(client, people, returned):
    assert client.post(supply_url(returned), {}).status_code == 302  # anonymous: to the login page
    client.force_login(people["applicant_b"])
    assert client.post(supply_url(returned), {}).status_code == 404
    client.force_login(people["reviewer_y"])
    assert client.post(supply_url(returned), {}).status_code == 404
    client.force_login(people["applicant_a"])
    assert client.get(supply_url(returned)).status_code == 405
    assert client.post(reverse("application_supply", args=[999999]), {}).status_code == 404
    returned.refresh_from_db()
    assert returned.review_supplement is True


def test_the_detail_page_shows_an_approval_and_its_decision_notice(client, citizen, people, case):
    task = task_claim(actor=people["reviewer_x"], task=case.tasks.get())
    task_approve(actor=people["reviewer_x"], task=task, text="符合条件")
    case_decide(actor=people["head_x"], case=case, approve=True)
    page = html(client.get(detail_url(case.application)))
    assert "准予许可" in page and "准予行政许可决定书" in page and "决定时间" in page
    assert "撤回申请" not in page  # decided: nothing to withdraw


def test_the_detail_page_shows_a_denial_and_its_decision_notice(client, citizen, people, case):
    task = task_claim(actor=people["reviewer_x"], task=case.tasks.get())
    task_reject(actor=people["reviewer_x"], task=task, text="选址不符合要求")
    case_decide(actor=people["head_x"], case=case, approve=False, reasons="选址不符合要求",
                how_to_succeed="另选经营场所")
    page = html(client.get(detail_url(case.application)))
    assert "不予许可" in page and "不予行政许可决定书" in page
    assert "选址不符合要求" in page  # the closing note


# --- the API ------------------------------------------------------------------------------------------------
def api_supply(user, application: Application, data=None):
    return api_client(user).post(reverse("api-application-supply", args=[application.pk]), data or {})


def test_api_shows_the_review_supplement_and_the_flagged_materials(people, returned):
    body = api_client(people["applicant_a"]).get(reverse("api-application", args=[returned.pk])).json()
    assert body["status"] == "in_review" and body["review_supplement"] is True
    assert body["review_supplement_at"] is not None and body["decided_at"] is None
    problems = {m["name"]: m["problem"] for m in body["materials"] if m["problem"]}
    assert problems == {FLAGGED: "未包含进货查验制度"}
    assert [n["kind"] for n in body["notices"]][-1] == Notice.Kind.REVIEW_SUPPLEMENT


def test_api_supply_names_the_materials_still_to_replace(people, returned):
    response = api_supply(people["applicant_a"], returned, {"note": "见附件"})
    assert response.status_code == 400
    assert response.json()["materials"] == [f"请重新上传：{FLAGGED}"]


def test_api_supply_after_the_upload_returns_the_application(people, returned):
    client = api_client(people["applicant_a"])
    flagged = material(returned, FLAGGED)
    uploaded = client.post(reverse("api-material-files", args=[returned.pk, flagged.pk]),
                           {"files": [pdf_file()]}, format="multipart")
    assert uploaded.status_code == 201
    response = client.post(reverse("api-application-supply", args=[returned.pk]), {"note": "已补充进货查验制度"})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == returned.pk and body["review_supplement"] is False and body["status"] == "in_review"
    assert returned.case.tasks.get().status == TaskStatus.IN_REVIEW


def test_api_supply_when_nothing_is_asked_is_a_conflict(people, case):
    response = api_supply(people["applicant_a"], case.application)
    assert response.status_code == 409
    assert "没有需要补正" in response.json()["detail"]


def test_api_supply_checks_its_input(people, returned):
    response = api_supply(people["applicant_a"], returned, {"note": "长" * 2001})
    assert response.status_code == 400 and "note" in response.json()


def test_every_role_against_supply_page_and_endpoint(client, people, returned):
    """The applicant's accounts and clerks may answer (here: 400, nothing re-uploaded yet); nobody else learns
    the application exists."""
    objects = {**people, "application": returned}
    rows = [Row("post", f"/api/v1/applications/{returned.pk}/supply/", only("applicant_a", "clerk"),
                data={"note": "矩阵"}, ok=frozenset({400})),
            Row("get", f"/api/v1/applications/{returned.pk}/supply/", frozenset(), ok=frozenset())]
    assert check_matrix(api_client, objects, rows) == []
    pages = [Row("post", supply_url(returned), only("applicant_a", "clerk"), data={"note": "矩阵"},
                 ok=frozenset({400}))]
    assert check_matrix(Client, objects, pages) == []
    returned.refresh_from_db()
    assert returned.review_supplement is True


def test_api_supply_of_an_unknown_application_is_404(people):
    assert api_client(people["applicant_a"]).post(
        reverse("api-application-supply", args=[999999]), {}).status_code == 404


# --- the clerk's desk: instant items (即办件) -------------------------------------------------------------
@pytest.fixture
def instant_version(people, dept_x):
    reviewer = UserFactory(username="catalogue_reviewer_instant", role="catalogue_admin")
    draft = item_create(actor=people["catalogue_admin"], department=dept_x, implementation_code="APP-T-INSTANT",
                        basic_code="000000000003", materials=MATERIALS, form_fields=FORM_FIELDS,
                        content={**ITEM_CONTENT, "name": "即办测试事项", "instant": True, "promised_limit": 1},
                        steps=[{"name": "受理即办"}])
    version_submit(actor=people["catalogue_admin"], version=draft)
    return version_approve(actor=reviewer, version=draft)


def accepted_at_window(people, person_a, version) -> Application:
    application = submitted(people["applicant_a"], person_a, version)
    return intake.application_accept(actor=people["clerk"], application=application)


def test_the_clerk_who_accepted_an_instant_item_gets_the_decision_link(client, people, person_a, instant_version,
                                                                         work_calendar):
    application = accepted_at_window(people, person_a, instant_version)
    client.force_login(people["clerk"])
    page = html(client.get(reverse("desk_application", args=[application.pk])))
    assert "当场作出决定" in page
    assert f'href="/review/applications/{application.pk}/decide/"' in page

    other = UserFactory(username="clerk_2", role="clerk")
    client.force_login(other)
    assert "当场作出决定" not in html(client.get(reverse("desk_application", args=[application.pk])))


def test_the_accept_button_of_an_instant_item_lands_on_the_decision_link(client, people, person_a,
                                                                           instant_version, work_calendar):
    application = submitted(people["applicant_a"], person_a, instant_version)
    client.force_login(people["clerk"])
    response = client.post(reverse("desk_accept", args=[application.pk]))
    assert response.status_code == 302 and response.url.endswith("#instant")
    assert 'id="instant"' in html(client.get(response.url))


def test_no_decision_link_for_an_item_that_is_reviewed(client, people, person_a, published_version, work_calendar):
    application = accepted_at_window(people, person_a, published_version)
    client.force_login(people["clerk"])
    assert "当场作出决定" not in html(client.get(reverse("desk_application", args=[application.pk])))
