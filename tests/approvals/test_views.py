"""The review pages, used as a department would: the inbox, a task and each action on it, and who may see
what (the owner, another department in the case, an outsider, anonymous, the wrong method)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Notice, Status
from approvals.models import Extension, Inspection, Opinion, Pause, ReviewTask, TaskStatus
from approvals.services.procedures import extension_request, pause_start
from approvals.services.tasks import task_approve, task_claim
from portal.models import Role
from tests.applications.conftest import pdf_file
from tests.approvals.conftest import accepted_case, publish
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def reviewer_z(db):
    """A reviewer of a department that takes no part in the cases of these tests."""
    return UserFactory(username="reviewer_z", role=Role.REVIEWER,
                       department=DepartmentFactory(code="Z", name="部门Z"))


@pytest.fixture
def case(people, joint_version, person_a):
    return accepted_case(people, person_a, joint_version)


def task_of(case, code) -> ReviewTask:
    return case.tasks.get(department__code=code)


def fresh(task) -> ReviewTask:
    return ReviewTask.objects.get(pk=task.pk)


def login(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def claimed(people, case, code="X", who="reviewer_x") -> ReviewTask:
    return task_claim(actor=people[who], task=task_of(case, code))


# --- the inbox ----------------------------------------------------------------------------------------------
def test_inbox_lists_the_departments_tasks_with_time_left_in_words(client, people, case, work_calendar):
    html = login(client, people["reviewer_x"]).get(reverse("review_inbox")).content.decode()
    task = task_of(case, "X")
    assert case.application.number in html and reverse("review_task", args=[task.pk]) in html
    assert "期限内" in html and "未认领" in html and "食品经营许可（测试）" in html
    assert reverse("review_task", args=[task_of(case, "Y").pk]) not in html  # Y's task is in Y's inbox


def test_inbox_of_another_department_shows_only_its_own_tasks(client, people, case, reviewer_z):
    html = login(client, people["reviewer_y"]).get(reverse("review_inbox")).content.decode()
    assert reverse("review_task", args=[task_of(case, "Y").pk]) in html
    assert reverse("review_task", args=[task_of(case, "X").pk]) not in html
    html = login(client, reviewer_z).get(reverse("review_inbox")).content.decode()
    assert case.application.number not in html and "没有符合条件的审查任务" in html


def test_inbox_filters_by_state_overdue_and_text(client, people, case, work_calendar):
    c = login(client, people["reviewer_x"])
    task = task_of(case, "X")
    number = case.application.number
    assert number not in c.get(reverse("review_inbox"), {"state": "mine"}).content.decode()
    task_claim(actor=people["reviewer_x"], task=task)
    assert number in c.get(reverse("review_inbox"), {"state": "mine"}).content.decode()
    assert number in c.get(reverse("review_inbox"), {"state": "in_review"}).content.decode()
    assert number not in c.get(reverse("review_inbox"), {"state": "pending"}).content.decode()
    assert number not in c.get(reverse("review_inbox"), {"overdue": "on"}).content.decode()
    ReviewTask.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    overdue = c.get(reverse("review_inbox"), {"overdue": "on"}).content.decode()
    assert number in overdue and "due overdue" in overdue and "已超期" in overdue
    assert number in c.get(reverse("review_inbox"), {"q": "食品经营"}).content.decode()
    assert number in c.get(reverse("review_inbox"), {"q": number}).content.decode()
    assert number not in c.get(reverse("review_inbox"), {"q": "建设工程"}).content.decode()
    assert c.get(reverse("review_inbox"), {"state": "nonsense"}).status_code == 200  # a bad filter: default


def test_inbox_shows_cases_awaiting_the_lead_departments_decision(client, people, case):
    task_approve(actor=people["reviewer_x"], task=claimed(people, case), text="符合")
    task_approve(actor=people["reviewer_y"], task=claimed(people, case, "Y", "reviewer_y"), text="同意")
    html = login(client, people["head_x"]).get(reverse("review_inbox")).content.decode()
    assert "待我决定" in html and reverse("review_case", args=[case.pk]) in html
    assert "本部门概况" in html  # the head's figures
    assert "待我决定" not in login(client, people["reviewer_y"]).get(reverse("review_inbox")).content.decode()


def test_inbox_refuses_others(client, people):
    assert client.get(reverse("review_inbox"))["Location"].startswith(reverse("login"))
    for role in ("clerk", "applicant_a", "supervisor"):
        assert login(client, people[role]).get(reverse("review_inbox")).status_code == 403
    assert login(client, people["reviewer_x"]).post(reverse("review_inbox")).status_code == 405


def test_inbox_answers_in_the_same_number_of_queries_for_1_and_20_tasks(client, people, joint_version, person_a,
                                                                       work_calendar):
    accepted_case(people, person_a, joint_version)
    c = login(client, people["reviewer_x"])
    c.get(reverse("review_inbox"))  # warm the calendar cache
    with CaptureQueriesContext(connection) as one:
        assert c.get(reverse("review_inbox")).status_code == 200
    for _n in range(19):
        claimed(people, accepted_case(people, person_a, joint_version))
    with CaptureQueriesContext(connection) as twenty:
        response = c.get(reverse("review_inbox"))
    assert len(response.context["rows"]) == 20
    assert len(twenty) == len(one), "\n".join(q["sql"][:200] for q in twenty.captured_queries)


# --- the task page -----------------------------------------------------------------------------------------
def test_task_page_shows_the_application_materials_form_and_the_other_departments(client, people, case, person_a):
    task = task_of(case, "X")
    html = login(client, people["reviewer_x"]).get(reverse("review_task", args=[task.pk])).content.decode()
    assert case.application.number in html and person_a.name in html
    assert person_a.identity_masked in html and person_a.id_number not in html
    assert "经营场所名称" in html and "湖州小吃店" in html  # the form with its labels
    assert "食品经营许可申请书" in html
    document = case.application.materials.get(name="食品经营许可申请书").documents.get()
    assert reverse("review_case_document", args=[case.pk, document.pk]) in html
    assert "部门Y" in html and reverse("review_task", args=[task_of(case, "Y").pk]) in html
    assert "承诺时限" in html and "10 个工作日" in html  # the clock explained
    assert "认领任务" in html and "出具同意意见" not in html  # pending: only claim


def test_task_page_access(client, people, case, reviewer_z):
    url = reverse("review_task", args=[task_of(case, "X").pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    assert login(client, reviewer_z).get(url).status_code == 404
    assert login(client, people["clerk"]).get(url).status_code == 404
    assert login(client, people["applicant_a"]).get(url).status_code == 404
    assert login(client, people["reviewer_x"]).post(url).status_code == 405
    assert login(client, people["reviewer_x"]).get(reverse("review_task", args=[999999])).status_code == 404
    # Y takes part in the case: it reads X's task, but acts on none of it.
    html = login(client, people["reviewer_y"]).get(url).content.decode()
    assert "部门X的审查任务" in html and "认领任务" not in html
    assert login(client, people["reviewer_y"]).post(reverse("review_task_claim", args=[task_of(case, "X").pk])
                                                     ).status_code == 403
    # The supervisor reads; no actions.
    html = login(client, people["supervisor"]).get(url).content.decode()
    assert "部门X的审查任务" in html and 'id="actions"' not in html


def test_actions_refuse_anonymous_outsiders_and_get(client, people, case, reviewer_z):
    task = task_of(case, "X")
    for name in ("review_task_claim", "review_task_release", "review_task_approve", "review_task_reject",
                 "review_task_return", "review_task_pause", "review_task_extension", "review_task_inspection",
                 "review_task_reassign"):
        url = reverse(name, args=[task.pk])
        client.logout()
        assert client.post(url)["Location"].startswith(reverse("login")), name
        assert login(client, reviewer_z).post(url).status_code == 404, name
        assert login(client, people["reviewer_x"]).get(url).status_code == 405, name
    assert fresh(task).status == TaskStatus.PENDING


def test_claim_and_release_through_the_page(client, people, case, reviewer_x2):
    task = task_of(case, "X")
    c = login(client, people["reviewer_x"])
    response = c.post(reverse("review_task_claim", args=[task.pk]), follow=True)
    assert "已认领，请审查并出具意见。" in messages_of(response)
    assert fresh(task).status == TaskStatus.IN_REVIEW and fresh(task).assignee == people["reviewer_x"]
    assert "出具同意意见" in response.content.decode() and "取消认领" in response.content.decode()

    other = login(client, reviewer_x2).post(reverse("review_task_claim", args=[task.pk]), follow=True)
    assert any("已被他人处理" in m for m in messages_of(other))  # one claim wins, the other is told
    assert fresh(task).assignee == people["reviewer_x"]
    assert login(client, reviewer_x2).post(reverse("review_task_release", args=[task.pk])).status_code == 403

    released = login(client, people["reviewer_x"]).post(reverse("review_task_release", args=[task.pk]), follow=True)
    assert "已取消认领，任务回到待认领。" in messages_of(released)
    assert fresh(task).status == TaskStatus.PENDING and fresh(task).assignee is None


def test_approve_needs_the_opinion_then_ends_the_task(client, people, case, media_root):
    task = claimed(people, case)
    c = login(client, people["reviewer_x"])
    bad = c.post(reverse("review_task_approve", args=[task.pk]), {"approve-text": "  "})
    assert bad.status_code == 200 and "同意意见：请填写审查意见。" in bad.content.decode()
    assert fresh(task).status == TaskStatus.IN_REVIEW and not Opinion.objects.exists()

    done = c.post(reverse("review_task_approve", args=[task.pk]),
                  {"approve-text": "材料齐全，符合条件。", "approve-attachments": [pdf_file("核查记录.pdf")]},
                  follow=True)
    assert "已出具同意意见。" in messages_of(done)
    assert fresh(task).status == TaskStatus.APPROVED
    attachment = Opinion.objects.get(task=task).attachments.get()
    html = done.content.decode()
    assert "材料齐全，符合条件。" in html and reverse("review_attachment", args=[attachment.pk]) in html
    assert reverse("review_task_approve", args=[task.pk]) not in html  # ended: no more actions


def test_a_bad_attachment_is_refused_and_nothing_is_saved(client, people, case, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = claimed(people, case)
    fake = SimpleUploadedFile("意见.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = login(client, people["reviewer_x"]).post(reverse("review_task_approve", args=[task.pk]),
                                                       {"approve-text": "同意", "approve-attachments": [fake]})
    assert response.status_code == 200 and "同意意见附件：" in response.content.decode()
    assert fresh(task).status == TaskStatus.IN_REVIEW and not Opinion.objects.exists()


def test_two_signoffs_wait_for_the_second_person(client, people, person_a, dept_x, work_calendar):
    version = publish(people, dept_x, code="REV-T-034", verification_signoffs=2)
    case = accepted_case(people, person_a, version)
    task = claimed(people, case)
    first = login(client, people["reviewer_x"]).post(reverse("review_task_approve", args=[task.pk]),
                                                     {"approve-text": "经核查，符合条件。"}, follow=True)
    assert "您的签核已记录，等待第二人签核。" in messages_of(first)
    html = first.content.decode()
    assert "等待第二人签核" in html and "您已签核，需由另一名工作人员核查签核。" in html
    assert fresh(task).status == TaskStatus.IN_REVIEW

    second = login(client, people["head_x"]).get(reverse("review_task", args=[task.pk])).content.decode()
    assert "等待第二人签核" in second and "第二人签核同意" in second
    done = login(client, people["head_x"]).post(reverse("review_task_approve", args=[task.pk]),
                                                {"approve-text": "复核同意。"}, follow=True)
    assert "已出具同意意见。" in messages_of(done)
    assert fresh(task).status == TaskStatus.APPROVED


def test_reject_needs_reasons_and_vetoes_the_case(client, people, case):
    task = claimed(people, case)
    c = login(client, people["reviewer_x"])
    bad = c.post(reverse("review_task_reject", args=[task.pk]), {"reject-text": ""})
    assert bad.status_code == 200 and "不同意的理由：不同意须写明理由。" in bad.content.decode()
    assert fresh(task).status == TaskStatus.IN_REVIEW
    done = c.post(reverse("review_task_reject", args=[task.pk]), {"reject-text": "经营场所不符合要求。"}, follow=True)
    assert "已出具不同意意见。" in messages_of(done)
    assert fresh(task).status == TaskStatus.REJECTED
    case.refresh_from_db()
    assert case.vetoed and case.status == "deciding"


def test_return_for_supplement_lists_what_is_needed(client, people, case):
    task = claimed(people, case)
    application = case.application
    licence = application.materials.get(name="营业执照复印件")
    c = login(client, people["reviewer_x"])

    nothing = c.post(reverse("review_task_return", args=[task.pk]), {})
    assert nothing.status_code == 200 and "请至少列出一项需要补正的材料或内容。" in nothing.content.decode()
    ticked = c.post(reverse("review_task_return", args=[task.pk]), {f"return-m{licence.pk}": "on"})
    assert "营业执照复印件：已勾选，请写明需要补正的内容。" in ticked.content.decode()
    assert fresh(task).status == TaskStatus.IN_REVIEW and not Pause.objects.exists()

    done = c.post(reverse("review_task_return", args=[task.pk]), {
        f"return-m{licence.pk}": "on", f"return-m{licence.pk}_problem": "请提供加盖公章的复印件。",
        "return-other0_subject": "平面图", "return-other0_problem": "请补充经营场所平面图。"}, follow=True)
    assert any(m.startswith("已退回补正") and "共 2 项" in m for m in messages_of(done))
    assert fresh(task).status == TaskStatus.RETURNED
    licence.refresh_from_db()
    application.refresh_from_db()
    assert licence.problem == "请提供加盖公章的复印件。" and application.review_supplement
    assert application.notices.filter(kind=Notice.Kind.REVIEW_SUPPLEMENT).exists()
    assert Pause.objects.get(case=case).kind == Pause.Kind.SUPPLEMENT
    html = done.content.decode()
    assert "请提供加盖公章的复印件。" in html and "申请人补正" in html  # the material's problem, the pause


def test_an_art45_procedure_starts_and_ends_through_the_page(client, people, case):
    task = claimed(people, case)
    c = login(client, people["reviewer_x"])
    bad = c.post(reverse("review_task_pause", args=[task.pk]),
                 {"pause-kind": "", "pause-reason": "", "pause-expected_days": "0"})
    html = bad.content.decode()
    assert bad.status_code == 200 and "特别程序：" in html and "启动事由：" in html
    assert "预计所需时间（工作日）：" in html
    assert not Pause.objects.exists()

    done = c.post(reverse("review_task_pause", args=[task.pk]), {
        "pause-kind": "expert_review", "pause-reason": "需组织专家评审食品加工工艺。", "pause-expected_days": "5"},
        follow=True)
    assert any("已启动特别程序" in m for m in messages_of(done))
    pause = Pause.objects.get(case=case)
    assert pause.kind == "expert_review" and pause.ended_on is None
    assert fresh(task).due_on is None  # paused
    html = done.content.decode()
    assert "专家评审程序进行中" in html and "结束专家评审程序" in html and "暂停计时" in html
    assert case.application.notices.filter(kind=Notice.Kind.SUSPENSION).exists()

    ended = c.post(reverse("review_pause_end", args=[task.pk, pause.pk]), follow=True)
    assert "特别程序已结束，审查时限恢复计算。" in messages_of(ended)
    pause.refresh_from_db()
    assert pause.ended_on is not None and fresh(task).due_on is not None
    again = c.post(reverse("review_pause_end", args=[task.pk, pause.pk]), follow=True)
    assert "该程序已经结束。" in messages_of(again)


def test_extension_is_asked_on_the_task_and_decided_by_the_head(client, people, case, reviewer_z):
    task = claimed(people, case)
    c = login(client, people["reviewer_x"])
    bad = c.post(reverse("review_task_extension", args=[task.pk]), {"extension-reasons": ""})
    assert "延期理由：请写明延期理由。" in bad.content.decode() and not Extension.objects.exists()
    asked = c.post(reverse("review_task_extension", args=[task.pk]),
                   {"extension-reasons": "需现场核查，时间不足。"}, follow=True)
    assert "延期申请已提交，等待牵头部门负责人审批。" in messages_of(asked)
    extension = Extension.objects.get(case=case)
    assert "申请延期" not in asked.content.decode().split('id="clock"')[0]  # asked once: no second form

    assert login(client, people["reviewer_x"]).get(reverse("review_extensions")).status_code == 403
    head = login(client, people["head_x"])
    page = head.get(reverse("review_extensions")).content.decode()
    assert "需现场核查，时间不足。" in page and "批准延期" in page and "不予批准" in page
    refused = head.post(reverse("review_extension_decide", args=[extension.pk]), {"decision": "refuse", "comment": ""})
    assert refused.status_code == 200 and "审批意见：不予批准须写明理由。" in refused.content.decode()
    extension.refresh_from_db()
    assert extension.status == Extension.Status.REQUESTED

    before = case.promised_due
    granted = head.post(reverse("review_extension_decide", args=[extension.pk]),
                        {"decision": "grant", "comment": ""}, follow=True)
    assert any("已批准延期" in m for m in messages_of(granted))
    extension.refresh_from_db()
    case.refresh_from_db()
    assert extension.status == Extension.Status.GRANTED and case.promised_due > before
    twice = head.post(reverse("review_extension_decide", args=[extension.pk]), {"decision": "grant"}, follow=True)
    assert "该延期申请已处理。" in messages_of(twice)
    assert "已批准" in twice.content.decode()  # in the decided list
    assert login(client, people["head_x"]).post(reverse("review_extension_decide", args=[999999]),
                                                 {"decision": "grant"}).status_code == 404


def test_extension_pages_refuse_others(client, people):
    url = reverse("review_extensions")
    assert client.get(url)["Location"].startswith(reverse("login"))
    assert login(client, people["reviewer_y"]).get(url).status_code == 403
    assert login(client, people["head_x"]).post(url).status_code == 405


def test_joint_inspection_is_scheduled_and_recorded_by_an_invited_department(client, people, case, dept_y):
    task = claimed(people, case)
    c = login(client, people["reviewer_x"])
    yesterday = timezone.localdate() - timedelta(days=1)
    bad = c.post(reverse("review_task_inspection", args=[task.pk]), {
        "inspection-scheduled_on": yesterday.isoformat(), "inspection-place": "",
        "inspection-departments": [dept_y.pk]})
    html = bad.content.decode()
    assert "踏勘地点：" in html and not Inspection.objects.exists()
    bad = c.post(reverse("review_task_inspection", args=[task.pk]), {
        "inspection-scheduled_on": yesterday.isoformat(), "inspection-place": "人民路1号"})
    assert "踏勘日期：踏勘日期不能早于今天。" in bad.content.decode()

    day = timezone.localdate() + timedelta(days=3)
    done = c.post(reverse("review_task_inspection", args=[task.pk]), {
        "inspection-scheduled_on": day.isoformat(), "inspection-place": "湖州市吴兴区人民路1号",
        "inspection-departments": [dept_y.pk], "inspection-participants": "张三、李四"}, follow=True)
    assert "已安排联合踏勘，已通知参加部门。" in messages_of(done)
    inspection = Inspection.objects.get(case=case)
    assert set(inspection.departments.values_list("code", flat=True)) == {"X", "Y"}

    y = login(client, people["reviewer_y"])
    page = y.get(reverse("review_case", args=[case.pk])).content.decode()
    assert "湖州市吴兴区人民路1号" in page and "保存踏勘记录" in page
    url = reverse("review_case_inspection_record", args=[case.pk, inspection.pk])
    empty = y.post(url, {"record": ""})
    assert "踏勘记录：请填写踏勘记录。" in empty.content.decode()
    recorded = y.post(url, {"record": "现场与平面图一致。", "participants": "张三、李四、王五"}, follow=True)
    assert "踏勘记录已保存。" in messages_of(recorded)
    inspection.refresh_from_db()
    assert inspection.record == "现场与平面图一致。" and inspection.recorded_by == people["reviewer_y"]


def test_head_reassigns_a_task_to_a_reviewer_of_the_department(client, people, case, reviewer_x2):
    task = task_of(case, "X")
    page = login(client, people["head_x"]).get(reverse("review_task", args=[task.pk])).content.decode()
    assert "改派给" in page and str(reviewer_x2) in page and str(people["reviewer_y"]) not in page
    bad = login(client, people["head_x"]).post(reverse("review_task_reassign", args=[task.pk]),
                                               {"reassign-to": people["reviewer_y"].pk})
    assert bad.status_code == 200 and "改派给：" in bad.content.decode()
    assert fresh(task).assignee is None
    done = login(client, people["head_x"]).post(reverse("review_task_reassign", args=[task.pk]),
                                                {"reassign-to": reviewer_x2.pk}, follow=True)
    assert any("已改派给" in m for m in messages_of(done))
    assert fresh(task).assignee == reviewer_x2 and fresh(task).status == TaskStatus.IN_REVIEW
    assert login(client, people["reviewer_x"]).post(reverse("review_task_reassign", args=[task.pk]),
                                                    {"reassign-to": people["reviewer_x"].pk}).status_code == 403


def test_a_conflict_becomes_a_message_and_changes_nothing(client, people, case):
    task = claimed(people, case)
    pause_start(actor=people["reviewer_x"], task=task, kind="hearing", reason="听证", expected_days=5)
    c = login(client, people["reviewer_x"])
    response = c.post(reverse("review_task_pause", args=[task.pk]), {
        "pause-kind": "testing", "pause-reason": "检测", "pause-expected_days": "3"}, follow=True)
    assert "本任务已有进行中的特别程序，请先结束。" in messages_of(response)
    assert Pause.objects.filter(case=case).count() == 1
    extension_request(actor=people["reviewer_x"], task=task, reasons="时间不足")
    again = c.post(reverse("review_task_extension", args=[task.pk]), {"extension-reasons": "再次申请"}, follow=True)
    assert "已有待审批的延期申请。" in messages_of(again)


# --- files ------------------------------------------------------------------------------------------------
def test_reviewers_of_the_case_download_its_materials_and_attachments(client, people, case, reviewer_z, media_root):
    document = case.application.materials.get(name="食品经营许可申请书").documents.get()
    url = reverse("review_case_document", args=[case.pk, document.pk])
    for role in ("reviewer_x", "reviewer_y", "supervisor"):
        response = login(client, people[role]).get(url)
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment"), role
        assert response["X-Content-Type-Options"] == "nosniff"
    assert login(client, reviewer_z).get(url).status_code == 404
    assert login(client, people["clerk"]).get(url).status_code == 404
    client.logout()
    assert client.get(url)["Location"].startswith(reverse("login"))

    task_approve(actor=people["reviewer_x"], task=claimed(people, case), text="同意", files=[pdf_file("记录.pdf")])
    attachment = Opinion.objects.get().attachments.get()
    att_url = reverse("review_attachment", args=[attachment.pk])
    assert login(client, people["reviewer_y"]).get(att_url).status_code == 200
    assert login(client, reviewer_z).get(att_url).status_code == 404


def test_reviewers_download_through_the_review_url_not_the_applicants(client, people, case):
    """The intake document URL stays for applicants and clerks; reviewers have their own, audited one."""
    document = case.application.materials.first().documents.get()
    reviewer = login(client, people["reviewer_x"])
    assert reviewer.get(reverse("document_download", args=[document.pk])).status_code == 404
    assert reviewer.get(reverse("review_case_document", args=[case.pk, document.pk])).status_code == 200


# --- the workspace ------------------------------------------------------------------------------------------
def test_reviewer_and_head_workspaces_link_to_the_review_pages(client, people):
    html = login(client, people["reviewer_x"]).get("/workspace/reviewer/").content.decode()
    assert reverse("review_inbox") in html and reverse("review_team") in html
    assert reverse("review_extensions") not in html
    html = login(client, people["head_x"]).get("/workspace/head/").content.decode()
    assert reverse("review_extensions") in html and reverse("review_inbox") in html


def test_application_status_is_in_review_while_the_case_runs(case):
    case.application.refresh_from_db()
    assert case.application.status == Status.IN_REVIEW


def test_an_invited_department_sees_the_case_page_to_record_the_inspection(client, people, case, reviewer_z):
    task = claimed(people, case)
    url = reverse("review_case", args=[case.pk])
    assert login(client, reviewer_z).get(url).status_code == 404
    login(client, people["reviewer_x"]).post(reverse("review_task_inspection", args=[task.pk]), {
        "inspection-scheduled_on": timezone.localdate().isoformat(), "inspection-place": "人民路1号",
        "inspection-departments": [reviewer_z.department_id]})
    inspection = Inspection.objects.get(case=case)
    z = login(client, reviewer_z)
    page = z.get(url).content.decode()
    assert "人民路1号" in page and "保存踏勘记录" in page
    assert reverse("review_task", args=[task.pk]) not in page  # Z reads the case, not the tasks
    assert z.get(reverse("review_task", args=[task.pk])).status_code == 404
    z.post(reverse("review_case_inspection_record", args=[case.pk, inspection.pk]), {"record": "消防通道畅通。"})
    inspection.refresh_from_db()
    assert inspection.record == "消防通道畅通。" and inspection.recorded_by == reviewer_z


def test_a_returned_task_comes_back_when_the_applicant_supplies(client, people, case, person_a):
    from applications.services.filing import material_upload
    from applications.services.review import application_supply

    task = claimed(people, case)
    licence = case.application.materials.get(name="营业执照复印件")
    c = login(client, people["reviewer_x"])
    c.post(reverse("review_task_return", args=[task.pk]), {
        f"return-m{licence.pk}": "on", f"return-m{licence.pk}_problem": "请提供清晰的复印件。"})
    returned = c.get(reverse("review_task", args=[task.pk])).content.decode()
    assert "退回补正" in returned and reverse("review_task_approve", args=[task.pk]) not in returned
    assert "暂停计时" in returned

    applicant = people["applicant_a"]
    licence.refresh_from_db()
    material_upload(actor=applicant, application=case.application, material=licence, files=[pdf_file("执照.pdf")])
    application_supply(actor=applicant, application=case.application)
    assert fresh(task).status == TaskStatus.IN_REVIEW and fresh(task).due_on is not None
    back = c.get(reverse("review_task", args=[task.pk])).content.decode()
    assert reverse("review_task_approve", args=[task.pk]) in back and "执照.pdf" in back


def test_the_inbox_pages_keep_the_filters(client, people, joint_version, person_a, monkeypatch):
    from approvals.views import inbox as inbox_views

    monkeypatch.setattr(inbox_views, "PAGE_SIZE", 1)
    accepted_case(people, person_a, joint_version)
    accepted_case(people, person_a, joint_version)
    html = login(client, people["reviewer_x"]).get(reverse("review_inbox"), {"state": "all"}).content.decode()
    assert "state=all&amp;page=2" in html and "第 1 / 2 页" in html
