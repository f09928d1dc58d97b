"""The clerk's one-window desk, used as a clerk would: the pre-review queue, a walk-in's intake from finding
the applicant to the acceptance notice, and each of the four outcomes with its bad input and conflicts."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from applications.models import Applicant, ApplicantKind, Application, Notice, Status
from applications.services.applicants import applicant_set_credit
from applications.services.intake import application_accept, rongque_latest_due
from portal.demo import make_id_number
from portal.models import Role
from tests.applications.conftest import FORM_DATA, make_uscc, pdf_file
from tests.applications.helpers import material, submitted
from tests.factories import UserFactory
from tests.matrix import Row, check_matrix, only


@pytest.fixture
def clerk_client(client, people):
    client.force_login(people["clerk"])
    return client


def page(client, application) -> str:
    return client.get(reverse("desk_application", args=[application.pk])).content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- the pre-review queue --------------------------------------------------------------------------------
def test_queue_lists_online_submissions_green_channel_first_with_due_colours_and_interview_flag(
        clerk_client, people, person_a, enterprise_applicant, published_version, work_calendar):
    older = submitted(people["applicant_a"], person_a, published_version)
    newer = submitted(people["enterprise"], enterprise_applicant, published_version)
    applicant_set_credit(actor=people["sysadmin"], applicant=enterprise_applicant, grade="AAA", dishonest=False)
    Applicant.objects.filter(pk=person_a.pk).update(interview_required=True)
    Application.objects.filter(pk=older.pk).update(acceptance_due=older.received_on - timedelta(days=1))
    draft = submitted(people["clerk"], person_a, published_version)  # a window submission is in the queue too
    Application.objects.filter(pk=draft.pk).update(status=Status.ACCEPTED)  # …until it has an outcome

    html = clerk_client.get(reverse("desk_queue")).content.decode()
    assert newer.number in html and older.number in html and draft.number not in html
    assert html.index(newer.number) < html.index(older.number)  # green channel first, though newer
    assert "绿色通道" in html and "需约谈" in html
    assert "due overdue" in html and "已超期" in html
    assert person_a.id_number not in html and person_a.identity_masked in html
    assert reverse("desk_application", args=[older.pk]) in html


def test_clerk_workspace_links_to_the_desk_and_counts_the_queue(clerk_client, people, person_a,
                                                                 published_version, work_calendar):
    submitted(people["applicant_a"], person_a, published_version)
    html = clerk_client.get("/workspace/clerk/").content.decode()
    for url in (reverse("desk_queue"), reverse("desk_applicants"), reverse("queue_desk"),
                reverse("appointments_today"), reverse("desk_queue_count")):
        assert url in html
    assert 'name="q"' in html  # find an applicant from the workspace (sent by POST: no ID number in a URL)
    assert "1 件待预审" in clerk_client.get(reverse("desk_queue_count")).content.decode()


def test_the_queue_page_answers_in_a_constant_number_of_queries(clerk_client, people, person_a,
                                                                enterprise_applicant, published_version,
                                                                work_calendar):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submitted(people["applicant_a"], person_a, published_version)
    with CaptureQueriesContext(connection) as few:
        clerk_client.get(reverse("desk_queue"))
    for _n in range(5):
        submitted(people["enterprise"], enterprise_applicant, published_version)
    with CaptureQueriesContext(connection) as many:
        clerk_client.get(reverse("desk_queue"))
    assert len(many) == len(few)


# --- a walk-in, from the search to the acceptance notice --------------------------------------------------
def test_window_intake_end_to_end(clerk_client, people, published_version, work_calendar):
    uscc = make_uscc(7)
    found = clerk_client.post(reverse("desk_applicants"), {"action": "search", "q": uscc})
    assert "没有找到申请人" in found.content.decode()

    bad = clerk_client.post(reverse("desk_applicants"), {
        "action": "register", "kind": "enterprise", "name": "湖州新开餐饮有限公司", "uscc": uscc[:-1] + "0"
        if uscc[-1] != "0" else uscc[:-1] + "1", "legal_representative": "赵六", "phone": "13905720007"})
    assert bad.status_code == 200 and "统一社会信用代码无效" in bad.content.decode()
    assert not Applicant.objects.filter(name="湖州新开餐饮有限公司").exists()

    registered = clerk_client.post(reverse("desk_applicants"), {
        "action": "register", "kind": "enterprise", "name": "湖州新开餐饮有限公司", "uscc": uscc,
        "legal_representative": "赵六", "contact_name": "钱七", "phone": "13905720007"})
    applicant = Applicant.objects.get(uscc=uscc)
    assert registered.status_code == 302 and f"applicant={applicant.pk}" in registered["Location"]

    choose = clerk_client.get(reverse("desk_intake_new"), {"applicant": applicant.pk, "q": "食品经营"})
    assert "食品经营许可（测试）" in choose.content.decode()
    key = choose.context["key"]
    item = published_version.item
    started = clerk_client.post(reverse("desk_intake_new"), {"applicant": applicant.pk, "item": item.pk,
                                                             "key": f"{key}-i{item.pk}"})
    application = Application.objects.get(applicant=applicant)
    assert started["Location"] == reverse("desk_application", args=[application.pk])
    assert application.channel == "window" and application.responsible_clerk == people["clerk"]
    again = clerk_client.post(reverse("desk_intake_new"), {"applicant": applicant.pk, "item": item.pk,
                                                           "key": f"{key}-i{item.pk}"})  # a double click
    assert again["Location"] == started["Location"] and Application.objects.filter(applicant=applicant).count() == 1

    html = page(clerk_client, application)
    assert "提交并预审" in html and uscc in html and "湖州新开餐饮有限公司" in html

    bad_form = clerk_client.post(reverse("desk_save_form", args=[application.pk]),
                                 {**{f"f-{k}": v for k, v in FORM_DATA.items()}, "f-area": "-3"})
    assert bad_form.status_code == 200 and "经营面积（平方米）：" in bad_form.content.decode()
    assert Application.objects.get(pk=application.pk).form_data == {}
    saved = clerk_client.post(reverse("desk_save_form", args=[application.pk]),
                              {f"f-{k}": v for k, v in FORM_DATA.items()})
    assert saved.status_code == 302
    assert Application.objects.get(pk=application.pk).form_data["shop_name"] == FORM_DATA["shop_name"]

    early = clerk_client.post(reverse("desk_submit", args=[application.pk]), follow=True)
    assert any("缺少必要材料" in m for m in messages_of(early))
    for m in application.materials.filter(required=True):
        response = clerk_client.post(reverse("desk_upload", args=[application.pk, m.pk]), {"scans": [pdf_file()]})
        assert response.status_code == 302
    submit = clerk_client.post(reverse("desk_submit", args=[application.pk]))
    assert submit.status_code == 302
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED

    html = page(clerk_client, application)
    for outcome in ("受理", "一次性告知补正", "不予受理", "容缺受理"):
        assert f">{outcome}</h3>" in html
    accepted = clerk_client.post(reverse("desk_accept", args=[application.pk]), follow=True)
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED and application.accepted_by == people["clerk"]
    notice = application.notices.get(kind=Notice.Kind.ACCEPTANCE)
    html = accepted.content.decode()
    assert notice.number in html and "受理通知书" in html and "通知书正在生成" in html
    Notice.objects.filter(pk=notice.pk).update(pdf="notices/ready.pdf")
    assert reverse("notice_pdf", args=[application.pk, notice.pk]) in page(clerk_client, application)
    assert "打印通知书" in page(clerk_client, application)


def test_a_ticket_called_to_the_window_is_served_when_its_intake_starts(clerk_client, people, walk_in,
                                                                        published_version, work_calendar):
    from applications.models.queue import Ticket, TicketSource, Window
    from applications.services.queue import ticket_call_next, ticket_take, window_open

    window = Window.objects.create(number="3", name="综合窗口3")
    window_open(actor=people["clerk"], window=window)
    ticket = ticket_take(source=TicketSource.KIOSK, applicant=walk_in)
    ticket_call_next(actor=people["clerk"], window=window)
    # The queue desk links here with the ticket; the applicant comes from it.
    choose = clerk_client.get(reverse("desk_intake_new"), {"ticket": ticket.pk, "q": "食品经营"})
    assert choose.status_code == 200 and choose.context["applicant"] == walk_in
    started = clerk_client.post(reverse("desk_intake_new"), {
        "applicant": walk_in.pk, "item": published_version.item.pk, "ticket": ticket.pk, "key": "t1"})
    assert started.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "served"
    assert Application.objects.filter(applicant=walk_in, channel="window").count() == 1


def test_search_by_name_shows_masked_id_numbers_and_a_link_to_start(clerk_client, people):
    id_number = make_id_number("33050219850101123")
    clerk_client.post(reverse("desk_applicants"), {"action": "register", "kind": "person", "name": "孙小梅",
                                                   "id_number": id_number, "phone": "13905720009"})
    person = Applicant.objects.get(kind=ApplicantKind.PERSON, name="孙小梅")
    html = clerk_client.post(reverse("desk_applicants"), {"action": "search", "q": "小梅"}).content.decode()
    assert person.identity_masked in html and id_number not in html
    assert f"{reverse('desk_intake_new')}?applicant={person.pk}" in html
    by_number = clerk_client.post(reverse("desk_applicants"), {"action": "search", "q": id_number})
    assert person.identity_masked in by_number.content.decode()


def test_a_bad_scan_is_refused_with_the_material_named_and_nothing_stored(clerk_client, people, walk_in,
                                                                          published_version, work_calendar):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = submitted(people["clerk"], walk_in, published_version, skip=("营业执照复印件",))
    licence = material(application, "营业执照复印件")
    fake = SimpleUploadedFile("scan.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = clerk_client.post(reverse("desk_upload", args=[application.pk, licence.pk]), {"scans": [fake]},
                                 follow=True)
    assert any(m.startswith("营业执照复印件：") for m in messages_of(response))
    assert not licence.documents.exists()
    # Scanning at the window while the submission is pre-reviewed is allowed.
    ok = clerk_client.post(reverse("desk_upload", args=[application.pk, licence.pk]), {"scans": [pdf_file()]})
    assert ok.status_code == 302 and licence.documents.count() == 1


# --- the four outcomes ----------------------------------------------------------------------------------
def test_supplement_sends_one_notice_listing_every_ticked_row_and_a_second_is_refused(
        clerk_client, people, person_a, published_version, work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    main = material(application, "食品经营许可申请书")
    licence = material(application, "营业执照复印件")
    url = reverse("desk_supplement", args=[application.pk])

    unexplained = clerk_client.post(url, {f"m{main.pk}": "on", "other_rows": "3"})
    assert unexplained.status_code == 200 and "已勾选，请写明需要补正的内容" in unexplained.content.decode()
    assert not application.notices.exists()
    nothing = clerk_client.post(url, {"other_rows": "3"})
    assert "请至少列出一项需要补正的材料或内容" in nothing.content.decode()

    response = clerk_client.post(url, {
        f"m{main.pk}": "on", f"m{main.pk}_problem": "未加盖公章",
        f"m{licence.pk}": "on", f"m{licence.pk}_problem": "复印件不清晰",
        "f_address": "on", "f_address_problem": "与租赁合同不一致",
        "other0_subject": "场所照片", "other0_problem": "请补充后厨照片",
        "other1_subject": "", "other1_problem": "",
        "other4_subject": "第五行", "other4_problem": "由“再加一行”添加", "other_rows": "5",
    })
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUPPLEMENT_REQUESTED
    notice = application.notices.get()
    assert notice.kind == Notice.Kind.SUPPLEMENT
    assert [(p["subject"], p["problem"]) for p in notice.content["problems"]] == [
        ("食品经营许可申请书", "未加盖公章"), ("营业执照复印件", "复印件不清晰"), ("经营地址", "与租赁合同不一致"),
        ("场所照片", "请补充后厨照片"), ("第五行", "由“再加一行”添加")]
    assert material(application, "营业执照复印件").problem == "复印件不清晰"

    second = clerk_client.post(url, {"other0_subject": "又一项", "other0_problem": "再补", "other_rows": "3"},
                               follow=True)
    assert second.status_code == 200 and any("该办件已被其他窗口处理" in m for m in messages_of(second))
    assert application.notices.count() == 1


def test_refuse_requires_reasons_and_how_to_succeed(clerk_client, people, person_a, published_version,
                                                    work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    url = reverse("desk_refuse", args=[application.pk])
    response = clerk_client.post(url, {"reasons": " ", "competent_authority": "市市场监管局", "how_to_succeed": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "不予受理的理由：" in html and "如何才能符合条件（双告知）：" in html
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED and not application.notices.exists()

    done = clerk_client.post(url, {"reasons": "经营场所属于住宅", "competent_authority": "",
                                   "how_to_succeed": "取得商业用途场所后重新申请"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.NOT_ACCEPTED
    content = application.notices.get(kind=Notice.Kind.NOT_ACCEPTED).content
    assert content["how_to_succeed"] == "取得商业用途场所后重新申请" and "行政复议" in content["remedies"]


def test_rongque_offers_only_secondary_materials_and_keeps_the_promised_limit(
        clerk_client, people, walk_in, published_version, work_calendar):
    application = submitted(people["clerk"], walk_in, published_version, skip=("营业执照复印件",))
    main = material(application, "食品经营许可申请书")
    licence = material(application, "营业执照复印件")
    response = clerk_client.get(reverse("desk_application", args=[application.pk]))
    offered = [value for value, _label in response.context["rongque_form"].fields["missing"].choices]
    assert offered == [licence.pk]
    html = response.content.decode()
    assert f'name="missing" value="{licence.pk}"' in html and f'name="missing" value="{main.pk}"' not in html

    latest = rongque_latest_due(application, application.received_on)
    url = reverse("desk_rongque", args=[application.pk])
    main_chosen = clerk_client.post(url, {"missing": [main.pk], "due": latest.isoformat(), "signed_name": "王五"})
    assert main_chosen.status_code == 200 and "容缺后补的材料：" in main_chosen.content.decode()
    too_late = clerk_client.post(url, {"missing": [licence.pk], "due": (latest + timedelta(days=1)).isoformat(),
                                       "signed_name": "王五"})
    assert too_late.status_code == 200 and "补齐期限：" in too_late.content.decode()
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED

    ok = clerk_client.post(url, {"missing": [licence.pk], "due": latest.isoformat(), "signed_name": "王五"})
    assert ok.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED and application.rongque_pending and application.rongque_due == latest
    assert application.notices.filter(kind=Notice.Kind.RONGQUE).exists()


def test_rongque_is_refused_for_a_dishonest_applicant(clerk_client, people, walk_in, published_version,
                                                       work_calendar):
    applicant_set_credit(actor=people["sysadmin"], applicant=walk_in, grade="B", dishonest=True, note="虚假承诺")
    application = submitted(people["clerk"], walk_in, published_version, skip=("营业执照复印件",))
    html = page(clerk_client, application)
    rongque_url = reverse("desk_rongque", args=[application.pk])
    assert "不适用容缺受理" in html and f'action="{rongque_url}"' not in html
    licence = material(application, "营业执照复印件")
    due = rongque_latest_due(application, application.received_on)
    response = clerk_client.post(reverse("desk_rongque", args=[application.pk]),
                                 {"missing": [licence.pk], "due": due.isoformat(), "signed_name": "王五"}, follow=True)
    assert any("不适用容缺受理" in m for m in messages_of(response))
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_accept_with_a_missing_main_material_says_what_is_missing(clerk_client, people, walk_in,
                                                                 published_version, work_calendar):
    application = submitted(people["clerk"], walk_in, published_version, skip=("营业执照复印件",))
    response = clerk_client.post(reverse("desk_accept", args=[application.pk]), follow=True)
    assert any("营业执照复印件" in m for m in messages_of(response))
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_a_second_clerk_accepting_gets_the_conflict_message(client, people, person_a, published_version,
                                                            work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    application_accept(actor=people["clerk"], application=application)
    other = UserFactory(username="clerk2", role=Role.CLERK)
    client.force_login(other)
    for name in ("desk_accept", "desk_refuse", "desk_rongque", "desk_supplement"):
        response = client.post(reverse(name, args=[application.pk]),
                               {"reasons": "x", "how_to_succeed": "y", "other0_problem": "z"}, follow=True)
        assert response.status_code == 200, name
        assert any("该办件已被其他窗口处理" in m for m in messages_of(response)), name
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED and application.accepted_by == people["clerk"]
    assert application.notices.count() == 1


def test_interview_flag_is_shown_and_cleared_by_recording_the_interview(clerk_client, people, walk_in,
                                                                        published_version, work_calendar):
    Applicant.objects.filter(pk=walk_in.pk).update(interview_required=True)
    application = submitted(people["clerk"], walk_in, published_version)
    assert "需约谈" in page(clerk_client, application)
    url = reverse("desk_interview", args=[application.pk])
    empty = clerk_client.post(url, {"note": ""})
    assert empty.status_code == 200 and "约谈情况：" in empty.content.decode()
    assert clerk_client.post(url, {"note": "已当面说明材料要求"}).status_code == 302
    assert not Applicant.objects.get(pk=walk_in.pk).interview_required


def test_commitment_signed_at_the_window_replaces_the_proof(clerk_client, people, walk_in, published_version,
                                                            work_calendar):
    from applications.services import filing

    application = filing.application_start(actor=people["clerk"], applicant=walk_in, version=published_version)
    rules = material(application, "食品安全管理制度")
    assert "以告知承诺代替此材料" in page(clerk_client, application)
    empty = clerk_client.post(reverse("desk_commit", args=[application.pk, rules.pk]), {"signed_name": ""},
                              follow=True)
    assert any("请输入承诺人签名" in m for m in messages_of(empty))
    clerk_client.post(reverse("desk_commit", args=[application.pk, rules.pk]), {"signed_name": "王五"})
    assert material(application, "食品安全管理制度").status == "commitment"


# --- who may use the desk --------------------------------------------------------------------------------
def test_only_clerks_use_the_desk(people, person_a, published_version, work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    first = application.materials.first()
    app = f"/desk/applications/{application.pk}"
    rows = [
        Row("get", "/desk/", only("clerk")),
        Row("get", "/desk/count/", only("clerk")),
        Row("get", "/desk/applicants/", only("clerk")),
        Row("post", "/desk/applicants/", only("clerk"), data={"action": "search", "q": "无此人"}),
        Row("get", f"/desk/intake/new/?applicant={person_a.pk}", only("clerk")),
        Row("get", f"{app}/", only("clerk")),
        Row("post", f"{app}/save-form/", only("clerk")),
        Row("post", f"{app}/upload/{first.pk}/", only("clerk")),
        Row("post", f"{app}/reuse/{first.pk}/", only("clerk"), ok=frozenset({404}),
            data={"document": "00000000-0000-0000-0000-000000000000"}),
        Row("post", f"{app}/commit/{first.pk}/", only("clerk")),
        Row("post", f"{app}/submit/", only("clerk")),
        Row("post", f"{app}/supplement/", only("clerk")),
        Row("post", f"{app}/refuse/", only("clerk")),
        Row("post", f"{app}/rongque/", only("clerk")),
        Row("post", f"{app}/interview/", only("clerk")),
        Row("post", f"{app}/accept/", only("clerk")),  # last: the clerk's accept changes the status
    ]
    assert check_matrix(Client, people, rows) == []
    assert Application.objects.get(pk=application.pk).status == Status.ACCEPTED


def test_anonymous_is_sent_to_login_and_a_missing_application_is_404(client, people):
    response = client.get(reverse("desk_queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(people["clerk"])
    assert client.get(reverse("desk_application", args=[999999])).status_code == 404
    assert client.get(reverse("desk_accept", args=[999999])).status_code == 405
    assert client.post(reverse("desk_accept", args=[999999])).status_code == 404


def test_proxy_filing_at_the_window_records_the_agent_and_the_authorisation(client, people, walk_in,
                                                                           published_version, work_calendar):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.models import Channel, Document
    from applications.services import filing
    from tests.applications.conftest import pdf_file

    client.force_login(people["clerk"])
    application = filing.application_start(actor=people["clerk"], applicant=walk_in, version=published_version)
    url = reverse("desk_proxy", args=[application.pk])
    fake = SimpleUploadedFile("委托书.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    refused = client.post(url, {"agent": "李四 13905720003", "authorisation": fake})
    assert refused.status_code == 200 and "文件内容与扩展名" in refused.content.decode()
    assert Document.objects.count() == 0
    response = client.post(url, {"agent": "李四 13905720003", "authorisation": pdf_file("委托书.pdf")})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.channel == Channel.PROXY and application.authorisation is not None
    assert application.authorisation_note == "李四 13905720003"
    assert application.events.filter(kind="proxy").exists()
    page = client.get(reverse("desk_application", args=[application.pk])).content.decode()
    assert "李四 13905720003" in page
    client.force_login(people["applicant_a"])
    assert client.post(url, {"agent": "x", "authorisation": pdf_file()}).status_code in (302, 403)
