"""The whole catalogue as an .xlsx workbook (事项清单导入导出): export, a template with help, and the import.

One sheet per entity. Row 1 holds the Chinese column titles, row 2 the machine field names (the import finds
columns by these), data starts on row 3. Choices are written as their machine values, booleans as 是/否.

The import reads and checks every row of every sheet before it writes anything (`parse_workbook`), then
writes everything in one transaction through the catalogue services (`catalogue_import`): items become
drafts that go through review like any other edit. Export, then import into an empty catalogue, then export
again gives the same cells.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import IO, Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from items.models import (
    CONTENT_FIELDS,
    FORM_FIELD_FIELDS,
    MATERIAL_FIELDS,
    STEP_FIELDS,
    Bundle,
    BundleItem,
    BundleStage,
    FormField,
    Item,
    ItemVersion,
    JointDepartment,
    Material,
    Step,
    Topic,
    VersionStatus,
)
from items.services import bundle_save, item_create, version_new_draft, version_update
from portal.errors import DomainError
from portal.models import AuditEvent, Department
from portal.services.audit import audit_record

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A 5 MB zip can unpack to gigabytes; a real catalogue of 3,000 items unpacks to a few tens of MB.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ROWS_PER_SHEET = 100_000
HELP_SHEET = "说明"
TITLE_ROW, NAME_ROW, FIRST_DATA_ROW = 1, 2, 3
LIST_SEPARATOR = "、"
YES, NO = "是", "否"
WORKBOOK_LANGUAGE = "zh-hans"

Kind = Literal["text", "code", "int", "bool", "choice", "decimal", "lines", "list"]
_EMPTY_BY_KIND: dict[str, Any] = {"int": None, "decimal": None}


# --- the sheets -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str  # row 2: the machine name the import reads
    title: Any  # row 1: the Chinese title (a lazy translation)
    kind: Kind
    required: bool = False
    choices: tuple[tuple[Any, Any], ...] = ()
    max_length: int | None = None
    default: Any = None  # the value of an empty cell
    help: Any = ""

    def empty(self) -> Any:
        if isinstance(self.default, list):
            return list(self.default)
        return self.default


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str  # the sheet's name in the workbook; never translated, the import finds sheets by it
    columns: tuple[Column, ...]
    help: Any

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _model_column(model: type[models.Model], name: str, *, kind: Kind | None = None, help: Any = "",
                  required: bool | None = None) -> Column:
    f = model._meta.get_field(name)
    assert isinstance(f, models.Field)
    if kind is None:
        if isinstance(f, models.BooleanField):
            kind = "bool"
        elif f.choices:
            kind = "choice"
        elif isinstance(f, models.DecimalField):
            kind = "decimal"
        elif isinstance(f, models.IntegerField):
            kind = "int"
        elif isinstance(f, models.JSONField):
            kind = "lines"
        else:
            kind = "text"
    default = f.get_default() if f.has_default() else _EMPTY_BY_KIND.get(kind, "")
    if isinstance(default, models.Choices):
        default = default.value
    return Column(
        name=name, title=f.verbose_name, kind=kind,
        required=(not f.blank and not f.has_default()) if required is None else required,
        choices=tuple((value, label) for value, label in (f.choices or [])),  # type: ignore[misc]
        max_length=getattr(f, "max_length", None) if kind in ("text", "code", "choice") else None,
        default=default, help=help or f.help_text,
    )


def _code_column(name: str, title: Any, *, required: bool, max_length: int, help: Any) -> Column:
    return Column(name=name, title=title, kind="code", required=required, max_length=max_length, default="",
                  help=help)


_IMPLEMENTATION_CODE_REF = _code_column(
    "implementation_code", gettext_lazy("实施编码"), required=True, max_length=36,
    help=gettext_lazy("所属事项的实施编码，须在“事项”工作表中。"))
_ORDER = Column("order", gettext_lazy("序号"), "int", required=True, default=None,
                help=gettext_lazy("同一事项内按序号从小到大排列。"))
_BUNDLE_REF = Column("bundle", gettext_lazy("套餐名称"), "text", required=True, max_length=100, default="",
                     help=gettext_lazy("须在“主题套餐”工作表中。"))

# The rules of ItemVersion.clean(), for the help sheet (the import runs clean() itself).
_CONTENT_HELP = {
    "promised_limit": gettext_lazy("不能长于法定办结时限；即办件为 0 或 1。"),
    "visits_reason": gettext_lazy("到现场次数不为 0 时必填。"),
    "fee_basis": gettext_lazy("收费事项必填（《行政许可法》第五十八条）。"),
    "fee_standard": gettext_lazy("收费事项必填。"),
    "visits": gettext_lazy("0 表示零跑腿。"),
}

ITEMS = SheetSpec("items", "事项", (
    _model_column(Item, "implementation_code", kind="code", help=gettext_lazy(
        "GB/T 39554.1 实施编码，作为字符串原样保存。已存在的编码生成该事项的新草稿，新编码新建事项。")),
    _model_column(Item, "basic_code", kind="code"),
    _model_column(Item, "business_code", kind="code", help=gettext_lazy("不为空时不能与其他事项重复。")),
    _code_column("department_code", gettext_lazy("实施部门编码"), required=True, max_length=32,
                 help=gettext_lazy("系统中已有部门的编码。")),
    _code_column("parent_implementation_code", gettext_lazy("上级事项实施编码"), required=False, max_length=36,
                 help=gettext_lazy("子项、业务办理项所属上级事项的实施编码：系统中已有或在本表中。")),
    _model_column(Item, "node"),
    *(_model_column(ItemVersion, name, help=_CONTENT_HELP.get(name, "")) for name in CONTENT_FIELDS),
    Column("topics", gettext_lazy("主题"), "list", default=[],
           help=gettext_lazy("主题名称，多个用“、”分隔；须在“主题”工作表中或系统中已有。")),
), gettext_lazy("每行一个事项，内容为其现行版本（没有现行版本的取最新版本）。"))

MATERIALS = SheetSpec("materials", "申请材料", (
    _IMPLEMENTATION_CODE_REF, _ORDER, *(_model_column(Material, name) for name in MATERIAL_FIELDS),
), gettext_lazy("每行一份申请材料。一个事项的材料以本表为准：导入后的版本只有本表列出的材料。"))

FORM_FIELDS = SheetSpec("form_fields", "表单字段", (
    _IMPLEMENTATION_CODE_REF, _ORDER,
    *(_model_column(FormField, name, help=gettext_lazy("每行一个选项（单元格内换行：Alt+Enter）。")
                    if name == "choices" else "") for name in FORM_FIELD_FIELDS),
), gettext_lazy("每行一个申请表字段；同一事项内字段标识不能重复。"))

STEPS = SheetSpec("steps", "办理环节", (
    _IMPLEMENTATION_CODE_REF, _ORDER, *(_model_column(Step, name) for name in STEP_FIELDS),
), gettext_lazy("每行一个办理环节。"))

JOINT_DEPARTMENTS = SheetSpec("joint_departments", "联办部门", (
    _IMPLEMENTATION_CODE_REF,
    _code_column("department_code", gettext_lazy("联办部门编码"), required=True, max_length=32,
                 help=gettext_lazy("系统中已有部门的编码，不能是实施部门本身。")),
    _model_column(JointDepartment, "review_days"),
), gettext_lazy("每行一个并联审查的部门及其审查时限。"))

TOPICS = SheetSpec("topics", "主题", (
    _model_column(Topic, "name", help=gettext_lazy("不能包含“、”。已有同名主题时保持不变。")),
    _model_column(Topic, "kind"),
    _model_column(Topic, "audience"),
    _model_column(Topic, "order"),
), gettext_lazy("主题与人生事件；按名称匹配，系统中没有的新建。"))

BUNDLES = SheetSpec("bundles", "主题套餐", (
    _model_column(Bundle, "name", help=gettext_lazy(
        "按名称匹配：已有的套餐被本工作簿的内容替换，新套餐为未发布状态。")),
    _model_column(Bundle, "kind"),
    _code_column("lead_department_code", gettext_lazy("牵头部门编码"), required=True, max_length=32,
                 help=gettext_lazy("系统中已有部门的编码。")),
    _model_column(Bundle, "audience"),
    Column("topic", gettext_lazy("主题"), "text", max_length=40, default="",
           help=gettext_lazy("主题名称：须在“主题”工作表中或系统中已有；可留空。")),
    _model_column(Bundle, "guide"),
    _model_column(Bundle, "promised_limit"),
), gettext_lazy("“一件事”“一个项目”；其事项在“套餐事项”表中，分阶段的在“套餐阶段”表中。"))

BUNDLE_STAGES = SheetSpec("bundle_stages", "套餐阶段", (
    _BUNDLE_REF,
    _ORDER,
    _model_column(BundleStage, "name", help=gettext_lazy("同一套餐内不能重复。")),
    _code_column("lead_department_code", gettext_lazy("牵头部门（段长）编码"), required=True, max_length=32,
                 help=gettext_lazy("系统中已有部门的编码。")),
), gettext_lazy("分阶段的套餐（如工程建设项目的四个阶段），每行一个阶段。"))

BUNDLE_ITEMS = SheetSpec("bundle_items", "套餐事项", (
    _BUNDLE_REF,
    Column("stage", gettext_lazy("阶段名称"), "text", max_length=60, default="",
           help=gettext_lazy("分阶段的套餐必填，须在“套餐阶段”表中；不分阶段的留空。")),
    _code_column("implementation_code", gettext_lazy("实施编码"), required=True, max_length=36,
                 help=gettext_lazy("事项的实施编码：系统中已有或在“事项”工作表中。")),
    _ORDER,
), gettext_lazy("每行一个套餐包含的事项；同一套餐内事项不能重复。"))

SHEETS = (ITEMS, MATERIALS, FORM_FIELDS, STEPS, JOINT_DEPARTMENTS, TOPICS, BUNDLES, BUNDLE_STAGES, BUNDLE_ITEMS)
SHEETS_BY_TITLE = {s.title: s for s in SHEETS}


# --- errors ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    sheet: str  # the sheet's name, "" for the file
    row: int  # the row number as Excel shows it, 0 for the whole sheet or file
    column: str  # the machine name of the column, "" for the whole row
    title: str  # the column's title, for the report
    message: str


class WorkbookFileError(DomainError):
    """The upload is not an .xlsx workbook we can read."""


class CatalogueImportError(DomainError):
    """The workbook has errors; nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_("工作簿中有 %(n)s 处错误，未写入任何内容。") % {"n": len(errors)})
        self.errors = errors


class _Errors:
    def __init__(self) -> None:
        self.rows: list[RowError] = []
        self._seen: set[RowError] = set()

    def add(self, sheet: SheetSpec | str, row: int, column: str, message: str) -> None:
        spec = sheet if isinstance(sheet, SheetSpec) else SHEETS_BY_TITLE.get(sheet)
        title = sheet.title if isinstance(sheet, SheetSpec) else sheet
        col = spec.column(column) if spec is not None and column else None
        error = RowError(title, row, column, str(col.title) if col is not None else column, str(message))
        if error not in self._seen:
            self._seen.add(error)
            self.rows.append(error)

    def sorted(self) -> list[RowError]:
        sheet_order = {s.title: n for n, s in enumerate(SHEETS, start=1)}

        def key(e: RowError) -> tuple[int, int, int]:
            spec = SHEETS_BY_TITLE.get(e.sheet)
            col = spec.names.index(e.column) if spec is not None and e.column in spec.names else -1
            return sheet_order.get(e.sheet, 0), e.row, col

        return sorted(self.rows, key=key)


# --- export ---------------------------------------------------------------------------------------------
def export_catalogue() -> Workbook:
    """Every item (its published version, or its latest if none is published), topic and bundle."""
    with translation.override(WORKBOOK_LANGUAGE):
        items = list(_items_with_source().select_related("department", "parent").order_by("implementation_code"))
        versions = _versions_by_id([i.source_id for i in items])  # type: ignore[attr-defined]
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in items:
            if item.source_id is None:  # type: ignore[attr-defined]
                continue  # an item is always created with a version; this is only a guard
            data = _version_data(versions[item.source_id])  # type: ignore[attr-defined]
            code = item.implementation_code
            rows["items"].append({
                "implementation_code": code, "basic_code": item.basic_code, "business_code": item.business_code,
                "department_code": item.department.code,
                "parent_implementation_code": item.parent.implementation_code if item.parent else "",
                "node": item.node, **data["content"], "topics": data["topics"],
            })
            for key in ("materials", "form_fields", "steps"):
                rows[key] += [{"implementation_code": code, "order": n, **r} for n, r in enumerate(data[key], 1)]
            rows["joint_departments"] += [{"implementation_code": code, "department_code": dept, "review_days": days}
                                          for dept, days in data["joint_departments"]]
        rows["topics"] = [{"name": t.name, "kind": t.kind, "audience": t.audience, "order": t.order}
                          for t in Topic.objects.order_by("kind", "order", "name")]
        for bundle in _bundles().order_by("name"):
            b = _bundle_data(bundle)
            rows["bundles"].append({"name": bundle.name, **b["fields"]})
            for order, stage in enumerate(b["stages"], 1):
                rows["bundle_stages"].append({"bundle": bundle.name, "order": order, "name": stage["name"],
                                              "lead_department_code": stage["lead_department_code"]})
                rows["bundle_items"] += [{"bundle": bundle.name, "stage": stage["name"], "implementation_code": c,
                                          "order": n} for n, c in enumerate(stage["items"], 1)]
            rows["bundle_items"] += [{"bundle": bundle.name, "stage": "", "implementation_code": c, "order": n}
                                     for n, c in enumerate(b["items"], 1)]
        return _build_workbook(rows)


def template_workbook() -> Workbook:
    """The empty workbook with every sheet's headers, the help sheet, column notes and drop-down lists.

    Like the export, a write-only workbook: save it (once) with workbook_bytes.
    """
    with translation.override(WORKBOOK_LANGUAGE):
        return _build_workbook({})


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def catalogue_export(*, actor: Any) -> bytes:
    """The export as a file, audited."""
    data = workbook_bytes(export_catalogue())
    audit_record(actor=actor, action="catalogue.export",
                 after={"items": Item.objects.count(), "bundles": Bundle.objects.count(), "bytes": len(data)})
    return data


def _items_with_source() -> models.QuerySet[Item]:
    latest = ItemVersion.objects.filter(item=OuterRef("pk")).order_by("-number").values("pk")[:1]
    return Item.objects.annotate(source_id=Coalesce("published_id", Subquery(latest)))


def _versions_by_id(ids: Iterable[int]) -> dict[int, ItemVersion]:
    versions = ItemVersion.objects.filter(pk__in=list(ids)).prefetch_related(
        "topics", "materials", "form_fields", "steps",
        Prefetch("joint_departments", queryset=JointDepartment.objects.select_related("department")),
    )
    return {v.pk: v for v in versions}


def _bundles() -> models.QuerySet[Bundle]:
    return Bundle.objects.select_related("lead_department", "topic").prefetch_related(
        Prefetch("stages", queryset=BundleStage.objects.select_related("lead_department").order_by("order", "id")),
        Prefetch("entries", queryset=BundleItem.objects.select_related("item", "stage")
                 .order_by("stage__order", "order", "id")),
    )


def _version_data(version: ItemVersion) -> dict[str, Any]:
    """What the workbook carries of a version, as plain values (uses prefetched rows when there are some)."""
    return {
        "content": {f: getattr(version, f) for f in CONTENT_FIELDS},
        "topics": sorted(t.name for t in version.topics.all()),
        "materials": [{f: getattr(m, f) for f in MATERIAL_FIELDS} for m in version.materials.all()],
        "form_fields": [{f: getattr(x, f) for f in FORM_FIELD_FIELDS} for x in version.form_fields.all()],
        "steps": [{f: getattr(x, f) for f in STEP_FIELDS} for x in version.steps.all()],
        "joint_departments": sorted((j.department.code, j.review_days) for j in version.joint_departments.all()),
    }


def _bundle_data(bundle: Bundle) -> dict[str, Any]:
    """What the workbook carries of a bundle (uses prefetched stages and entries when there are some)."""
    entries = list(bundle.entries.all())
    return {
        "fields": {"kind": bundle.kind, "lead_department_code": bundle.lead_department.code,
                   "audience": bundle.audience, "topic": bundle.topic.name if bundle.topic else "",
                   "guide": bundle.guide, "promised_limit": bundle.promised_limit},
        "stages": [{"name": s.name, "lead_department_code": s.lead_department.code,
                    "items": [e.item.implementation_code for e in entries if e.stage_id == s.pk]}
                   for s in bundle.stages.all()],
        "items": [e.item.implementation_code for e in entries if e.stage_id is None],
    }


# --- the workbook's layout ------------------------------------------------------------------------------
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NAME_FONT = Font(italic=True, color="666666")
_WRAP = Alignment(wrap_text=True, vertical="top")
_WIDTHS = {"text": 30, "code": 36, "int": 10, "bool": 8, "choice": 16, "decimal": 12, "lines": 24, "list": 24}


def _build_workbook(rows: dict[str, list[dict[str, Any]]]) -> Workbook:
    """The help sheet, then one sheet per entity: titles, field names, then `rows[spec.key]`.

    Write-only: rows stream to a temporary file instead of living as cell objects (a 3,000-item catalogue
    is half a million cells).
    """
    wb = Workbook(write_only=True)
    _write_help(wb.create_sheet(HELP_SHEET))
    for spec in SHEETS:
        ws = wb.create_sheet(spec.title)
        for n, col in enumerate(spec.columns, start=1):
            letter = get_column_letter(n)
            ws.column_dimensions[letter].width = _WIDTHS[col.kind]
            allowed = _dropdown(col)
            if allowed:
                # A warning, not a stop: the import also takes a choice's Chinese label.
                dv = DataValidation(type="list", formula1=f'"{",".join(allowed)}"', allow_blank=True,
                                    showErrorMessage=True, errorStyle="warning", error=_("请从下拉列表中选择。"))
                dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}1048576")
                ws.data_validations.append(dv)
        ws.freeze_panes = f"A{FIRST_DATA_ROW}"
        ws.append([_header_cell(ws, str(col.title), note=_column_note(col)) for col in spec.columns])
        ws.append([_cell(ws, col.name, font=_NAME_FONT) for col in spec.columns])
        for values in rows.get(spec.key, []):
            ws.append([_data_cell(ws, col, values[col.name]) for col in spec.columns])
    return wb


def _cell(ws: Any, value: Any, *, font: Font | None = None, fill: PatternFill | None = None,
          wrap: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if wrap:
        cell.alignment = _WRAP
    return cell


def _header_cell(ws: Any, value: str, *, note: str = "") -> WriteOnlyCell:
    cell = _cell(ws, value, font=_HEADER_FONT, fill=_HEADER_FILL)
    if note:
        cell.comment = Comment(note, "事项清单", width=320, height=160)
    return cell


def _data_cell(ws: Any, col: Column, value: Any) -> WriteOnlyCell | None:
    value = _to_cell(col, value)
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"  # a text starting with "=" stays text, never a formula
        if col.kind == "code":
            cell.number_format = "@"
        elif "\n" in value:
            cell.alignment = _WRAP
    return cell


def _dropdown(col: Column) -> list[str]:
    if col.kind == "bool":
        return [YES, NO]
    if col.kind == "choice":
        return [str(value) for value, _label in col.choices]
    return []


def _to_cell(col: Column, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if col.kind == "bool":
        return YES if value else NO
    if col.kind == "lines":
        value = "\n".join(str(v) for v in value)
    elif col.kind == "list":
        value = LIST_SEPARATOR.join(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _column_note(col: Column) -> str:
    parts = [str(col.title) + ("（必填）" if col.required else "")]
    if col.help:
        parts.append(str(col.help))
    allowed = _allowed_values(col)
    if allowed:
        parts.append(_("可填：") + allowed.replace("\n", "；"))
    return "\n".join(parts)


def _allowed_values(col: Column) -> str:
    if col.kind == "choice":
        return "\n".join(f"{value}（{label}）" for value, label in col.choices)
    return {
        "bool": _("是 / 否"),
        "int": _("整数，不小于 0"),
        "decimal": _("数字，最多两位小数"),
        "lines": _("每行一个"),
        "list": _("名称，用“、”分隔"),
        "code": _("文本（请将该列设为文本格式）"),
    }.get(col.kind, "")


def _write_help(ws: Any) -> None:
    notes = [
        _("1. 每个工作表第 1 行是中文列名，第 2 行是字段名（导入按字段名识别列，请勿修改或删除），数据从第 3 行开始。"),
        _("2. 导入时先校验所有工作表的每一行；只要有一处错误，就不写入任何内容，并列出每处错误的工作表、行号和列。"),
        _("3. 导入的事项一律为草稿，须提交审核后才会发布：新的实施编码新建事项；已有实施编码的事项生成一个新草稿"
          "（该事项已有草稿或待审核版本时不能导入）；内容与现行版本完全相同的事项保持不变。"),
        _("4. 一个事项的申请材料、表单字段、办理环节和联办部门以本工作簿为准：导入后的版本只包含工作簿中列出的行。"),
        _("5. 已有事项的编码、实施部门、上级事项和层级不能通过导入修改；工作簿中没有的事项、主题和套餐保持不变，"
          "导入不删除任何内容。"),
        _("6. 选项类的列填写下表“可填”中的英文值（也可填括号内的中文名称）；是否类的列填“是”或“否”。"),
        _("7. 编码列请设为文本格式，以免 Excel 把长数字改成科学计数法或去掉前导零。"),
        _("8. 空白表格、示例样表和结果样本是文件，不在工作簿中；已有事项生成新草稿时，按材料名称保留原有文件。"),
    ]
    for letter, width in zip("ABCDEFGH", (14, 24, 26, 6, 36, 10, 12, 60), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append([_cell(ws, _("事项清单工作簿说明"), font=Font(bold=True, size=14))])
    for line in notes:
        ws.append([line])
    ws.append([])
    ws.append([_header_cell(ws, title) for title in ("工作表", "说明")])
    for spec in SHEETS:
        ws.append([spec.title, str(spec.help)])
    ws.append([])
    ws.append([_header_cell(ws, title) for title in ("工作表", "列名", "字段名", "必填", "可填", "最大长度", "留空时",
                                                      "说明")])
    for spec in SHEETS:
        for col in spec.columns:
            values = [spec.title, str(col.title), col.name, YES if col.required else NO, _allowed_values(col),
                      col.max_length, "" if col.required else _default_text(col), str(col.help)]
            ws.append([_cell(ws, value, wrap=True) for value in values])


def _default_text(col: Column) -> str:
    value = col.empty()
    if col.kind == "bool":
        return YES if value else NO
    if value in (None, "", []):
        return _("空")
    return str(value)


# --- reading the upload ---------------------------------------------------------------------------------
def open_workbook(file: IO[bytes] | bytes) -> Workbook:
    """Open an upload as a read-only workbook, or raise WorkbookFileError with a message for the user."""
    refused = WorkbookFileError(_("请上传 .xlsx 格式的 Excel 工作簿（不超过 %(mb)s MB）。")
                                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    stream = io.BytesIO(file) if isinstance(file, bytes) else file
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0 or size > MAX_UPLOAD_BYTES:
        raise refused
    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        stream.seek(0)
        if unpacked > MAX_UNPACKED_BYTES:
            raise refused
        return load_workbook(stream, read_only=True, data_only=True)
    except WorkbookFileError:
        raise
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds of errors on a file that is not xlsx
        raise refused from exc


def check_workbook_file(file: IO[bytes] | bytes) -> None:
    """Raise WorkbookFileError unless the upload opens as an .xlsx workbook."""
    open_workbook(file).close()


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)  # columns whose cell could not be read; already reported


def _read_sheets(wb: Workbook, errors: _Errors) -> tuple[dict[str, list[_Row]], bool]:
    """Every sheet's rows, read cell by cell; False when the sheets or their columns are not the template's."""
    tables: dict[str, list[_Row]] = {spec.key: [] for spec in SHEETS}
    known, sound = 0, True
    for name in wb.sheetnames:
        if name == HELP_SHEET:
            continue
        spec = SHEETS_BY_TITLE.get(name)
        if spec is None:
            errors.add(name, 0, "", _("不认识的工作表“%(name)s”：工作表名称须与模板一致。") % {"name": name})
            sound = False
            continue
        known += 1
        try:
            rows = _read_sheet(wb[name], spec, errors)
        except Exception:  # noqa: BLE001 — a damaged sheet: openpyxl parses lazily, while we iterate
            errors.add(spec, 0, "", _("无法读取该工作表，文件可能已损坏。"))
            rows = None
        if rows is None:
            sound = False
        else:
            tables[spec.key] = rows
    if not known and sound:
        errors.add("", 0, "", _("工作簿中没有事项清单的工作表，请使用下载的模板或导出的清单。"))
        sound = False
    return tables, sound


def _read_sheet(ws: Any, spec: SheetSpec, errors: _Errors) -> list[_Row] | None:
    """The sheet's data rows, or None when its header row of field names is wrong."""
    lines = ws.iter_rows(values_only=True)
    next(lines, None)  # the titles, for people
    names_row = next(lines, None) or ()
    positions: dict[str, int] = {}
    sound = True
    for index, raw in enumerate(names_row):
        name = str(raw).strip() if raw is not None else ""
        if not name:
            continue
        if spec.column(name) is None:
            errors.add(spec, NAME_ROW, "", _("第 %(col)s 列的字段名“%(name)s”不认识。")
                       % {"col": get_column_letter(index + 1), "name": name})
            sound = False
        elif name in positions:
            errors.add(spec, NAME_ROW, name, _("字段名重复。"))
            sound = False
        else:
            positions[name] = index
    missing = [c.name for c in spec.columns if c.name not in positions]
    if missing:
        errors.add(spec, NAME_ROW, "", _("缺少列：%(names)s（第 2 行须是字段名）。") % {"names": "、".join(missing)})
    if not sound or missing:
        return None
    rows: list[_Row] = []
    for number, cells in enumerate(lines, start=FIRST_DATA_ROW):
        values = {name: cells[i] if i < len(cells) else None for name, i in positions.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        if len(rows) == MAX_ROWS_PER_SHEET:
            errors.add(spec, number, "", _("数据超过 %(n)s 行的上限。") % {"n": MAX_ROWS_PER_SHEET})
            break
        row = _Row(number, {})
        for col in spec.columns:
            try:
                row.values[col.name] = _from_cell(col, values[col.name])
            except ValueError as exc:
                errors.add(spec, number, col.name, str(exc))
                row.values[col.name] = col.empty()
                row.bad.add(col.name)
        rows.append(row)
    return rows


def _from_cell(col: Column, value: Any) -> Any:
    """A cell's value as the column's Python value; ValueError with a message for the user."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return col.empty()
    if col.kind == "code":
        if not isinstance(value, str):
            raise ValueError(_("编码须以文本填写：数字格式会丢失前导零或末尾的数字，请将该列设为文本格式后重新填写。"))
        return value
    if col.kind == "text":
        return _text(value)
    if col.kind == "bool":
        if isinstance(value, bool):
            return value
        if value in (YES, NO):
            return value == YES
        raise ValueError(_("须填写“是”或“否”。"))
    if col.kind == "choice":
        value = _choice_labels(col.choices).get(_text(value), value)
        return _integer(value) if isinstance(col.default, int) else _text(value)
    if col.kind == "int":
        return _integer(value)
    if col.kind == "decimal":
        if isinstance(value, bool):
            raise ValueError(_("须为数字。"))
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("须为数字。")) from None
        if not number.is_finite():
            raise ValueError(_("须为数字。"))
        return number
    if col.kind == "lines":
        return [line.strip() for line in _text(value).splitlines() if line.strip()]
    if col.kind == "list":
        return [part.strip() for part in _text(value).split(LIST_SEPARATOR) if part.strip()]
    raise AssertionError(col.kind)


@lru_cache(maxsize=64)
def _choice_labels(choices: tuple[tuple[Any, Any], ...]) -> dict[str, Any]:
    """A choice's Chinese label → its value: people may type the label instead of the machine value."""
    with translation.override(WORKBOOK_LANGUAGE):
        return {str(label): value for value, label in choices}


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(_("须为整数。"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) <= 9:
        return int(value)
    raise ValueError(_("须为整数。"))


# --- checking every row ---------------------------------------------------------------------------------
@dataclass
class ItemPlan:
    row: int
    implementation_code: str
    basic_code: str
    business_code: str
    node: str
    department: Department | None
    parent_code: str
    content: dict[str, Any]
    topics: list[str]
    materials: list[dict[str, Any]] = field(default_factory=list)
    form_fields: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    joint_departments: list[dict[str, Any]] = field(default_factory=list)
    existing: Item | None = None
    unchanged: bool = False


@dataclass
class TopicPlan:
    row: int
    name: str
    kind: str
    audience: str
    order: int
    existing: bool = False


@dataclass
class StagePlan:
    row: int
    order: int
    name: str
    lead_department: Department | None
    items: list[str] = field(default_factory=list)


@dataclass
class BundlePlan:
    row: int
    name: str
    fields: dict[str, Any]  # kind, audience, guide, promised_limit
    lead_department: Department | None
    topic: str
    stages: list[StagePlan] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # for a bundle without stages
    existing: Bundle | None = None
    unchanged: bool = False
    sheet: SheetSpec = BUNDLES  # where the bundle is first named: its own row, or a stage or entry row
    stages_from_db: bool = False  # a bundle not in the bundles sheet keeps its stages unless the sheet has some


@dataclass(frozen=True)
class ImportSummary:
    items_created: int = 0
    drafts_created: int = 0
    items_unchanged: int = 0
    topics_created: int = 0
    bundles_created: int = 0
    bundles_updated: int = 0
    bundles_unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class ParsedCatalogue:
    """A workbook whose every row has been checked: what the import will write, in the order it writes it."""

    topics: list[TopicPlan]
    items: list[ItemPlan]  # parents before their children
    bundles: list[BundlePlan]

    def summary(self) -> ImportSummary:
        return ImportSummary(
            items_created=sum(1 for p in self.items if p.existing is None),
            drafts_created=sum(1 for p in self.items if p.existing is not None and not p.unchanged),
            items_unchanged=sum(1 for p in self.items if p.unchanged),
            topics_created=sum(1 for t in self.topics if not t.existing),
            bundles_created=sum(1 for b in self.bundles if b.existing is None),
            bundles_updated=sum(1 for b in self.bundles if b.existing is not None and not b.unchanged),
            bundles_unchanged=sum(1 for b in self.bundles if b.unchanged),
        )


def parse_workbook(file: IO[bytes] | bytes) -> ParsedCatalogue:
    """Read and check every row of an uploaded workbook; raise CatalogueImportError listing every error."""
    errors = _Errors()
    try:
        wb = open_workbook(file)
    except WorkbookFileError as exc:
        raise CatalogueImportError([RowError("", 0, "", "", str(exc))]) from exc
    try:
        tables, sound = _read_sheets(wb, errors)
    finally:
        wb.close()
    if not sound:  # sheets or columns that are not the template's: their rows would mean nothing
        raise CatalogueImportError(errors.sorted())
    parsed = _Checker(tables, errors).run()
    if errors.rows:
        raise CatalogueImportError(errors.sorted())
    return parsed


class _Checker:
    """Checks rows against each other and the database; collects every error, writes nothing."""

    def __init__(self, tables: dict[str, list[_Row]], errors: _Errors):
        self.tables = tables
        self.errors = errors
        self.departments = {d.code: d for d in Department.objects.all()}
        self.db_topics = {t.name: t for t in Topic.objects.all()}
        self.db_bundles: dict[str, Bundle] = {}

    def run(self) -> ParsedCatalogue:
        topics = self.topics()
        topic_names = set(self.db_topics) | {t.name for t in topics}
        items = self.items(topic_names)
        self.children(items)
        ordered = self.creation_order(items)
        self.compare_existing_items(ordered)
        bundles = self.bundles(set(items) | self.db_item_codes(self.tables["bundle_items"]), topic_names)
        return ParsedCatalogue(topics=topics, items=ordered, bundles=bundles)

    # -- helpers --
    def error(self, spec: SheetSpec, row: _Row | int, column: str, message: str) -> None:
        self.errors.add(spec, row.number if isinstance(row, _Row) else row, column, message)

    def full_clean(self, spec: SheetSpec, row: _Row, instance: models.Model, *, exclude: list[str],
                   rename: dict[str, str] | None = None, validate_constraints: bool = True) -> None:
        """The model's own checks (lengths, choices, clean()), reported against the sheet's columns."""
        try:
            instance.full_clean(exclude=exclude, validate_constraints=validate_constraints)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                column = (rename or {}).get(key, key)
                if column in row.bad:
                    continue  # already reported: the cell could not be read
                for message in messages:
                    self.error(spec, row, column if column in spec.names else "", message)

    def department(self, spec: SheetSpec, row: _Row, column: str) -> Department | None:
        code = row.values[column]
        if not code:
            if column not in row.bad:
                self.error(spec, row, column, _("必填。"))
            return None
        department = self.departments.get(code)
        if department is None:
            self.error(spec, row, column, _("部门编码“%(code)s”不存在。") % {"code": code})
        return department

    def required(self, spec: SheetSpec, row: _Row, *columns: str) -> bool:
        ok = True
        for column in columns:
            if row.values[column] in ("", None) and column not in row.bad:
                self.error(spec, row, column, _("必填。"))
                ok = False
        return ok and not (row.bad & set(columns))

    @staticmethod
    def db_item_codes(rows: list[_Row]) -> set[str]:
        codes = {r.values["implementation_code"] for r in rows if r.values["implementation_code"]}
        return set(Item.objects.filter(implementation_code__in=codes).values_list("implementation_code", flat=True))

    # -- topics --
    def topics(self) -> list[TopicPlan]:
        plans: dict[str, TopicPlan] = {}
        for row in self.tables["topics"]:
            v = row.values
            if not self.required(TOPICS, row, "name"):
                continue
            name = v["name"]
            if LIST_SEPARATOR in name:
                self.error(TOPICS, row, "name", _("主题名称不能包含“、”（事项的主题列用它分隔名称）。"))
            if name in plans:
                self.error(TOPICS, row, "name", _("与第 %(n)s 行重复。") % {"n": plans[name].row})
                continue
            existing = name in self.db_topics
            topic = Topic(name=name, kind=v["kind"], audience=v["audience"], order=v["order"])
            self.full_clean(TOPICS, row, topic, exclude=["name"] if existing else [])
            plans[name] = TopicPlan(row.number, name, v["kind"], v["audience"], v["order"], existing)
        return list(plans.values())

    # -- items --
    def items(self, topic_names: set[str]) -> dict[str, ItemPlan]:
        rows = self.tables["items"]
        codes = {r.values["implementation_code"] for r in rows} - {""}
        existing = {i.implementation_code: i for i in Item.objects.filter(implementation_code__in=codes)
                    .select_related("department", "parent")}
        business_codes = {r.values["business_code"] for r in rows} - {""}
        taken = dict(Item.objects.filter(business_code__in=business_codes)
                     .values_list("business_code", "implementation_code"))
        plans: dict[str, ItemPlan] = {}
        business_rows: dict[str, int] = {}
        for row in rows:
            v = row.values
            code = v["implementation_code"]
            department = self.department(ITEMS, row, "department_code")
            if not self.required(ITEMS, row, "implementation_code"):
                continue
            if code in plans:
                self.error(ITEMS, row, "implementation_code", _("实施编码与第 %(n)s 行重复。") % {"n": plans[code].row})
                continue
            content = {f: v[f] for f in CONTENT_FIELDS}
            plan = ItemPlan(row.number, code, v["basic_code"], v["business_code"], v["node"], department,
                            v["parent_implementation_code"], content, v["topics"], existing=existing.get(code))
            plans[code] = plan
            if plan.existing is not None:
                self.same_identity(row, plan.existing)
            else:
                item = Item(implementation_code=code, basic_code=v["basic_code"], business_code=v["business_code"],
                            node=v["node"], department=department)
                self.full_clean(ITEMS, row, item, exclude=["parent", "published", "department"],
                                validate_constraints=False)  # business code: checked below, with a clearer message
                business = v["business_code"]
                if business and business in business_rows:
                    self.error(ITEMS, row, "business_code",
                               _("业务办理项编码与第 %(n)s 行重复。") % {"n": business_rows[business]})
                elif business and taken.get(business, code) != code:
                    self.error(ITEMS, row, "business_code", _("业务办理项编码已被事项 %(code)s 使用。")
                               % {"code": taken[business]})
                if business:
                    business_rows.setdefault(business, row.number)
            version = ItemVersion(**content)
            self.full_clean(ITEMS, row, version, exclude=["item", "number", "status"])
            for name in v["topics"]:
                if name not in topic_names:
                    self.error(ITEMS, row, "topics", _("主题“%(name)s”不存在。") % {"name": name})
        return plans

    def same_identity(self, row: _Row, item: Item) -> None:
        """An import makes a new version; it cannot change what identifies the item."""
        v = row.values
        current = {
            "basic_code": item.basic_code,
            "business_code": item.business_code,
            "node": item.node,
            "department_code": item.department.code,
            "parent_implementation_code": item.parent.implementation_code if item.parent else "",
        }
        for column, value in current.items():
            if v[column] != value and column not in row.bad:
                self.error(ITEMS, row, column, _("已有事项的该项不能通过导入修改（现为“%(value)s”）。")
                           % {"value": value})

    def children(self, items: dict[str, ItemPlan]) -> None:
        """Materials, form fields, steps and joint departments, attached to their item's plan in order."""
        for spec, model, fields in ((MATERIALS, Material, MATERIAL_FIELDS), (FORM_FIELDS, FormField, FORM_FIELD_FIELDS),
                                    (STEPS, Step, STEP_FIELDS)):
            by_item: dict[str, list[tuple[int, int, dict[str, Any]]]] = defaultdict(list)
            keys: dict[tuple[str, str], int] = {}
            for row in self.tables[spec.key]:
                v = row.values
                plan = self.item_of(spec, row, items)
                has_order = self.required(spec, row, "order")
                values = {f: v[f] for f in fields}
                self.full_clean(spec, row, model(order=v["order"] if has_order else 0, **values), exclude=["version"],
                                validate_constraints=False)  # the one constraint is a key unique per version
                if spec is FORM_FIELDS and v["key"]:
                    first = keys.setdefault((v["implementation_code"], v["key"]), row.number)
                    if first != row.number:
                        self.error(spec, row, "key", _("同一事项的字段标识与第 %(n)s 行重复。") % {"n": first})
                if plan is not None and has_order:
                    by_item[plan.implementation_code].append((v["order"], row.number, values))
            for code, entries in by_item.items():
                setattr(items[code], spec.key, [values for _order, _row, values in sorted(entries)])
        seen: dict[tuple[str, str], int] = {}
        for row in self.tables["joint_departments"]:
            v = row.values
            plan = self.item_of(JOINT_DEPARTMENTS, row, items)
            department = self.department(JOINT_DEPARTMENTS, row, "department_code")
            self.full_clean(JOINT_DEPARTMENTS, row, JointDepartment(review_days=v["review_days"]),
                            exclude=["version", "department"], validate_constraints=False)
            if plan is None or department is None:
                continue
            first = seen.setdefault((plan.implementation_code, department.code), row.number)
            if first != row.number:
                self.error(JOINT_DEPARTMENTS, row, "department_code", _("与第 %(n)s 行重复。") % {"n": first})
            elif plan.department is not None and department.pk == plan.department.pk:
                self.error(JOINT_DEPARTMENTS, row, "department_code", _("联办部门不能是实施部门本身。"))
            else:
                plan.joint_departments.append({"department": department, "review_days": v["review_days"]})

    def item_of(self, spec: SheetSpec, row: _Row, items: dict[str, ItemPlan]) -> ItemPlan | None:
        code = row.values["implementation_code"]
        if not self.required(spec, row, "implementation_code"):
            return None
        plan = items.get(code)
        if plan is None:
            self.error(spec, row, "implementation_code",
                       _("“事项”工作表中没有实施编码为“%(code)s”的事项。") % {"code": code})
        return plan

    def creation_order(self, items: dict[str, ItemPlan]) -> list[ItemPlan]:
        """Parents before children; a parent must exist already or be in the sheet, and not be a loop."""
        parents = {p.parent_code for p in items.values() if p.parent_code} - set(items)
        in_db = set(Item.objects.filter(implementation_code__in=parents).values_list("implementation_code",
                                                                                    flat=True))
        placed: set[str] = set()
        ordered: list[ItemPlan] = []
        for plan in items.values():
            if plan.parent_code and plan.parent_code not in items and plan.parent_code not in in_db:
                self.error(ITEMS, plan.row, "parent_implementation_code",
                           _("上级事项“%(code)s”不存在。") % {"code": plan.parent_code})
            chain: list[ItemPlan] = []
            current: ItemPlan | None = plan
            while current is not None and current.implementation_code not in placed:
                if any(link is current for link in chain):
                    self.error(ITEMS, current.row, "parent_implementation_code", _("上级事项不能形成循环。"))
                    chain = []
                    break
                chain.append(current)
                current = items.get(current.parent_code) if current.parent_code else None
            for link in reversed(chain):
                placed.add(link.implementation_code)
                ordered.append(link)
        return ordered

    def compare_existing_items(self, plans: list[ItemPlan]) -> None:
        """An existing item whose content is unchanged is left alone; a changed one needs no open draft."""
        existing = [p for p in plans if p.existing is not None]
        if not existing:
            return
        ids = [p.existing.pk for p in existing if p.existing is not None]
        sources = {i.pk: i.source_id for i in _items_with_source().filter(pk__in=ids)}  # type: ignore[attr-defined]
        versions = _versions_by_id(sources.values())
        open_items = set(ItemVersion.objects.filter(item_id__in=ids, status__in=[VersionStatus.DRAFT,
                                                                                  VersionStatus.IN_REVIEW])
                         .values_list("item_id", flat=True))
        for plan in existing:
            assert plan.existing is not None
            current = _version_data(versions[sources[plan.existing.pk]])
            plan.unchanged = current == _plan_data(plan)
            if not plan.unchanged and plan.existing.pk in open_items:
                self.error(ITEMS, plan.row, "implementation_code",
                           _("该事项已有草稿或待审核的版本，请先完成审核或退回修改后再导入。"))

    # -- bundles --
    def bundles(self, item_codes: set[str], topic_names: set[str]) -> list[BundlePlan]:
        names = {r.values["name"] for r in self.tables["bundles"]}
        names |= {r.values["bundle"] for key in ("bundle_stages", "bundle_items") for r in self.tables[key]}
        existing = {b.name: b for b in _bundles().filter(name__in=names - {""})}
        self.db_bundles = existing
        plans: dict[str, BundlePlan] = {}
        for row in self.tables["bundles"]:
            v = row.values
            department = self.department(BUNDLES, row, "lead_department_code")
            if not self.required(BUNDLES, row, "name"):
                continue
            name = v["name"]
            if name in plans:
                self.error(BUNDLES, row, "name", _("与第 %(n)s 行重复。") % {"n": plans[name].row})
                continue
            fields = {f: v[f] for f in ("kind", "audience", "guide", "promised_limit")}
            current = existing.get(name)
            bundle = Bundle(name=name, lead_department=department, **fields)
            self.full_clean(BUNDLES, row, bundle, exclude=["topic", "lead_department", "search_text",
                                                          *(["name"] if current else [])])
            if v["topic"] and v["topic"] not in topic_names:
                self.error(BUNDLES, row, "topic", _("主题“%(name)s”不存在。") % {"name": v["topic"]})
            plans[name] = BundlePlan(row.number, name, fields, department, v["topic"], existing=current)
        for row in self.tables["bundle_stages"]:
            v = row.values
            department = self.department(BUNDLE_STAGES, row, "lead_department_code")
            plan = self.bundle_of(BUNDLE_STAGES, row, plans)
            complete = self.required(BUNDLE_STAGES, row, "order", "name")
            self.full_clean(BUNDLE_STAGES, row, BundleStage(order=v["order"] if complete else 0, name=v["name"]),
                            exclude=["bundle", "lead_department"])
            if plan is None or not complete:
                continue
            if plan.stages_from_db:
                plan.stages, plan.stages_from_db = [], False
            same = next((s for s in plan.stages if s.name == v["name"]), None)
            if same is not None:
                self.error(BUNDLE_STAGES, row, "name", _("同一套餐的阶段名称与第 %(n)s 行重复。") % {"n": same.row})
            else:
                plan.stages.append(StagePlan(row.number, v["order"], v["name"], department))
        for plan in plans.values():
            plan.stages.sort(key=lambda s: (s.order, s.row))
        self.bundle_items(plans, item_codes)
        for plan in plans.values():
            if not plan.items and not any(s.items for s in plan.stages):
                self.error(plan.sheet, plan.row, "name" if plan.sheet is BUNDLES else "bundle",
                           _("主题套餐至少包含一个事项（在“套餐事项”表中）。"))
            if plan.existing is not None:
                plan.unchanged = _bundle_data(plan.existing) == _bundle_plan_data(plan)
        return list(plans.values())

    def bundle_items(self, plans: dict[str, BundlePlan], item_codes: set[str]) -> None:
        entries: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
        seen: dict[tuple[str, str], int] = {}
        for row in self.tables["bundle_items"]:
            v = row.values
            plan = self.bundle_of(BUNDLE_ITEMS, row, plans)
            ok = self.required(BUNDLE_ITEMS, row, "implementation_code", "order")
            code = v["implementation_code"]
            if ok and code not in item_codes:
                self.error(BUNDLE_ITEMS, row, "implementation_code", _("事项“%(code)s”不存在（系统中没有，"
                                                                      "“事项”工作表中也没有）。") % {"code": code})
                ok = False
            if plan is None or not ok:
                continue
            first = seen.setdefault((plan.name, code), row.number)
            if first != row.number:
                self.error(BUNDLE_ITEMS, row, "implementation_code",
                           _("同一套餐的事项与第 %(n)s 行重复。") % {"n": first})
                continue
            stage = v["stage"]
            if stage and not any(s.name == stage for s in plan.stages):
                self.error(BUNDLE_ITEMS, row, "stage", _("套餐“%(bundle)s”没有名为“%(stage)s”的阶段。")
                           % {"bundle": plan.name, "stage": stage})
                continue
            if not stage and plan.stages:
                self.error(BUNDLE_ITEMS, row, "stage", _("该套餐分阶段，须填写阶段名称。"))
                continue
            entries[(plan.name, stage)].append((v["order"], row.number, code))
        for (bundle, stage), rows in entries.items():
            codes = [code for _order, _row, code in sorted(rows)]
            plan = plans[bundle]
            if stage:
                next(s for s in plan.stages if s.name == stage).items = codes
            else:
                plan.items = codes

    def bundle_of(self, spec: SheetSpec, row: _Row, plans: dict[str, BundlePlan]) -> BundlePlan | None:
        if not self.required(spec, row, "bundle"):
            return None
        name = row.values["bundle"]
        plan = plans.get(name)
        if plan is None and name in self.db_bundles:
            plan = plans[name] = _plan_from_db(self.db_bundles[name], spec, row.number)
        if plan is None:
            self.error(spec, row, "bundle", _("套餐“%(name)s”不存在（系统中没有，“主题套餐”工作表中也没有）。")
                       % {"name": name})
        return plan


def _plan_from_db(bundle: Bundle, sheet: SheetSpec, row: int) -> BundlePlan:
    """A bundle that only the stage or entry sheet names: its own fields stay as they are."""
    return BundlePlan(
        row=row, name=bundle.name, lead_department=bundle.lead_department,
        fields={"kind": bundle.kind, "audience": bundle.audience, "guide": bundle.guide,
                "promised_limit": bundle.promised_limit},
        topic=bundle.topic.name if bundle.topic else "",
        stages=[StagePlan(0, n, s.name, s.lead_department) for n, s in enumerate(bundle.stages.all(), 1)],
        existing=bundle, sheet=sheet, stages_from_db=True,
    )


def _plan_data(plan: ItemPlan) -> dict[str, Any]:
    """The same shape as _version_data, for a row of the workbook."""
    return {
        "content": plan.content,
        "topics": sorted(plan.topics),
        "materials": plan.materials,
        "form_fields": plan.form_fields,
        "steps": plan.steps,
        "joint_departments": sorted((j["department"].code, j["review_days"]) for j in plan.joint_departments),
    }


def _bundle_plan_data(plan: BundlePlan) -> dict[str, Any]:
    """The same shape as _bundle_data, for a row of the workbook."""
    return {
        "fields": {"kind": plan.fields["kind"],
                   "lead_department_code": plan.lead_department.code if plan.lead_department else "",
                   "audience": plan.fields["audience"], "topic": plan.topic, "guide": plan.fields["guide"],
                   "promised_limit": plan.fields["promised_limit"]},
        "stages": [{"name": s.name, "lead_department_code": s.lead_department.code if s.lead_department else "",
                    "items": s.items} for s in plan.stages],
        "items": plan.items,
    }


# --- the import -----------------------------------------------------------------------------------------
def catalogue_import(*, actor: Any, parsed: ParsedCatalogue,
                     progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Write a checked workbook in one transaction: topics, then items as drafts, then bundles. All or nothing.

    Errors that only show while writing (someone else changed the catalogue meanwhile) roll everything back
    and raise CatalogueImportError naming the row.
    """
    try:
        with transaction.atomic():
            summary = _write(actor=actor, parsed=parsed, progress=progress)
            audit_record(actor=actor, action="catalogue.import", after=summary.as_dict())
    except CatalogueImportError as exc:
        catalogue_import_refused(actor=actor, errors=exc.errors)
        raise
    return summary


def catalogue_import_refused(*, actor: Any, errors: list[RowError]) -> None:
    """Audit an import that was refused (nothing was written)."""
    audit_record(actor=actor, action="catalogue.import", result=AuditEvent.Result.FAILURE,
                 after={"errors": len(errors),
                        "first": [f"{e.sheet}!{e.row} {e.column}: {e.message}" for e in errors[:10]]})


def _write(*, actor: Any, parsed: ParsedCatalogue, progress: Callable[[int, int], None] | None) -> ImportSummary:
    topics = {t.name: t for t in Topic.objects.all()}
    topics_created = 0
    for t in parsed.topics:
        topic, is_new = Topic.objects.get_or_create(
            name=t.name, defaults={"kind": t.kind, "audience": t.audience, "order": t.order})
        topics[t.name] = topic
        topics_created += is_new
    codes = {p.implementation_code for p in parsed.items} | {p.parent_code for p in parsed.items}
    codes |= {c for b in parsed.bundles for c in [*b.items, *(c for s in b.stages for c in s.items)]}
    known = {i.implementation_code: i for i in Item.objects.filter(implementation_code__in=codes)}
    created = drafts = 0
    for n, plan in enumerate(parsed.items, start=1):
        if progress is not None and (n % 25 == 0 or n == len(parsed.items)):
            progress(n, len(parsed.items))
        if plan.unchanged:
            continue
        with _row_errors(ITEMS, plan.row):
            if plan.existing is None:
                version = item_create(
                    actor=actor, department=_present(plan.department), implementation_code=plan.implementation_code,
                    basic_code=plan.basic_code, business_code=plan.business_code, node=plan.node,
                    parent=known[plan.parent_code] if plan.parent_code else None, content=plan.content,
                    topics=[topics[name] for name in plan.topics], materials=plan.materials,
                    form_fields=plan.form_fields, steps=plan.steps, joint_departments=plan.joint_departments)
                known[plan.implementation_code] = version.item
                created += 1
            else:
                draft = version_new_draft(actor=actor, item=plan.existing)
                version_update(actor=actor, version=draft, content=plan.content,
                               topics=[topics[name] for name in plan.topics],
                               materials=_keep_material_files(draft, plan.materials), form_fields=plan.form_fields,
                               steps=plan.steps, joint_departments=plan.joint_departments)
                drafts += 1
    bundles_created = bundles_updated = 0
    for b in parsed.bundles:
        if b.unchanged:
            continue
        fields = {**b.fields, "name": b.name, "lead_department": b.lead_department,
                  "topic": topics[b.topic] if b.topic else None}
        if b.existing is None:
            fields["is_published"] = False
        with _row_errors(b.sheet, b.row):
            bundle_save(actor=actor, bundle=b.existing, fields=fields, items=[known[c] for c in b.items],
                        stages=[{"name": s.name, "lead_department": s.lead_department,
                                 "items": [known[c] for c in s.items]} for s in b.stages])
        if b.existing is None:
            bundles_created += 1
        else:
            bundles_updated += 1
    return ImportSummary(items_created=created, drafts_created=drafts,
                         items_unchanged=sum(1 for p in parsed.items if p.unchanged), topics_created=topics_created,
                         bundles_created=bundles_created, bundles_updated=bundles_updated,
                         bundles_unchanged=sum(1 for b in parsed.bundles if b.unchanged))


def _present(department: Department | None) -> Department:
    assert department is not None  # parse_workbook refuses a row without one
    return department


def _keep_material_files(draft: ItemVersion, materials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The blank forms and samples are files, not cells: a material keeps those of its namesake."""
    files = {m.name: (m.blank_form.name, m.sample.name) for m in draft.materials.all()}
    kept = []
    for row in materials:
        blank_form, sample = files.get(row["name"], ("", ""))
        kept.append({**row, "blank_form": blank_form, "sample": sample})
    return kept


@contextmanager
def _row_errors(spec: SheetSpec, row: int) -> Iterator[None]:
    """Turn what a service refuses while writing into a row error (the transaction then rolls back)."""
    errors = _Errors()
    try:
        yield
    except ValidationError as exc:
        for message in _messages(exc):
            errors.add(spec, row, "", message)
        raise CatalogueImportError(errors.rows) from exc
    except (DomainError, IntegrityError, KeyError) as exc:
        errors.add(spec, row, "", _("写入时失败（可能有人同时修改了事项清单），请重新导入：%(e)s") % {"e": exc})
        raise CatalogueImportError(errors.rows) from exc


def _messages(exc: ValidationError) -> Iterator[str]:
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            for message in messages:
                yield message if key == "__all__" else f"{key}: {message}"
    else:
        yield from exc.messages
