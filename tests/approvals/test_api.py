"""The review API: the inbox, a task's detail, opinions, returns, pauses, extensions, inspections, decisions,
A/B posts; other departments' objects, conflicts (409), bad input (400 naming the field), query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Status
from applications.services import filing
from applications.services.review import application_supply
from approvals.models import Case, CaseStatus, Extension, Opinion, Pause, TaskStatus
from approvals.services.procedures import extension_request, pause_start
from approvals.services.tasks import task_approve, task_claim
from approvals.services.team import backup_set
from portal.models import AuditEvent
from tests.applications.conftest import pdf_file
from tests.approvals.conftest import accepted_case, publish
from tests.factories import DepartmentFactory, UserFactory


def client_for(user=None):
    client = APIClient()
    client.default_format = "json"
    if user is not None:
        client.force_login(user)
    return client


def ok(response, code=200):
    assert response.status_code == code, response.content.decode()
    return response.json()


def url(name, *args):
    return reverse(name, args=args)


def tasks_of(case):
    return {t.department.code: t for t in case.tasks.select_related("department")}


@pytest.fixture
def rx(people):
    return client_for(people["reviewer_x"])


@pytest.fixture
def ry(people):
    return client_for(people["reviewer_y"])


@pytest.fixture
def hx(people):
    return client_for(people["head_x"])


@pytest.fixture
def case(people, joint_version, person_a):
    """applicant_a's application, accepted: one task for X (lead) and one for Y."""
    return accepted_case(people, person_a, joint_version)


@pytest.fixture
def solo_case(people, dept_x, person_b, work_calendar):
    """An item of X alone: Y takes no part in it."""
    return accepted_case(people, person_b, publish(people, dept_x, code="REV-API-SOLO"))


def claimed(people, case, code="X", who="reviewer_x"):
    return task_claim(actor=people[who], task=tasks_of(case)[code])


# --- the inbox ----------------------------------------------------------------------------------------
def test_inbox_shows_the_departments_open_tasks_with_filters(rx, ry, people, case, solo_case):
    x_task, y_task = tasks_of(case)["X"], tasks_of(case)["Y"]
    body = ok(rx.get(url("api-tasks")))
    rows = body["results"]
    assert {r["id"] for r in rows} == {x_task.pk, tasks_of(solo_case)["X"].pk} and body["count"] == 2
    row = next(r for r in rows if r["id"] == x_task.pk)
    assert row["status"] == "pending" and row["department"]["code"] == "X" and row["is_lead"]
    assert row["case"] == {"id": case.pk, "number": case.application.number, "title": case.application.title}
    assert row["assignee"] is None and row["due_on"] and row["time_left"] in {"ok", "soon"}
    assert [r["due_on"] for r in rows] == sorted(r["due_on"] for r in rows)
    assert [r["id"] for r in ok(ry.get(url("api-tasks")))["results"]] == [y_task.pk]

    claimed(people, case)
    mine = ok(rx.get(url("api-tasks"), {"state": "mine"}))["results"]
    assert [(r["id"], r["assignee"]["name"]) for r in mine] == [(x_task.pk, str(people["reviewer_x"]))]
    assert [r["id"] for r in ok(rx.get(url("api-tasks"), {"state": "pending"}))["results"]] == [
        tasks_of(solo_case)["X"].pk]
    assert [r["id"] for r in ok(rx.get(url("api-tasks"), {"q": case.application.number}))["results"]] == [x_task.pk]
    assert ok(rx.get(url("api-tasks"), {"overdue": "true"}))["results"] == []
    assert ok(rx.get(url("api-tasks"), {"state": "approved"}))["results"] == []
    response = rx.get(url("api-tasks"), {"state": "finished"})
    assert response.status_code == 400 and "state" in response.json()
    page = ok(rx.get(url("api-tasks"), {"limit": 1}))
    assert len(page["results"]) == 1 and page["next"]


def test_the_inbox_is_for_department_staff(people, case):
    assert client_for().get(url("api-tasks")).status_code == 401
    for role in ("applicant_a", "clerk", "supervisor", "agency_a", "sysadmin"):
        assert client_for(people[role]).get(url("api-tasks")).status_code == 403, role


# --- a task's detail -----------------------------------------------------------------------------------
def test_task_detail_shows_the_case_the_application_and_the_other_departments_opinions(rx, people, case):
    y_task = claimed(people, case, "Y", "reviewer_y")
    task_approve(actor=people["reviewer_y"], task=y_task, text="消防条件符合", files=[pdf_file("现场照片.pdf")])
    x_task = tasks_of(case)["X"]
    body = ok(rx.get(url("api-task", x_task.pk)))
    assert body["id"] == x_task.pk and body["status"] == "pending" and body["can_claim"] and not body["can_act"]
    detail = body["case"]
    assert detail["id"] == case.pk and detail["status"] == "reviewing" and detail["mode"] == "review"
    assert detail["lead_department"]["code"] == "X" and detail["joint"] and not detail["can_decide"]
    assert [s["name"] for s in detail["stages"]] == [case.stages.get().name]
    others = {t["department"]["code"]: t for t in detail["tasks"]}
    assert others["Y"]["status"] == "approved" and others["Y"]["opinion"] == "消防条件符合"
    [opinion] = others["Y"]["opinions"]
    assert opinion["kind"] == "approve" and opinion["author"]["name"] == str(people["reviewer_y"])
    assert [a["name"] for a in opinion["attachments"]] == ["现场照片.pdf"]
    application = detail["application"]
    assert application["number"] == case.application.number and application["form_data"]["shop_name"]
    assert application["applicant"]["identity"] != case.application.applicant.id_number  # masked
    main = next(m for m in application["materials"] if m["name"] == "食品经营许可申请书")
    assert len(main["documents"]) == 1 and main["documents"][0]["id"]
    assert application["timeline"]
    labels = [line["label"] for line in detail["clock"]]
    assert labels[0] == "受理日期" and "承诺办结日期" in labels


def test_other_departments_tasks_are_404_unless_they_take_part(rx, ry, people, case, solo_case):
    solo = tasks_of(solo_case)["X"]
    for method, path, data in [
        ("get", url("api-task", solo.pk), {}),
        ("post", url("api-task-claim", solo.pk), {}),
        ("post", url("api-task-approve", solo.pk), {"text": "同意"}),
        ("post", url("api-task-reject", solo.pk), {"text": "不同意"}),
        ("post", url("api-task-return", solo.pk), {"problems": [{"subject": "地址", "problem": "不清"}]}),
        ("post", url("api-task-release", solo.pk), {}),
        ("post", url("api-task-pauses", solo.pk), {"kind": "hearing", "reason": "听证", "expected_days": 5}),
        ("post", url("api-task-extension", solo.pk), {"reasons": "复杂"}),
        ("post", url("api-task-inspections", solo.pk),
         {"scheduled_on": timezone.localdate().isoformat(), "place": "现场"}),
        ("get", url("api-case", solo_case.pk), {}),
        ("post", url("api-case-decision", solo_case.pk), {"approve": True}),
        ("get", url("api-task", 999999), {}),
        ("get", url("api-case", 999999), {}),
    ]:
        assert getattr(ry, method)(path, data).status_code == 404, path
    assert solo_case.pk not in {c["id"] for c in ok(ry.get(url("api-cases")))["results"]}

    # Y takes part in the joint case: it reads X's task, but may not act on it.
    x_task = tasks_of(case)["X"]
    assert ok(ry.get(url("api-task", x_task.pk)))["can_claim"] is False
    assert ry.post(url("api-task-claim", x_task.pk)).status_code == 403
    claimed(people, case)
    for path, data in [(url("api-task-approve", x_task.pk), {"text": "同意"}),
                       (url("api-task-reject", x_task.pk), {"text": "不同意"}),
                       (url("api-task-release", x_task.pk), {}),
                       (url("api-task-pauses", x_task.pk), {"kind": "hearing", "reason": "x", "expected_days": 5}),
                       (url("api-task-extension", x_task.pk), {"reasons": "复杂"}),
                       (url("api-case-decision", case.pk), {"approve": True})]:
        assert ry.post(path, data).status_code == 403, path
    x_task.refresh_from_db()
    assert x_task.status == TaskStatus.IN_REVIEW and x_task.assignee == people["reviewer_x"]
    assert not x_task.opinions.exists() and not case.pauses.exists() and not case.extensions.exists()
    # Nor may a colleague who did not claim it (the head may).
    colleague = client_for(UserFactory(role="reviewer", department=people["reviewer_x"].department))
    assert colleague.post(url("api-task-approve", x_task.pk), {"text": "同意"}).status_code == 403


def test_anonymous_and_roles_without_access(people, case):
    x_task = tasks_of(case)["X"]
    anonymous = client_for()
    for path in [url("api-tasks"), url("api-task", x_task.pk), url("api-cases"), url("api-case", case.pk),
                 url("api-extensions"), url("api-backups")]:
        assert anonymous.get(path).status_code == 401, path
    assert anonymous.post(url("api-task-claim", x_task.pk)).status_code == 401
    for role in ("applicant_a", "clerk", "agency_a"):
        client = client_for(people[role])
        assert client.get(url("api-cases")).status_code == 403
        assert client.get(url("api-task", x_task.pk)).status_code == 403
        assert client.post(url("api-task-claim", x_task.pk)).status_code == 403
    supervisor = client_for(people["supervisor"])
    assert ok(supervisor.get(url("api-task", x_task.pk)))["can_act"] is False
    assert supervisor.post(url("api-task-claim", x_task.pk)).status_code == 403
    assert {c["id"] for c in ok(supervisor.get(url("api-cases")))["results"]} == {case.pk}


def test_wrong_methods_are_405(rx, case):
    x_task = tasks_of(case)["X"]
    assert rx.get(url("api-task-claim", x_task.pk)).status_code == 405
    assert rx.delete(url("api-task", x_task.pk)).status_code == 405
    assert rx.put(url("api-cases"), {}).status_code == 405
    assert rx.get(url("api-case-decision", case.pk)).status_code == 405
    assert rx.post(url("api-tasks"), {}).status_code == 405
    assert rx.delete(url("api-backups")).status_code == 405


# --- the whole review through the API ------------------------------------------------------------------
def test_two_departments_approve_and_the_lead_decides(rx, ry, hx, people, case):
    x_task, y_task = tasks_of(case)["X"], tasks_of(case)["Y"]
    body = ok(rx.post(url("api-task-claim", x_task.pk)))
    assert body["status"] == "in_review" and body["assignee"]["id"] == people["reviewer_x"].pk and body["can_act"]
    body = ok(rx.post(url("api-task-approve", x_task.pk), {"text": "材料齐全，符合条件"}))
    assert body["status"] == "approved" and body["opinion"] == "材料齐全，符合条件" and not body["can_act"]
    ok(ry.post(url("api-task-claim", y_task.pk)))
    body = ok(ry.post(url("api-task-approve", y_task.pk), {"text": "同意"},))
    assert body["case"]["status"] == "deciding"
    assert ok(hx.get(url("api-case", case.pk)))["can_decide"] is True
    assert ok(ry.get(url("api-case", case.pk)))["can_decide"] is False
    body = ok(hx.post(url("api-case-decision", case.pk), {"approve": True, "reasons": "符合法定条件"}))
    assert body["status"] == "approved" and body["decided_by"]["id"] == people["head_x"].pk
    assert body["application"]["status"] == "approved"
    assert [c["status"] for c in ok(rx.get(url("api-cases"), {"status": "approved"}))["results"]] == ["approved"]
    assert ok(rx.get(url("api-cases"), {"status": "reviewing"}))["results"] == []


def test_a_rejection_under_one_veto_is_denied_with_the_double_notice(rx, ry, hx, people, case):
    y_task = tasks_of(case)["Y"]
    ok(ry.post(url("api-task-claim", y_task.pk)))
    response = ry.post(url("api-task-reject", y_task.pk), {"text": "  "})
    assert response.status_code == 400 and "text" in response.json()
    body = ok(ry.post(url("api-task-reject", y_task.pk), {"text": "消防通道不符合要求"}))
    assert body["status"] == "rejected"
    detail = ok(hx.get(url("api-case", case.pk)))
    assert detail["status"] == "deciding" and detail["vetoed"]
    assert {t["department"]["code"]: t["status"] for t in detail["tasks"]} == {"X": "cancelled", "Y": "rejected"}
    response = hx.post(url("api-case-decision", case.pk), {"approve": True})
    assert response.status_code == 400  # vetoed: only a denial
    response = hx.post(url("api-case-decision", case.pk), {"approve": False, "reasons": "消防不合格"})
    assert response.status_code == 400 and "how_to_succeed" in response.json()
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDING and case.application.status == Status.IN_REVIEW
    body = ok(hx.post(url("api-case-decision", case.pk),
                      {"approve": False, "reasons": "消防不合格", "how_to_succeed": "整改消防通道后重新申请"}))
    assert body["status"] == "denied" and body["decision_reasons"] == "消防不合格"


def test_return_for_a_supplement_pauses_the_clock_until_the_applicant_supplies(rx, people, case):
    x_task = claimed(people, case)
    application = case.application
    licence = application.materials.get(name="营业执照复印件")
    body = ok(rx.post(url("api-task-return", x_task.pk), {
        "problems": [{"material": licence.pk, "problem": "营业执照已过期"},
                     {"subject": "经营面积", "problem": "与平面图不一致"}]}))
    assert body["status"] == "returned" and body["time_left"] == "paused"
    [pause] = body["case"]["pauses"]
    assert pause["kind"] == "supplement" and pause["ended_on"] is None
    material = next(m for m in body["case"]["application"]["materials"] if m["id"] == licence.pk)
    assert material["problem"] == "营业执照已过期"
    assert any("暂停" in line["label"] for line in body["case"]["clock"])
    assert rx.post(url("api-pause-end", pause["id"])).status_code == 403  # ends when the applicant supplies

    licence.refresh_from_db()
    filing.material_upload(actor=people["applicant_a"], application=application, material=licence,
                           files=[pdf_file("新执照.pdf")])
    application_supply(actor=people["applicant_a"], application=application, note="面积已更正")
    body = ok(rx.get(url("api-task", x_task.pk)))
    assert body["status"] == "in_review" and body["due_on"] and body["case"]["pauses"][0]["ended_on"]
    assert [o["kind"] for t in body["case"]["tasks"] for o in t["opinions"]] == ["return"]


def test_art34_two_signoffs_by_different_staff(rx, hx, people, dept_x, person_b, work_calendar):
    case = accepted_case(people, person_b, publish(people, dept_x, code="REV-API-34", verification_signoffs=2))
    x_task = claimed(people, case)
    body = ok(rx.post(url("api-task-approve", x_task.pk), {"text": "核查属实"}))
    assert body["status"] == "in_review" and body["signoffs_required"] == 2
    response = rx.post(url("api-task-approve", x_task.pk), {"text": "再签一次"})
    assert response.status_code == 409 and response.json()["detail"]
    body = ok(hx.post(url("api-task-approve", x_task.pk), {"text": "复核属实"}))
    assert body["status"] == "approved"
    assert Opinion.objects.filter(task=x_task, kind="approve").count() == 2


def test_approve_with_attachments_and_download_them(rx, ry, people, case, solo_case):
    x_task = claimed(people, case)
    response = rx.post(url("api-task-approve", x_task.pk),
                       {"text": "同意", "files": [pdf_file("核查记录.pdf")]}, format="multipart")
    body = ok(response)
    [opinion] = next(t for t in body["case"]["tasks"] if t["id"] == x_task.pk)["opinions"]
    [attachment] = opinion["attachments"]
    assert attachment["name"] == "核查记录.pdf"
    response = ry.get(url("api-attachment", attachment["id"]), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="attachment.download", actor=people["reviewer_y"]).exists()
    assert client_for(people["applicant_a"]).get(url("api-attachment", attachment["id"])).status_code == 403
    outsider = client_for(UserFactory(role="reviewer", department=DepartmentFactory(code="Z")))
    assert outsider.get(url("api-attachment", attachment["id"])).status_code == 404


def test_bad_attachments_are_refused_and_nothing_is_kept(rx, people, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    x_task = claimed(people, case)
    fake = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = rx.post(url("api-task-approve", x_task.pk), {"text": "同意", "files": [fake]}, format="multipart")
    assert response.status_code == 400 and "files" in response.json()
    x_task.refresh_from_db()
    assert x_task.status == TaskStatus.IN_REVIEW and not x_task.opinions.exists()


def test_material_files_download_for_those_who_see_the_case(rx, ry, people, case, solo_case):
    document = case.application.materials.get(name="食品经营许可申请书").documents.get()
    response = ry.get(url("api-case-document", case.pk, document.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    audit = AuditEvent.objects.get(action="document.download")
    assert audit.actor == people["reviewer_y"] and audit.object_id == str(document.pk)
    other = solo_case.application.materials.get(name="食品经营许可申请书").documents.get()
    assert rx.get(url("api-case-document", case.pk, other.pk)).status_code == 404  # not this case's
    assert ry.get(url("api-case-document", solo_case.pk, other.pk)).status_code == 404  # Y not in it


# --- conflicts: 409 ------------------------------------------------------------------------------------
def test_two_reviewers_claim_one_task_one_conflict(rx, people, case, reviewer_x2):
    x_task = tasks_of(case)["X"]
    ok(rx.post(url("api-task-claim", x_task.pk)))
    response = client_for(reviewer_x2).post(url("api-task-claim", x_task.pk))
    assert response.status_code == 409 and response.json()["detail"]
    x_task.refresh_from_db()
    assert x_task.assignee == people["reviewer_x"]


def test_approving_twice_and_deciding_early_are_conflicts(rx, hx, people, case):
    x_task = claimed(people, case)
    response = hx.post(url("api-case-decision", case.pk), {"approve": True})
    assert response.status_code == 409  # still reviewing
    ok(rx.post(url("api-task-approve", x_task.pk), {"text": "同意"}))
    for path, data in [(url("api-task-approve", x_task.pk), {"text": "同意"}),
                       (url("api-task-reject", x_task.pk), {"text": "不同意"}),
                       (url("api-task-return", x_task.pk), {"problems": [{"subject": "地址", "problem": "不清"}]}),
                       (url("api-task-release", x_task.pk), {}),
                       (url("api-task-reassign", x_task.pk), {"to": people["reviewer_x"].pk})]:
        response = (hx if "reassign" in path else rx).post(path, data)
        assert response.status_code == 409 and response.json()["detail"], path
    assert Opinion.objects.filter(task=x_task).count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.REVIEWING


# --- bad input: 400 naming the field, nothing changed ------------------------------------------------
def test_bad_input_names_the_field_and_changes_nothing(rx, hx, people, case, solo_case):
    x_task = claimed(people, case)
    other_material = solo_case.application.materials.first()
    today = timezone.localdate()
    for path, data, field in [
        (url("api-task-approve", x_task.pk), {}, "text"),
        (url("api-task-approve", x_task.pk), {"text": "x" * 5001}, "text"),
        (url("api-task-reject", x_task.pk), {"text": ""}, "text"),
        (url("api-task-return", x_task.pk), {"problems": []}, "problems"),
        (url("api-task-return", x_task.pk), {"problems": [{"material": other_material.pk, "problem": "不清"}]},
         "problems"),
        (url("api-task-return", x_task.pk), {"problems": [{"subject": "地址"}]}, "problems"),
        (url("api-task-pauses", x_task.pk), {"kind": "supplement", "reason": "x", "expected_days": 5}, "kind"),
        (url("api-task-pauses", x_task.pk), {"kind": "hearing", "reason": "听证", "expected_days": 0},
         "expected_days"),
        (url("api-task-pauses", x_task.pk), {"kind": "hearing", "expected_days": 5}, "reason"),
        (url("api-task-extension", x_task.pk), {"reasons": " "}, "reasons"),
        (url("api-task-inspections", x_task.pk), {"scheduled_on": (today - timedelta(days=1)).isoformat(),
                                                  "place": "现场"}, "scheduled_on"),
        (url("api-task-inspections", x_task.pk), {"scheduled_on": today.isoformat(), "place": "现场",
                                                  "departments": ["NOPE"]}, "departments"),
        (url("api-task-inspections", x_task.pk), {"scheduled_on": "tomorrow", "place": "现场"}, "scheduled_on"),
    ]:
        response = rx.post(path, data)
        assert response.status_code == 400 and field in response.json(), (path, data, response.content)
    response = hx.post(url("api-task-reassign", x_task.pk), {"to": people["reviewer_y"].pk})
    assert response.status_code == 400 and "to" in response.json()
    response = hx.post(url("api-task-reassign", x_task.pk), {"to": "someone"})
    assert response.status_code == 400 and "to" in response.json()
    response = hx.post(url("api-case-decision", case.pk), {"reasons": "x"})
    assert response.status_code == 400 and "approve" in response.json()
    response = rx.post(url("api-task-approve", x_task.pk), "not json", content_type="application/json")
    assert response.status_code == 400
    x_task.refresh_from_db()
    assert x_task.status == TaskStatus.IN_REVIEW and x_task.assignee == people["reviewer_x"]
    assert not x_task.opinions.exists() and not case.pauses.exists() and not case.extensions.exists()
    assert not case.inspections.exists() and not case.application.notices.filter(kind="review_supplement").exists()


# --- pauses, extensions, inspections, reassignment ----------------------------------------------------
def test_an_art45_pause_stops_the_clock_and_its_end_moves_the_dates(rx, ry, people, case):
    x_task = claimed(people, case)
    body = ok(rx.post(url("api-task-pauses", x_task.pk),
                      {"kind": "expert_review", "reason": "需组织专家评审", "expected_days": 10}), 201)
    assert body["kind"] == "expert_review" and body["task"] == x_task.pk and body["ended_on"] is None
    assert case.application.notices.filter(kind="suspension").exists()
    response = rx.post(url("api-task-pauses", x_task.pk), {"kind": "hearing", "reason": "听证", "expected_days": 5})
    assert response.status_code == 409  # one running procedure per task
    assert ry.post(url("api-pause-end", body["id"])).status_code == 403  # Y sees the case, not its task
    ended = ok(rx.post(url("api-pause-end", body["id"])))
    assert ended["ended_on"] == timezone.localdate().isoformat()
    assert rx.post(url("api-pause-end", body["id"])).status_code == 409
    assert client_for(people["head_x"]).post(url("api-pause-end", 999999)).status_code == 404


def test_a_supplement_given_the_day_it_was_asked_while_another_procedure_runs(rx, ry, people, case):
    """Two pauses started the same day, one ended and one running (portal.clock once failed to sort them)."""
    x_task, y_task = claimed(people, case), claimed(people, case, "Y", "reviewer_y")
    ok(rx.post(url("api-task-pauses", x_task.pk), {"kind": "testing", "reason": "送检", "expected_days": 5}), 201)
    ok(ry.post(url("api-task-return", y_task.pk), {"problems": [{"subject": "消防", "problem": "请说明消防通道"}]}))
    application_supply(actor=people["applicant_a"], application=case.application, note="消防通道宽4米")
    body = ok(ry.get(url("api-task", y_task.pk)))
    assert body["status"] == "in_review" and len(body["case"]["pauses"]) == 2


def test_the_extension_is_asked_once_and_decided_by_the_lead_head(rx, ry, hx, people, case):
    x_task = claimed(people, case)
    body = ok(rx.post(url("api-task-extension", x_task.pk), {"reasons": "需补充现场核查"}), 201)
    assert body["status"] == "requested" and body["days"] == 15  # joint handling
    response = rx.post(url("api-task-extension", x_task.pk), {"reasons": "again"})
    assert response.status_code == 409
    assert rx.get(url("api-extensions")).status_code == 403
    listed = ok(hx.get(url("api-extensions"), {"status": "requested"}))["results"]
    assert [(e["id"], e["application"]["id"], e["department"]["code"]) for e in listed] == [(body["id"], case.pk, "X")]
    assert ok(hx.get(url("api-extensions"), {"status": "granted"}))["results"] == []
    assert rx.post(url("api-extension-decision", body["id"]), {"grant": True}).status_code == 403
    response = hx.post(url("api-extension-decision", body["id"]), {"grant": False})
    assert response.status_code == 400 and "comment" in response.json()
    decided = ok(hx.post(url("api-extension-decision", body["id"]), {"grant": True, "comment": "同意延期"}))
    assert decided["status"] == "granted" and decided["decided_by"]["id"] == people["head_x"].pk
    assert hx.post(url("api-extension-decision", body["id"]), {"grant": True}).status_code == 409
    detail = ok(hx.get(url("api-case", case.pk)))
    assert detail["extension_days"] == 15 and any(line["label"] == "延长" for line in detail["clock"])
    response = rx.post(url("api-task-extension", x_task.pk), {"reasons": "再延一次"})
    assert response.status_code == 400  # at most once (Art. 42)
    assert Extension.objects.filter(case=case).count() == 1


def test_a_head_of_another_department_cannot_decide_an_extension(hx, people, case):
    y_task = claimed(people, case, "Y", "reviewer_y")
    extension = extension_request(actor=people["reviewer_y"], task=y_task, reasons="需检测")
    head_y = client_for(UserFactory(role="head", department=people["reviewer_y"].department))
    assert head_y.post(url("api-extension-decision", extension.pk), {"grant": True}).status_code == 403
    assert ok(head_y.get(url("api-extensions")))["results"] == []  # X leads the case
    assert [e["id"] for e in ok(hx.get(url("api-extensions")))["results"]] == [extension.pk]
    extension.refresh_from_db()
    assert extension.status == Extension.Status.REQUESTED


def test_joint_site_inspection_scheduled_and_recorded(rx, ry, people, case, dept_y):
    x_task = claimed(people, case)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    body = ok(rx.post(url("api-task-inspections", x_task.pk),
                      {"scheduled_on": day, "place": "人民路1号", "departments": ["Y"], "participants": "张三"}), 201)
    assert {d["code"] for d in body["departments"]} == {"X", "Y"} and body["record"] == ""
    response = ry.post(url("api-inspection-record", body["id"]), {"record": ""})
    assert response.status_code == 400 and "record" in response.json()
    recorded = ok(ry.post(url("api-inspection-record", body["id"]), {"record": "现场与图纸一致"}))
    assert recorded["record"] == "现场与图纸一致" and recorded["recorded_at"] and recorded["participants"] == "张三"
    outsider = client_for(UserFactory(role="reviewer", department=DepartmentFactory(code="Z")))
    assert outsider.post(url("api-inspection-record", body["id"]), {"record": "x"}).status_code == 404
    [shown] = ok(rx.get(url("api-case", case.pk)))["inspections"]
    assert shown["record"] == "现场与图纸一致"


def test_the_head_reassigns_a_task(rx, hx, people, case, reviewer_x2):
    x_task = tasks_of(case)["X"]
    assert rx.post(url("api-task-reassign", x_task.pk), {"to": reviewer_x2.pk}).status_code == 403
    body = ok(hx.post(url("api-task-reassign", x_task.pk), {"to": reviewer_x2.pk}))
    assert body["status"] == "in_review" and body["assignee"]["id"] == reviewer_x2.pk
    body = ok(hx.post(url("api-task-reassign", x_task.pk), {"to": people["reviewer_x"].pk}))
    assert body["assignee"]["id"] == people["reviewer_x"].pk
    ok(rx.post(url("api-task-release", x_task.pk)))
    x_task.refresh_from_db()
    assert x_task.status == TaskStatus.PENDING and x_task.assignee is None


# --- A/B posts ------------------------------------------------------------------------------------------
def test_backups_set_by_the_head_and_absence(rx, hx, people, reviewer_x2):
    rows = ok(hx.get(url("api-backups")))
    assert {r["user"]["id"] for r in rows} == {people["reviewer_x"].pk, people["head_x"].pk, reviewer_x2.pk}
    assert all(r["backup"] is None and not r["absent"] for r in rows)
    response = rx.put(url("api-backups"), {"primary": people["reviewer_x"].pk, "backup": reviewer_x2.pk})
    assert response.status_code == 403
    rows = ok(hx.put(url("api-backups"), {"primary": people["reviewer_x"].pk, "backup": reviewer_x2.pk,
                                          "absent": True}))
    row = next(r for r in rows if r["user"]["id"] == people["reviewer_x"].pk)
    assert row["backup"]["id"] == reviewer_x2.pk and row["absent"]
    rows = ok(rx.put(url("api-backups"), {"primary": people["reviewer_x"].pk, "absent": False}))  # back at work
    assert not next(r for r in rows if r["user"]["id"] == people["reviewer_x"].pk)["absent"]
    for data, field in [({"primary": people["reviewer_y"].pk, "absent": True}, "primary"),
                        ({"primary": people["reviewer_x"].pk, "backup": people["reviewer_y"].pk}, "backup"),
                        ({"primary": reviewer_x2.pk, "absent": True}, "primary"),  # no B岗 yet
                        ({"primary": people["reviewer_x"].pk}, "backup"),
                        ({"absent": True}, "primary")]:
        response = hx.put(url("api-backups"), data)
        assert response.status_code == 400 and field in response.json(), (data, response.content)
    assert client_for(people["clerk"]).get(url("api-backups")).status_code == 403
    assert ok(client_for(people["reviewer_y"]).get(url("api-backups"))) == [
        {"user": {"id": people["reviewer_y"].pk, "name": str(people["reviewer_y"])}, "role": "reviewer",
         "backup": None, "absent": False}]


def test_a_backup_acts_on_the_absent_colleagues_task(people, case, reviewer_x2):
    x_task = claimed(people, case)
    backup_set(actor=people["head_x"], primary=people["reviewer_x"], backup=reviewer_x2)
    b = client_for(reviewer_x2)
    assert b.post(url("api-task-approve", x_task.pk), {"text": "同意"}).status_code == 403
    ok(client_for(people["head_x"]).put(url("api-backups"), {"primary": people["reviewer_x"].pk, "absent": True}))
    assert ok(b.get(url("api-task", x_task.pk)))["can_act"]
    assert ok(b.post(url("api-task-approve", x_task.pk), {"text": "代为审查：同意"}))["status"] == "approved"


# --- instant items: the accepting clerk decides ---------------------------------------------------------
def test_the_clerk_who_accepted_an_instant_item_decides_it(people, dept_x, person_b, work_calendar):
    version = publish(people, dept_x, code="REV-API-INSTANT", instant=True, promised_limit=1)
    case = accepted_case(people, person_b, version)
    assert case.mode == "instant" and case.status == CaseStatus.DECIDING
    other_clerk = client_for(UserFactory(role="clerk"))
    assert other_clerk.post(url("api-case-decision", case.pk), {"approve": True}).status_code == 404
    body = ok(client_for(people["clerk"]).post(url("api-case-decision", case.pk), {"approve": True}))
    assert body["status"] == "approved" and body["mode"] == "instant"


# --- queries -------------------------------------------------------------------------------------------
def test_lists_and_details_take_a_fixed_number_of_queries(hx, people, joint_version, person_a, case):
    # (The work calendar is loaded once in a test and then cached, as in production: tests/conftest.py.)
    def count(client, path):
        ok(client.get(path))
        with CaptureQueriesContext(connection) as queries:
            ok(client.get(path))
        return len(queries)

    y_task = claimed(people, case, "Y", "reviewer_y")
    task_approve(actor=people["reviewer_y"], task=y_task, text="同意", files=[pdf_file()])
    x_task = claimed(people, case)
    pause = pause_start(actor=people["reviewer_x"], task=x_task, kind=Pause.Kind.TESTING, reason="检测",
                        expected_days=3)
    paths = [url("api-tasks"), url("api-cases"), url("api-task", x_task.pk), url("api-case", case.pk),
             url("api-extensions")]
    before = [count(hx, p) for p in paths]

    for _i in range(3):
        claimed(people, accepted_case(people, person_a, joint_version))
    ok(client_for(people["reviewer_x"]).post(url("api-pause-end", pause.pk)))
    extension_request(actor=people["reviewer_x"], task=x_task, reasons="复杂")
    Opinion.objects.create(task=x_task, kind=Opinion.Kind.COMMENT, author=people["head_x"], text="请注意消防")
    assert Case.objects.count() == 4
    assert [count(hx, p) for p in paths] == before
