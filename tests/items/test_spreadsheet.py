"""The catalogue as an .xlsx workbook: export, template, import (all or nothing), and who may use them."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from items import spreadsheet
from items.demo import seed_catalogue
from items.models import Bundle, Item, ItemVersion, Material, Topic, VersionStatus
from items.services import item_create, version_new_draft
from portal.demo import seed_departments
from portal.models import AuditEvent
from tests.matrix import ROLES

URLS = ["catalogue_export", "catalogue_template", "catalogue_import"]


@pytest.fixture
def seeded(people):
    """The demo departments and the demo catalogue: 59 published items, 24 topics, 4 bundles."""
    seed_departments()
    seed_catalogue(editor=people["catalogue_admin"], reviewer=people["sysadmin"])


def empty_the_catalogue() -> None:
    """Departments and users stay; items, versions, topics and bundles go."""
    Bundle.objects.all().delete()
    Item.objects.update(published=None, parent=None)
    ItemVersion.objects.all().delete()
    Item.objects.all().delete()
    Topic.objects.all().delete()


def cells(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def template() -> openpyxl.Workbook:
    """The downloadable template, opened for editing like a person would."""
    return openpyxl.load_workbook(io.BytesIO(spreadsheet.workbook_bytes(spreadsheet.template_workbook())))


def fill(wb: openpyxl.Workbook, spec: spreadsheet.SheetSpec, rows: list[dict[str, Any]]) -> None:
    """Write rows into a sheet by machine column name, from row 3 on."""
    ws = wb[spec.title]
    for number, values in enumerate(rows, start=spreadsheet.FIRST_DATA_ROW):
        for index, column in enumerate(spec.columns, start=1):
            if column.name in values:
                ws.cell(row=number, column=index, value=values[column.name])


def to_bytes(wb: openpyxl.Workbook) -> bytes:
    return spreadsheet.workbook_bytes(wb)


def upload(data: bytes, name: str = "catalogue.xlsx") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def item_row(code: str, **values: Any) -> dict[str, Any]:
    return {"implementation_code": code, "basic_code": "000000000001", "department_code": "X",
            "name": f"测试事项{code}", "item_type": "licensing", "legal_basis": "《中华人民共和国行政许可法》",
            "service_object": "enterprise", "conditions": "符合条件", "statutory_limit": 20,
            "promised_limit": 5, **values}


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Item, ItemVersion, Material, Topic, Bundle)}


def errors_of(exc_info: pytest.ExceptionInfo[spreadsheet.CatalogueImportError]) -> set[tuple[str, int, str]]:
    return {(e.sheet, e.row, e.column) for e in exc_info.value.errors}


# --- export → import → export -----------------------------------------------------------------------------
def test_export_then_import_into_an_empty_catalogue_then_export_gives_the_same_cells(seeded, people):
    first = spreadsheet.workbook_bytes(spreadsheet.export_catalogue())
    empty_the_catalogue()

    summary = spreadsheet.catalogue_import(actor=people["catalogue_admin"], parsed=spreadsheet.parse_workbook(first))

    assert summary.items_created == 59 and summary.topics_created == 24 and summary.bundles_created == 4
    second = spreadsheet.workbook_bytes(spreadsheet.export_catalogue())
    before, after = cells(first), cells(second)
    assert list(before) == ["说明", *(s.title for s in spreadsheet.SHEETS)]
    assert len(before["事项"]) == 2 + 59 and len(before["套餐事项"]) > 2
    for sheet in before:
        assert before[sheet] == after[sheet], sheet
    assert set(ItemVersion.objects.values_list("status", "number", "created_by")) == {
        (VersionStatus.DRAFT, 1, people["catalogue_admin"].pk)}
    assert not Bundle.objects.filter(is_published=True).exists()


def test_the_export_uses_machine_values_and_yes_no(seeded):
    sheet = cells(spreadsheet.workbook_bytes(spreadsheet.export_catalogue()))["事项"]
    names = list(sheet[1])
    food = next(r for r in sheet[2:] if r[names.index("name")] == "食品经营许可（新办）")
    assert food[names.index("item_type")] == "licensing"
    assert food[names.index("department_code")] == "SCJG"
    assert food[names.index("instant")] in ("是", "否")
    assert sheet[0][names.index("item_type")] == "事项类型"


def test_reimporting_an_unchanged_export_changes_nothing(seeded, people):
    data = spreadsheet.workbook_bytes(spreadsheet.export_catalogue())
    before = counts()

    summary = spreadsheet.catalogue_import(actor=people["catalogue_admin"], parsed=spreadsheet.parse_workbook(data))

    assert summary.items_unchanged == 59 and summary.bundles_unchanged == 4
    assert summary.items_created == summary.drafts_created == summary.bundles_updated == 0
    assert counts() == before


def test_an_edited_item_gets_a_new_draft_that_keeps_its_material_files(seeded, people):
    item = Item.objects.get(published__name="食品经营许可（新办）")
    Material.objects.filter(version=item.published).update(blank_form="items/forms/blank.docx")
    wb = openpyxl.load_workbook(io.BytesIO(spreadsheet.workbook_bytes(spreadsheet.export_catalogue())))
    ws = wb["事项"]
    names = [c.value for c in ws[2]]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == item.implementation_code)
    row[names.index("name")].value = "食品经营许可（新办，修订）"
    versions_before = ItemVersion.objects.count()

    summary = spreadsheet.catalogue_import(actor=people["catalogue_admin"],
                                           parsed=spreadsheet.parse_workbook(to_bytes(wb)))

    assert (summary.drafts_created, summary.items_unchanged) == (1, 58)
    assert ItemVersion.objects.count() == versions_before + 1
    draft = item.versions.get(number=2)
    assert draft.status == VersionStatus.DRAFT and draft.name == "食品经营许可（新办，修订）"
    assert draft.created_by == people["catalogue_admin"]
    assert {m.blank_form.name for m in draft.materials.all()} == {"items/forms/blank.docx"}
    item.refresh_from_db()
    assert item.published.number == 1  # the public still sees the published version


def test_an_item_with_an_open_draft_is_refused(seeded, people):
    item = Item.objects.get(published__name="食品经营许可（新办）")
    version_new_draft(actor=people["catalogue_admin"], item=item)
    wb = openpyxl.load_workbook(io.BytesIO(spreadsheet.workbook_bytes(spreadsheet.export_catalogue())))
    ws = wb["事项"]
    names = [c.value for c in ws[2]]
    number, row = next((n, r) for n, r in enumerate(ws.iter_rows(min_row=3), start=3)
                       if r[0].value == item.implementation_code)
    row[names.index("promised_limit")].value = 1

    with pytest.raises(spreadsheet.CatalogueImportError) as exc_info:
        spreadsheet.parse_workbook(to_bytes(wb))

    assert errors_of(exc_info) == {("事项", number, "implementation_code")}


def test_an_existing_bundle_named_only_in_the_entries_sheet_keeps_its_other_fields(seeded, people):
    bundle = Bundle.objects.get(name="身后“一件事”")
    codes = [e.item.implementation_code for e in bundle.entries.all()]
    wb = template()
    fill(wb, spreadsheet.BUNDLE_ITEMS, [{"bundle": bundle.name, "implementation_code": code, "order": n}
                                        for n, code in enumerate(reversed(codes), start=1)])

    summary = spreadsheet.catalogue_import(actor=people["catalogue_admin"],
                                           parsed=spreadsheet.parse_workbook(to_bytes(wb)))

    assert summary.bundles_updated == 1 and summary.items_created == summary.drafts_created == 0
    bundle.refresh_from_db()
    assert [e.item.implementation_code for e in bundle.entries.all()] == list(reversed(codes))
    assert bundle.is_published and bundle.lead_department.code == "MZJ" and bundle.topic.name == "身后事"


# --- bad rows ---------------------------------------------------------------------------------------------
def bad_workbook() -> bytes:
    wb = template()
    fill(wb, spreadsheet.ITEMS, [
        item_row("T-1"),                                      # row 3: fine
        item_row("T-2", department_code="NOPE"),              # row 4: unknown department
        item_row("T-3", item_type="licence"),                 # row 5: not a choice
        item_row("T-4", statutory_limit=10, promised_limit=15),  # row 6: promised > statutory
        item_row("T-1"),                                      # row 7: duplicate implementation code
        item_row("T-5", instant="也许"),                         # row 8: not 是/否
    ])
    fill(wb, spreadsheet.MATERIALS, [
        {"implementation_code": "T-1", "order": 1, "name": "申请书"},  # row 3: fine
        {"implementation_code": "MISSING", "order": 1, "name": "营业执照"},  # row 4: no such item
        {"implementation_code": "T-1", "order": 2, "name": "", "form": "paper"},  # row 5: no name, bad choice
    ])
    fill(wb, spreadsheet.BUNDLE_ITEMS, [{"bundle": "没有的套餐", "implementation_code": "T-1", "order": 1}])
    return to_bytes(wb)


EXPECTED_ERRORS = {
    ("事项", 4, "department_code"),
    ("事项", 5, "item_type"),
    ("事项", 6, "promised_limit"),
    ("事项", 7, "implementation_code"),
    ("事项", 8, "instant"),
    ("申请材料", 4, "implementation_code"),
    ("申请材料", 5, "name"),
    ("申请材料", 5, "form"),
    ("套餐事项", 3, "bundle"),
}


def test_every_bad_row_is_reported_with_sheet_row_and_column(people):
    with pytest.raises(spreadsheet.CatalogueImportError) as exc_info:
        spreadsheet.parse_workbook(bad_workbook())

    assert errors_of(exc_info) == EXPECTED_ERRORS
    by_place = {(e.sheet, e.row, e.column): e for e in exc_info.value.errors}
    assert "NOPE" in by_place[("事项", 4, "department_code")].message
    assert "第 3 行" in by_place[("事项", 7, "implementation_code")].message
    assert "承诺时限" in by_place[("事项", 6, "promised_limit")].message
    assert by_place[("事项", 6, "promised_limit")].title == "承诺办结时限（工作日）"


@pytest.fixture
def import_page(client, django_capture_on_commit_callbacks):
    """Upload through the import page; the job runs (eagerly, on commit) and its page is returned."""

    def post(data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("catalogue_import"), data)
        assert response.status_code == 302 and "/catalogue/import/" in response["Location"], response.status_code
        return client.get(response["Location"])

    return post


def test_a_workbook_with_bad_rows_writes_nothing_and_shows_the_report(client, people, import_page):
    client.force_login(people["catalogue_admin"])
    before = counts()
    audits = AuditEvent.objects.filter(action="catalogue.import")

    response = import_page({"file": upload(bad_workbook())})

    assert response.status_code == 200
    assert counts() == before
    html = response.content.decode()
    assert "发现 9 处错误，未写入任何内容" in html
    assert "NOPE" in html and "承诺办结时限（工作日）" in html and "申请材料" in html
    assert list(audits.values_list("result", flat=True)) == [AuditEvent.Result.FAILURE]


def test_a_late_failure_rolls_everything_back(people, monkeypatch):
    wb = template()
    fill(wb, spreadsheet.ITEMS, [item_row("T-1"), item_row("T-2")])
    parsed = spreadsheet.parse_workbook(to_bytes(wb))
    item_create = spreadsheet.item_create
    made = []

    def fail_on_the_second(**kwargs):
        if made:
            raise spreadsheet.DomainError("someone else was faster")
        made.append(kwargs["implementation_code"])
        return item_create(**kwargs)

    monkeypatch.setattr(spreadsheet, "item_create", fail_on_the_second)
    with pytest.raises(spreadsheet.CatalogueImportError) as exc_info:
        spreadsheet.catalogue_import(actor=people["catalogue_admin"], parsed=parsed)

    assert errors_of(exc_info) == {("事项", 4, "")}
    assert made == ["T-1"] and not Item.objects.exists()
    assert AuditEvent.objects.get(action="catalogue.import").result == AuditEvent.Result.FAILURE


# --- a good import ----------------------------------------------------------------------------------------
def good_workbook() -> bytes:
    wb = template()
    fill(wb, spreadsheet.TOPICS, [{"name": "开办企业", "kind": "life_event", "audience": "enterprise", "order": 1}])
    fill(wb, spreadsheet.ITEMS, [
        item_row("T-CHILD", parent_implementation_code="T-MAIN", topics="开办企业", instant="否"),
        item_row("T-MAIN", node="main", business_code="T-MAIN-001", online_depth="三级：在线申报"),
    ])
    fill(wb, spreadsheet.MATERIALS, [
        {"implementation_code": "T-CHILD", "order": 2, "name": "营业执照", "form": "copy", "copies": 1},
        {"implementation_code": "T-CHILD", "order": 1, "name": "申请书", "required": "是"},
    ])
    fill(wb, spreadsheet.FORM_FIELDS, [{"implementation_code": "T-CHILD", "order": 1, "key": "kind",
                                        "label": "类别", "field_type": "choice", "choices": "甲、乙类\n丙"}])
    fill(wb, spreadsheet.STEPS, [{"implementation_code": "T-CHILD", "order": 1, "name": "受理"}])
    fill(wb, spreadsheet.JOINT_DEPARTMENTS, [{"implementation_code": "T-CHILD", "department_code": "Y",
                                              "review_days": 3}])
    fill(wb, spreadsheet.BUNDLES, [{"name": "开办“一件事”", "kind": "one_thing", "lead_department_code": "X",
                                    "audience": "enterprise", "topic": "开办企业", "promised_limit": 3}])
    fill(wb, spreadsheet.BUNDLE_ITEMS, [{"bundle": "开办“一件事”", "implementation_code": "T-CHILD", "order": 1},
                                        {"bundle": "开办“一件事”", "implementation_code": "T-MAIN", "order": 2}])
    return to_bytes(wb)


def test_a_good_import_creates_drafts_by_the_importing_admin(client, people, import_page):
    admin = people["catalogue_admin"]
    client.force_login(admin)

    page = import_page({"file": upload(good_workbook())}).content.decode()
    assert "导入完成" in page and "新建事项" in page
    child = Item.objects.get(implementation_code="T-CHILD")
    assert child.parent == Item.objects.get(implementation_code="T-MAIN", node="main")
    version = child.versions.get()
    assert version.status == VersionStatus.DRAFT and version.created_by == admin
    assert [m.name for m in version.materials.all()] == ["申请书", "营业执照"]
    assert version.form_fields.get().choices == ["甲、乙类", "丙"]
    assert [t.name for t in version.topics.all()] == ["开办企业"]
    assert version.joint_departments.get().department.code == "Y"
    assert Item.objects.get(implementation_code="T-MAIN").versions.get().online_depth == 3
    bundle = Bundle.objects.get(name="开办“一件事”")
    assert not bundle.is_published and [e.item.implementation_code for e in bundle.entries.all()] == [
        "T-CHILD", "T-MAIN"]
    audit = AuditEvent.objects.get(action="catalogue.import")
    assert audit.actor == admin and audit.result == AuditEvent.Result.SUCCESS
    assert audit.after["items_created"] == 2


def test_only_checking_writes_nothing(client, people, import_page):
    client.force_login(people["catalogue_admin"])
    before = counts()

    response = import_page({"file": upload(good_workbook()), "dry_run": "on"})

    assert response.status_code == 200 and "校验通过，尚未导入" in response.content.decode()
    assert counts() == before and not AuditEvent.objects.filter(action="catalogue.import").exists()


def test_the_job_page_shows_progress_while_the_import_runs(client, people):
    """Without running the task: the page polls (htmx) and says the job is waiting."""
    client.force_login(people["catalogue_admin"])
    response = client.post(reverse("catalogue_import"), {"file": upload(good_workbook())})
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="import-job"' in partial


def test_a_job_runs_once_and_only_catalogue_admins_see_it(client, people):
    from items.imports import import_run
    from items.models import CatalogueImport

    client.force_login(people["catalogue_admin"])
    response = client.post(reverse("catalogue_import"), {"file": upload(good_workbook())})
    job = CatalogueImport.objects.get()
    assert import_run(job_id=job.pk).status == CatalogueImport.Status.SUCCEEDED
    created = counts()
    assert import_run(job_id=job.pk).status == CatalogueImport.Status.SUCCEEDED  # delivered twice: acts once
    assert counts() == created
    client.force_login(people["clerk"])
    assert client.get(response["Location"]).status_code == 403


# --- files that are not catalogue workbooks ---------------------------------------------------------------
def zipped(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("content", [
    b"<html><script>alert(1)</script></html>",
    b"",
    zipped("word/document.xml", b"<w:document/>"),
    b"PK\x03\x04 not really a zip",
    b"x" * (spreadsheet.MAX_UPLOAD_BYTES + 1),
], ids=["html", "empty", "zip-not-xlsx", "broken-zip", "too-big"])
def test_a_file_that_is_not_an_xlsx_workbook_gets_a_form_error(client, people, content):
    client.force_login(people["catalogue_admin"])

    response = client.post(reverse("catalogue_import"), {"file": upload(content)})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="field has-error"' in html
    assert "事项清单工作簿：请上传 .xlsx 格式的 Excel 工作簿" in html or "事项清单工作簿：提交的是空文件" in html
    assert not AuditEvent.objects.filter(action="catalogue.import", result="success").exists()


def test_a_workbook_that_is_not_a_catalogue_is_reported(client, people, import_page):
    client.force_login(people["catalogue_admin"])
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "hello"

    response = import_page({"file": upload(to_bytes(wb))})

    assert response.status_code == 200 and "不认识的工作表“Sheet1”" in response.content.decode()


def test_a_sheet_missing_a_column_is_reported(people):
    wb = template()
    wb["事项"].delete_cols(3)  # business_code

    with pytest.raises(spreadsheet.CatalogueImportError) as exc_info:
        spreadsheet.parse_workbook(to_bytes(wb))

    assert errors_of(exc_info) == {("事项", 2, "")}
    assert "business_code" in exc_info.value.errors[0].message


def test_codes_typed_as_numbers_are_refused(people):
    wb = template()
    fill(wb, spreadsheet.ITEMS, [item_row("T-1", basic_code=10010001000)])

    with pytest.raises(spreadsheet.CatalogueImportError) as exc_info:
        spreadsheet.parse_workbook(to_bytes(wb))

    assert errors_of(exc_info) == {("事项", 3, "basic_code")}


# --- the template, the export, and who may use them -------------------------------------------------------
def test_the_template_downloads_with_a_help_sheet(client, people):
    client.force_login(people["catalogue_admin"])

    response = client.get(reverse("catalogue_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheet.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["说明", *(s.title for s in spreadsheet.SHEETS)]
    help_text = "\n".join(str(v) for row in wb["说明"].iter_rows(values_only=True) for v in row if v is not None)
    for spec in spreadsheet.SHEETS:
        ws = wb[spec.title]
        assert [c.value for c in ws[2]] == spec.names and ws.max_row == 2
        assert ws.cell(row=1, column=1).comment is not None
        for name in spec.names:
            assert name in help_text
    assert "licensing（行政许可）" in help_text


def test_the_export_downloads_and_is_audited(client, people, seeded):
    client.force_login(people["catalogue_admin"])

    response = client.get(reverse("catalogue_export"))

    assert response.status_code == 200 and response["Content-Type"] == spreadsheet.XLSX_CONTENT_TYPE
    assert len(cells(response.content)["事项"]) == 2 + 59
    audit = AuditEvent.objects.get(action="catalogue.export")
    assert audit.actor == people["catalogue_admin"] and audit.after["items"] == 59


def test_text_that_looks_like_a_formula_stays_text(people, dept_x):
    item_create(actor=people["catalogue_admin"], department=dept_x, implementation_code="T-1",
                basic_code="000000000001", content={
                    "name": "测试", "item_type": "licensing", "service_object": "person",
                    "legal_basis": '=HYPERLINK("http://evil.example","法")'})

    exported = openpyxl.load_workbook(io.BytesIO(spreadsheet.workbook_bytes(spreadsheet.export_catalogue())))
    ws = exported["事项"]
    cell = ws.cell(row=3, column=[c.value for c in ws[2]].index("legal_basis") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_the_export_reads_the_catalogue_in_a_fixed_number_of_queries(seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        spreadsheet.workbook_bytes(spreadsheet.export_catalogue())


@pytest.mark.parametrize("role", ROLES)
def test_only_catalogue_administrators_reach_the_workbook_pages(client, people, role):
    if role != "anonymous":
        client.force_login(people[role])
    for name in URLS:
        response = client.get(reverse(name))
        if role == "catalogue_admin":
            assert response.status_code == 200, name
        elif role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name
        else:
            assert response.status_code == 403, (role, name)


def test_the_downloads_accept_only_get(client, people):
    client.force_login(people["catalogue_admin"])
    assert client.post(reverse("catalogue_export")).status_code == 405
    assert client.post(reverse("catalogue_template")).status_code == 405
