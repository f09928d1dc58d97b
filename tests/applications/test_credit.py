"""The administrator's credit page: enterprises' grades and dishonesty flags, edited one by one or imported
from a workbook that is checked whole before anything is written."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from openpyxl import Workbook, load_workbook

from applications.credit_import import COLUMNS
from applications.models import Applicant
from portal.models import AuditEvent
from tests.applications.conftest import make_uscc

URL = "/workspace/admin/credit/"


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["sysadmin"])
    return client


def workbook(*rows, header=COLUMNS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("credit.xlsx", buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_the_credit_path_is_not_taken_by_the_workspace_slug():
    assert reverse("credit_admin") == URL
    assert resolve(URL).url_name == "credit_admin"
    assert resolve(URL + "template.xlsx").url_name == "credit_template"
    assert resolve("/workspace/admin/").url_name == "workspace_page"


def test_the_admin_workspace_links_to_the_credit_page(admin_client):
    assert URL in admin_client.get("/workspace/admin/").content.decode()


def test_sysadmin_lists_filters_and_edits_a_grade(admin_client, people, walk_in, enterprise_applicant, person_a):
    html = admin_client.get(URL).content.decode()
    assert walk_in.name in html and enterprise_applicant.uscc in html and person_a.name not in html
    response = admin_client.post(URL + "?q=绿源", {"action": "edit", "applicant": walk_in.pk, "grade": "AAA",
                                                  "dishonest": "", "note": "纳税信用A级"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?q=%E7%BB%BF%E6%BA%90"
    walk_in.refresh_from_db()
    assert (walk_in.credit_grade, walk_in.dishonest, walk_in.credit_note) == ("AAA", False, "纳税信用A级")
    assert walk_in.green_channel and walk_in.credit_updated_at is not None
    assert AuditEvent.objects.filter(action="applicant.credit").exists()

    only_aaa = admin_client.get(URL, {"grade": "AAA"}).content.decode()
    assert walk_in.name in only_aaa and enterprise_applicant.name not in only_aaa
    by_code = admin_client.get(URL, {"q": enterprise_applicant.uscc}).content.decode()
    assert enterprise_applicant.name in by_code and walk_in.name not in by_code

    admin_client.post(URL, {"action": "edit", "applicant": walk_in.pk, "grade": "D", "dishonest": "on", "note": ""})
    walk_in.refresh_from_db()
    assert walk_in.dishonest and not walk_in.may_use_leniency
    flagged = admin_client.get(URL, {"dishonest": "yes"}).content.decode()
    assert walk_in.name in flagged and enterprise_applicant.name not in flagged


def test_a_bad_grade_in_the_edit_form_names_the_field_and_changes_nothing(admin_client, walk_in):
    response = admin_client.post(URL, {"action": "edit", "applicant": walk_in.pk, "grade": "Z"}, follow=True)
    assert any(str(m).startswith("信用等级：") for m in response.context["messages"])
    walk_in.refresh_from_db()
    assert walk_in.credit_grade == ""


def test_an_import_with_bad_rows_writes_nothing_and_lists_every_row(admin_client, walk_in, enterprise_applicant):
    upload = workbook(
        (walk_in.uscc, "AAA", "否", "守信企业"),               # row 2: good
        ("91330502MA0000000X", "AA", "否", ""),                # row 3: bad code
        (make_uscc(99), "A", "否", ""),                        # row 4: not a registered enterprise
        (enterprise_applicant.uscc, "Z", "也许", ""),            # row 5: unknown grade, bad flag
    )
    response = admin_client.post(URL, {"action": "import", "file": upload})
    html = response.content.decode()
    assert response.status_code == 200 and "未写入任何数据" in html
    for row in (3, 4, 5):
        assert f"第 {row} 行" in html
    assert "第 2 行" not in html
    assert "信用等级“Z”无效" in html and "失信记录须填" in html and "不是已登记的企业申请人" in html
    assert not Applicant.objects.exclude(credit_grade="").exists()


def test_a_good_import_updates_every_grade(admin_client, walk_in, enterprise_applicant):
    upload = workbook(
        (walk_in.uscc, "3A", "否", "守信企业"),
        (),                                                     # a blank line is skipped
        (enterprise_applicant.uscc.lower(), "c", "是", "虚假承诺"),
    )
    response = admin_client.post(URL, {"action": "import", "file": upload}, follow=True)
    assert "已导入 2 家企业的信用等级" in response.content.decode()
    walk_in.refresh_from_db()
    enterprise_applicant.refresh_from_db()
    assert (walk_in.credit_grade, walk_in.dishonest, walk_in.credit_note) == ("AAA", False, "守信企业")
    assert (enterprise_applicant.credit_grade, enterprise_applicant.dishonest) == ("C", True)
    assert AuditEvent.objects.filter(action="applicant.credit").count() == 2


def test_an_import_that_is_not_a_workbook_or_lacks_columns_is_refused(admin_client, walk_in):
    fake = SimpleUploadedFile("credit.xlsx", b"not a zip", content_type="application/octet-stream")
    assert "xlsx" in admin_client.post(URL, {"action": "import", "file": fake}).content.decode()
    wrong = workbook((walk_in.uscc, "AAA"), header=("代码", "等级"))
    html = admin_client.post(URL, {"action": "import", "file": wrong}).content.decode()
    assert "第一行缺少列" in html
    walk_in.refresh_from_db()
    assert walk_in.credit_grade == ""


def test_the_template_is_a_workbook_with_the_columns(admin_client):
    response = admin_client.get(reverse("credit_template"))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.worksheets[0][1]] == list(COLUMNS)


@pytest.mark.parametrize("role", ["clerk", "catalogue_admin", "enterprise", "supervisor"])
def test_only_the_system_administrator_may_see_or_change_credit(client, people, role, walk_in):
    client.force_login(people[role])
    assert client.get(URL).status_code == 403
    assert client.get(reverse("credit_template")).status_code == 403
    assert client.post(URL, {"action": "edit", "applicant": walk_in.pk, "grade": "AAA"}).status_code == 403
    walk_in.refresh_from_db()
    assert walk_in.credit_grade == ""


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
