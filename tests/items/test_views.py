"""Catalogue pages: the public guide and search, and the administrator's editor, review and figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from items.models import Item, ItemVersion, VersionStatus
from tests.items.conftest import COMPLETE

# The demo catalogue is built once for this module (tests/items/conftest.py); every test sees it.
pytestmark = pytest.mark.usefixtures("demo_catalogue")


@pytest.fixture
def food(demo_catalogue):
    return Item.objects.get(published__name="食品经营许可")


def test_a_citizen_finds_an_item_by_initials_and_reads_its_guide(client, food):
    results = client.get(reverse("catalogue"), {"q": "spjy"}).content.decode()
    assert reverse("item_guide", args=[food.implementation_code]) in results
    guide = client.get(reverse("item_guide", args=[food.implementation_code])).content.decode()
    for element in ["设定依据", "法定办结时限", "承诺办结时限", "申请材料", "办理流程", "行政复议", "行政诉讼",
                    food.implementation_code, "食品安全法"]:
        assert element in guide, element
    assert reverse("item_qr", args=[food.implementation_code]) in guide


def test_print_view_and_qr_code(client, food):
    printed = client.get(reverse("item_guide", args=[food.implementation_code]), {"print": 1})
    assert "print.css" in printed.content.decode() and "main-nav" not in printed.content.decode()
    qr = client.get(reverse("item_qr", args=[food.implementation_code]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_unpublished_or_unknown_items_are_404(client, people, make_draft):
    draft = make_draft(code="DRAFT-1")
    assert client.get(reverse("item_guide", args=[draft.item.implementation_code])).status_code == 404
    assert client.get(reverse("item_qr", args=["NOPE"])).status_code == 404


def test_browse_by_department_topic_and_audience(client, food):
    by_dept = client.get(reverse("catalogue"), {"department": "SCJG"}).content.decode()
    assert "食品经营许可" in by_dept
    enterprise_only = Item.objects.filter(published__service_object="enterprise").select_related("published",
                                                                                                "department").first()
    dept = enterprise_only.department.code
    persons = client.get(reverse("catalogue"), {"audience": "person", "department": dept}).content.decode()
    enterprises = client.get(reverse("catalogue"), {"audience": "enterprise", "department": dept}).content.decode()
    link = reverse("item_guide", args=[enterprise_only.implementation_code])
    assert link not in persons and link in enterprises
    topic = food.published.topics.first()
    assert "食品经营许可" in client.get(reverse("catalogue"), {"topic": topic.pk}).content.decode()
    partial = client.get(reverse("catalogue"), {"q": "spjy"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "食品经营许可" in partial


def test_bundle_guide_shows_stages_one_form_and_one_list(client, demo_catalogue):
    from items.models import Bundle

    project = Bundle.objects.get(kind="one_project")
    html = client.get(reverse("bundle_guide", args=[project.pk])).content.decode()
    assert "第 1 阶段" in html and "一张表单" in html and "一套材料" in html
    assert client.get(reverse("bundles")).status_code == 200


def test_home_lists_most_used_items_topics_and_departments(client, food):
    html = client.get(reverse("home")).content.decode()
    assert "高频事项" in html and "按主题和人生事件" in html and "?department=SCJG" in html


@pytest.mark.parametrize("url", ["/", "/items/", "/items/?q=spjy", "/bundles/"])
def test_public_pages_answer_in_a_constant_number_of_queries(client, demo_catalogue, url, people, dept_x):
    from items.demo import seed_catalogue  # noqa: F401  (the catalogue is already loaded)
    from items.services import item_create, version_approve, version_submit

    client.get(url)  # warm the search index
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        v = item_create(actor=people["catalogue_admin"], department=dept_x, implementation_code=f"X-{n}",
                        basic_code="1", content={**COMPLETE, "name": f"食品经营测试{n}"},
                        materials=[{"name": "m"}], steps=[{"name": "s"}])
        version_approve(actor=people["sysadmin"], version=version_submit(actor=people["catalogue_admin"], version=v))
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_guide_page_queries_do_not_grow_with_materials(client, people, make_draft):
    from items.services import version_approve, version_submit, version_update

    v = make_draft()
    v = version_approve(actor=people["sysadmin"], version=version_submit(actor=people["catalogue_admin"], version=v))
    url = reverse("item_guide", args=[v.item.implementation_code])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    from items.services import version_new_draft
    d = version_new_draft(actor=people["catalogue_admin"], item=v.item)
    version_update(actor=people["catalogue_admin"], version=d,
                   materials=[{"name": f"材料{n}"} for n in range(40)], steps=[{"name": f"环节{n}"} for n in range(10)])
    version_approve(actor=people["sysadmin"], version=version_submit(actor=people["catalogue_admin"], version=d))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- the administrator's pages ---------------------------------------------------------------------------
def _formset_data(prefix, rows, initial=0):
    """What the browser posts: INITIAL_FORMS counts the rows the page was rendered with."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{k}": v for k, v in row.items()})
    return data


def _version_post(**overrides):
    data = {
        "name": "城市道路占用挖掘许可", "item_type": "licensing", "legal_basis": "《城市道路管理条例》第三十条",
        "level": "city", "service_object": "both", "conditions": "因工程建设需要临时占用城市道路",
        "statutory_limit": "20", "promised_limit": "3", "acceptance_limit": "5", "issue_limit": "10",
        "extension_limit": "10", "visits": "0", "online_depth": "4", "result_type": "licence",
        "result_name": "占道许可决定书", "licence_validity_months": "0", "licence_type_code": "001",
        "all_must_approve": "on", "one_veto": "on", "verification_signoffs": "1",
        **_formset_data("materials", [{"name": "申请书", "required": "on", "form": "electronic", "copies": "0",
                                       "source": "applicant"}]),
        **_formset_data("form_fields", [{"key": "applicant_name", "label": "申请人", "field_type": "text",
                                         "required": "on"}]),
        **_formset_data("steps", [{"name": "受理"}, {"name": "审查"}, {"name": "决定"}]),
        **_formset_data("joint", []),
    }
    data.update(overrides)
    return data


def test_an_administrator_creates_edits_submits_and_another_publishes(client, people, second_admin, dept_x):
    client.force_login(people["catalogue_admin"])
    response = client.post(reverse("catalogue_item_new"), {
        "department": dept_x.pk, "implementation_code": "NEW-001", "basic_code": "000000000009", "node": "business",
        "name": "城市道路占用挖掘许可", "item_type": "licensing", "service_object": "both"})
    assert response.status_code == 302
    version = ItemVersion.objects.get(item__implementation_code="NEW-001")
    response = client.post(reverse("catalogue_version", args=[version.pk]), {**_version_post(), "action": "submit"})
    assert response.status_code == 302, response.content.decode()[:2000]
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_REVIEW
    assert [s.name for s in version.steps.all()] == ["受理", "审查", "决定"]
    # The editor may not review their own submission.
    client.post(reverse("catalogue_review", args=[version.pk]), {"decision": "approve"})
    assert ItemVersion.objects.get(pk=version.pk).status == VersionStatus.IN_REVIEW
    client.force_login(second_admin)
    client.post(reverse("catalogue_review", args=[version.pk]), {"decision": "approve", "comment": "同意"})
    assert ItemVersion.objects.get(pk=version.pk).status == VersionStatus.PUBLISHED
    client.logout()
    assert client.get(reverse("item_guide", args=["NEW-001"])).status_code == 200
    assert "城市道路占用挖掘许可" in client.get(reverse("catalogue"), {"q": "csdlzywjxk"}).content.decode()


def test_editor_errors_name_the_field_and_save_nothing(client, people, make_draft):
    draft = make_draft()
    client.force_login(people["catalogue_admin"])
    response = client.post(reverse("catalogue_version", args=[draft.pk]),
                           {**_version_post(promised_limit="99"), "action": "save"})
    assert response.status_code == 200
    assert "承诺时限不能长于法定时限" in response.content.decode()
    assert ItemVersion.objects.get(pk=draft.pk).name == "测试许可"


def test_history_and_diff(client, people, second_admin, make_draft):
    from items.services import version_new_draft, version_update

    v1 = make_draft()
    from items.services import version_approve, version_submit
    v1 = version_approve(actor=second_admin, version=version_submit(actor=people["catalogue_admin"], version=v1))
    v2 = version_new_draft(actor=people["catalogue_admin"], item=v1.item)
    version_update(actor=people["catalogue_admin"], version=v2, content={"promised_limit": 2})
    client.force_login(people["catalogue_admin"])
    html = client.get(reverse("catalogue_history", args=[v1.item_id]), {"a": 1, "b": 2}).content.decode()
    assert "承诺办结时限" in html and "<del>5</del>" in html and "<ins>2</ins>" in html


def test_coverage_page(client, people, demo_catalogue):
    client.force_login(people["catalogue_admin"])
    html = client.get(reverse("catalogue_coverage")).content.decode()
    assert "<meter" in html and "合计" in html


def test_bundle_editor(client, people, demo_catalogue):
    from portal.models import Department

    client.force_login(people["catalogue_admin"])
    codes = list(Item.objects.filter(published__isnull=False).values_list("implementation_code", flat=True)[:2])
    data = {"name": "测试一件事", "kind": "one_thing", "lead_department": Department.objects.get(code="SCJG").pk,
            "audience": "both", "guide": "说明", "promised_limit": "5", "is_published": "on",
            **_formset_data("stages", [{"name": "", "items": "\n".join(codes)}])}
    response = client.post(reverse("catalogue_bundle_new"), data)
    assert response.status_code == 302
    from items.models import Bundle
    bundle = Bundle.objects.get(name="测试一件事")
    assert bundle.entries.count() == 2
    bad = client.post(reverse("catalogue_bundle_new"), {**data, "name": "坏的",
                                                         **_formset_data("stages", [{"items": "NOPE"}])})
    assert bad.status_code == 200 and "NOPE" in bad.content.decode()
    assert not Bundle.objects.filter(name="坏的").exists()


def test_a_blank_form_is_uploaded_checked_by_content_and_downloaded_from_the_guide(
        client, people, second_admin, make_draft, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from items.services import version_approve, version_submit

    settings.MEDIA_ROOT = tmp_path
    draft = make_draft()
    client.force_login(people["catalogue_admin"])
    url = reverse("catalogue_version", args=[draft.pk])
    fake = SimpleUploadedFile("申请表.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    data = _version_post(**{"materials-0-blank_form": fake})
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 200 and "文件内容与扩展名 .pdf 不符" in response.content.decode()
    pdf = SimpleUploadedFile("申请表.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n", content_type="application/pdf")
    response = client.post(url, {**_version_post(**{"materials-0-blank_form": pdf}), "action": "save"})
    assert response.status_code == 302
    material = ItemVersion.objects.get(pk=draft.pk).materials.get()
    assert material.blank_form.name.startswith("items/forms/")
    # Shown by name in the editor, and kept when the draft is saved again without a new upload.
    editor = client.get(url).content.decode()
    assert material.blank_form.name in editor and "/media/" not in editor
    again = {**_version_post(**{"materials-0-blank_form": ""}), "materials-INITIAL_FORMS": "1", "action": "save"}
    assert client.post(url, again).status_code == 302
    assert ItemVersion.objects.get(pk=draft.pk).materials.get().blank_form.name == material.blank_form.name
    version_approve(actor=second_admin, version=version_submit(actor=people["catalogue_admin"], version=draft))
    client.logout()
    guide = client.get(reverse("item_guide", args=[draft.item.implementation_code])).content.decode()
    link = reverse("catalogue_file", args=[material.blank_form.name])
    assert link in guide
    download = client.get(link)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("catalogue_file", args=["catalogue-imports/secret.xlsx"])).status_code == 404


def test_the_form_preview_validates_and_saves_nothing(client, people, make_draft):
    draft = make_draft()
    client.force_login(people["catalogue_admin"])
    url = reverse("catalogue_form_preview", args=[draft.pk])
    assert "申请人" in client.get(url).content.decode()
    bad = client.post(url, {"applicant_name": ""})
    assert "申请人：" in bad.content.decode() and "校验通过" not in bad.content.decode()
    good = client.post(url, {"applicant_name": "张晓明"})
    assert "校验通过" in good.content.decode()


def test_the_administrators_list_finds_drafts_by_name_and_shows_their_state(client, people, make_draft):
    make_draft(code="LIST-1", name="城市绿化许可")
    client.force_login(people["catalogue_admin"])
    html = client.get(reverse("catalogue_items"), {"q": "绿化"}).content.decode()
    assert "LIST-1" in html and "status-draft" in html
    assert "LIST-1" not in client.get(reverse("catalogue_items"), {"q": "不存在的事项"}).content.decode()
