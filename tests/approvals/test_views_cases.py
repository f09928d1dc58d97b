"""The case page and its decision (the lead department; the accepting clerk for an instant item), the clerk's
"decide" link, and the A/B posts page."""

import pytest
from django.urls import reverse

from applications.models import Notice, Status
from approvals.models import Backup, CaseStatus, DecisionMode, ReviewTask
from approvals.services.tasks import task_approve, task_claim, task_reject
from approvals.services.team import backup_set
from portal.models import Role
from tests.approvals.conftest import accepted_case, publish
from tests.approvals.test_views import login, messages_of
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def reviewer_z(db):
    return UserFactory(username="reviewer_z", role=Role.REVIEWER,
                       department=DepartmentFactory(code="Z", name="部门Z"))


@pytest.fixture
def case(people, joint_version, person_a):
    return accepted_case(people, person_a, joint_version)


def finish(people, case, *, y_rejects=False):
    """Both departments give their opinions: the case goes to the lead department's decision."""
    x = task_claim(actor=people["reviewer_x"], task=case.tasks.get(department__code="X"))
    task_approve(actor=people["reviewer_x"], task=x, text="符合条件")
    y = task_claim(actor=people["reviewer_y"], task=case.tasks.get(department__code="Y"))
    if y_rejects:
        task_reject(actor=people["reviewer_y"], task=y, text="不符合卫生条件")
    else:
        task_approve(actor=people["reviewer_y"], task=y, text="同意")
    case.refresh_from_db()
    return case


# --- the case page ------------------------------------------------------------------------------------------
def test_case_page_shows_stages_tasks_opinions_and_the_clock(client, people, case):
    finish(people, case)
    html = login(client, people["reviewer_y"]).get(reverse("review_case", args=[case.pk])).content.decode()
    assert case.application.number in html and "部门X" in html and "部门Y" in html
    assert "符合条件" in html and "同意" in html  # the opinions
    assert "通过" in html  # the stage's outcome
    assert "承诺办结日期" in html and "受理日期" in html
    assert "作出准予许可决定" not in html  # Y does not lead: no decision


def test_case_page_access(client, people, case, reviewer_z):
    url = reverse("review_case", args=[case.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    for user in (reviewer_z, people["clerk"], people["applicant_a"], people["catalogue_admin"]):
        assert login(client, user).get(url).status_code == 404
    assert login(client, people["reviewer_x"]).post(url).status_code == 405
    assert login(client, people["reviewer_x"]).get(reverse("review_case", args=[999999])).status_code == 404
    html = login(client, people["supervisor"]).get(url).content.decode()
    assert case.application.number in html and "作出决定" not in html


def test_lead_department_approves_the_case(client, people, case):
    finish(people, case)
    c = login(client, people["head_x"])
    page = c.get(reverse("review_case", args=[case.pk])).content.decode()
    assert "作出准予许可决定" in page and "作出不予许可决定" in page
    done = c.post(reverse("review_case_decide", args=[case.pk]),
                  {"decision": "approve", "approve-reasons": "符合《食品安全法》第三十五条规定的条件。"}, follow=True)
    assert any("已作出准予许可决定" in m for m in messages_of(done))
    case.refresh_from_db()
    case.application.refresh_from_db()
    assert case.status == CaseStatus.APPROVED and case.application.status == Status.APPROVED
    assert case.decided_by == people["head_x"]
    assert 'id="decision"' not in done.content.decode()  # decided: no more decision forms
    again = c.post(reverse("review_case_decide", args=[case.pk]), {"decision": "approve"}, follow=True)
    assert any("已被他人处理" in m for m in messages_of(again))


def test_a_denial_needs_reasons_and_how_to_succeed(client, people, case):
    finish(people, case)
    c = login(client, people["head_x"])
    bad = c.post(reverse("review_case_decide", args=[case.pk]),
                 {"decision": "deny", "deny-reasons": "经营场所不符合要求。", "deny-how_to_succeed": ""})
    html = bad.content.decode()
    assert bad.status_code == 200 and "如何才能符合条件：请告知申请人如何才能符合条件（双告知）。" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDING and not case.application.notices.filter(kind=Notice.Kind.DENIAL).exists()

    done = c.post(reverse("review_case_decide", args=[case.pk]), {
        "decision": "deny", "deny-reasons": "经营场所不符合要求。",
        "deny-how_to_succeed": "调整布局，使食品处理区与就餐区分开后重新申请。"}, follow=True)
    assert any("已作出不予许可决定" in m for m in messages_of(done))
    case.refresh_from_db()
    assert case.status == CaseStatus.DENIED and case.application.notices.filter(kind=Notice.Kind.DENIAL).exists()


def test_a_vetoed_case_offers_only_denial(client, people, case):
    finish(people, case, y_rejects=True)
    assert case.vetoed
    c = login(client, people["head_x"])
    html = c.get(reverse("review_case", args=[case.pk])).content.decode()
    assert "一票否决" in html and "只能作出不予许可决定" in html
    assert "作出准予许可决定" not in html and "作出不予许可决定" in html
    forged = c.post(reverse("review_case_decide", args=[case.pk]), {"decision": "approve"}, follow=True)
    assert any("只能作出不予许可决定" in m for m in messages_of(forged))
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDING


def test_only_the_lead_department_decides(client, people, case):
    finish(people, case)
    url = reverse("review_case_decide", args=[case.pk])
    assert login(client, people["reviewer_y"]).post(url, {"decision": "approve"}).status_code == 403
    assert login(client, people["supervisor"]).post(url, {"decision": "approve"}).status_code == 403
    client.logout()
    assert client.post(url, {"decision": "approve"})["Location"].startswith(reverse("login"))
    assert login(client, people["head_x"]).get(url).status_code == 405
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDING


# --- the instant item (即办件) ----------------------------------------------------------------------------
@pytest.fixture
def instant_case(people, person_a, dept_x, work_calendar):
    version = publish(people, dept_x, code="REV-T-JB", instant=True, promised_limit=1)
    return accepted_case(people, person_a, version)


def test_the_accepting_clerk_decides_an_instant_case(client, people, instant_case):
    assert instant_case.mode == DecisionMode.INSTANT and instant_case.status == CaseStatus.DECIDING
    application = instant_case.application
    c = login(client, people["clerk"])
    link = c.get(reverse("review_application_decide", args=[application.pk]))
    assert link.status_code == 302 and link["Location"] == reverse("review_case", args=[instant_case.pk])
    page = c.get(link["Location"]).content.decode()
    assert "即办件" in page and "作出准予许可决定" in page
    done = c.post(reverse("review_case_decide", args=[instant_case.pk]), {"decision": "approve"}, follow=True)
    assert any("已作出准予许可决定" in m for m in messages_of(done))
    instant_case.refresh_from_db()
    assert instant_case.status == CaseStatus.APPROVED and instant_case.decided_by == people["clerk"]


def test_another_clerk_does_not_see_the_instant_case(client, people, instant_case):
    other = UserFactory(username="clerk2", role=Role.CLERK)
    c = login(client, other)
    assert c.get(reverse("review_case", args=[instant_case.pk])).status_code == 404
    assert c.get(reverse("review_application_decide", args=[instant_case.application_id])).status_code == 404
    assert c.post(reverse("review_case_decide", args=[instant_case.pk]), {"decision": "approve"}).status_code == 404


def test_the_decide_link_needs_a_case(client, people, case, reviewer_z):
    assert login(client, people["clerk"]).get(reverse("review_application_decide", args=[999999])).status_code == 404
    # A review case is not the clerk's to decide: 404 (the clerk does not see review cases).
    assert login(client, people["clerk"]).get(
        reverse("review_application_decide", args=[case.application_id])).status_code == 404
    assert login(client, people["head_x"]).get(
        reverse("review_application_decide", args=[case.application_id]))["Location"] == reverse(
        "review_case", args=[case.pk])
    assert login(client, reviewer_z).get(
        reverse("review_application_decide", args=[case.application_id])).status_code == 404


# --- A/B posts (AB岗) -------------------------------------------------------------------------------------
def test_head_sets_backups_and_marks_absence(client, people, case, reviewer_x2):
    c = login(client, people["head_x"])
    page = c.get(reverse("review_team")).content.decode()
    assert str(people["reviewer_x"]) in page and "设置B岗" in page and str(people["reviewer_y"]) not in page

    bad = c.post(reverse("review_team_backup", args=[people["reviewer_x"].pk]), {"backup": people["reviewer_x"].pk})
    assert bad.status_code == 200 and "B岗：" in bad.content.decode() and not Backup.objects.exists()
    done = c.post(reverse("review_team_backup", args=[people["reviewer_x"].pk]), {"backup": reviewer_x2.pk},
                  follow=True)
    assert any("已设置" in m for m in messages_of(done))
    assert Backup.objects.get(primary=people["reviewer_x"]).backup == reviewer_x2

    absent = c.post(reverse("review_team_absent", args=[people["reviewer_x"].pk]), {"absent": "1"}, follow=True)
    assert any("缺席" in m for m in messages_of(absent))
    assert Backup.objects.get(primary=people["reviewer_x"]).primary_absent
    no_post = c.post(reverse("review_team_absent", args=[reviewer_x2.pk]), {"absent": "1"}, follow=True)
    assert "请先为其设置B岗。" in messages_of(no_post)
    # Outside the department: 404.
    assert c.post(reverse("review_team_backup", args=[people["reviewer_y"].pk]),
                  {"backup": reviewer_x2.pk}).status_code == 404


def test_b_acts_on_absent_a_tasks_and_a_marks_themself_back(client, people, case, reviewer_x2):
    task = task_claim(actor=people["reviewer_x"], task=case.tasks.get(department__code="X"))
    backup_set(actor=people["head_x"], primary=people["reviewer_x"], backup=reviewer_x2)
    b = login(client, reviewer_x2)
    assert "出具同意意见" not in b.get(reverse("review_task", args=[task.pk])).content.decode()
    login(client, people["reviewer_x"]).post(reverse("review_team_absent", args=[people["reviewer_x"].pk]),
                                             {"absent": "1"})
    b = login(client, reviewer_x2)
    assert "您正在代办" in b.get(reverse("review_team")).content.decode()
    assert "出具同意意见" in b.get(reverse("review_task", args=[task.pk])).content.decode()
    assert b.post(reverse("review_team_absent", args=[people["reviewer_x"].pk]), {"absent": "0"}).status_code == 403
    assert b.post(reverse("review_team_backup", args=[people["reviewer_x"].pk]), {"backup": reviewer_x2.pk}
                  ).status_code == 403

    back = login(client, people["reviewer_x"]).post(reverse("review_team_absent", args=[people["reviewer_x"].pk]),
                                                    {"absent": "0"}, follow=True)
    assert any("在岗" in m for m in messages_of(back))
    assert not Backup.objects.get(primary=people["reviewer_x"]).primary_absent
    assert ReviewTask.objects.get(pk=task.pk).assignee == people["reviewer_x"]


def test_team_page_refuses_others(client, people):
    url = reverse("review_team")
    assert client.get(url)["Location"].startswith(reverse("login"))
    for role in ("clerk", "supervisor", "applicant_a"):
        assert login(client, people[role]).get(url).status_code == 403
    assert login(client, people["reviewer_x"]).post(url).status_code == 405
