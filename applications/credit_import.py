"""Enterprise credit grades kept by the administrator (信用等级): the list, the .xlsx template and the import.

An import is all or nothing: every row is checked first (a valid 统一社会信用代码, a known grade, an enterprise
the portal knows, 是/否 for the dishonesty flag) and every error is reported with its row number; only a
workbook without errors is applied, row by row through `applicant_set_credit` (which audits each change),
in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from applications.models import Applicant, ApplicantKind, CreditGrade
from applications.services.applicants import applicant_set_credit
from items.spreadsheet import WorkbookFileError, open_workbook, workbook_bytes
from portal.errors import DomainError
from portal.validators import is_valid_uscc

COL_USCC, COL_GRADE, COL_DISHONEST, COL_NOTE = "统一社会信用代码", "信用等级", "失信记录", "说明"
COLUMNS = (COL_USCC, COL_GRADE, COL_DISHONEST, COL_NOTE)
REQUIRED_COLUMNS = (COL_USCC, COL_GRADE)
YES_WORDS = {"是", "有", "Y", "YES", "TRUE", "1"}
NO_WORDS = {"否", "无", "N", "NO", "FALSE", "0", ""}
# How local lists often write the grades.
GRADE_ALIASES = {"3A": "AAA", "2A": "AA", "1A": "A"}
MAX_ROWS = 20_000
NOTE_MAX = 200


class CreditImportError(DomainError):
    """The workbook has errors (each with its row number); nothing was written."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(_("导入失败，未写入任何数据。"))
        self.errors = errors


@dataclass(frozen=True)
class CreditRow:
    row: int
    uscc: str
    grade: str
    dishonest: bool
    note: str


# --- reads -----------------------------------------------------------------------------------------------
def enterprises_for_credit(*, query: str = "", grade: str = "", dishonest: str = "") -> QuerySet[Applicant]:
    """Enterprise applicants for the credit page: by name or USCC, grade ("none" = not graded) and flag."""
    qs = Applicant.objects.filter(kind=ApplicantKind.ENTERPRISE).order_by("name", "pk")
    query = query.strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(uscc=query.upper()))
    if grade == "none":
        qs = qs.filter(credit_grade="")
    elif grade in CreditGrade.values:
        qs = qs.filter(credit_grade=grade)
    if dishonest in ("yes", "no"):
        qs = qs.filter(dishonest=dishonest == "yes")
    return qs


# --- the template ----------------------------------------------------------------------------------------
def credit_template() -> bytes:
    """An empty workbook with the four columns, drop-down lists for the grade and the flag, and a help sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("信用等级")
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (24, 12, 12, 40), strict=True):
        ws.column_dimensions[letter].width = width
    grades = DataValidation(type="list", formula1=f'"{",".join(CreditGrade.values)}"', allow_blank=False)
    flags = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    ws.add_data_validation(grades)
    ws.add_data_validation(flags)
    grades.add(f"B2:B{MAX_ROWS + 1}")
    flags.add(f"C2:C{MAX_ROWS + 1}")
    # The code column is text: a code read as a number would lose its letters and leading zeros.
    for row in range(2, 202):
        ws.cell(row=row, column=1).number_format = "@"
    help_sheet = wb.create_sheet(_("填写说明"))
    for line in (
        (_("列"), _("说明")),
        (COL_USCC, _("必填。18 位统一社会信用代码，须是已在本系统登记的企业申请人。")),
        (COL_GRADE, _("必填。%(grades)s 之一（也可写 3A、2A、1A）。") % {"grades": "、".join(CreditGrade.values)}),
        (COL_DISHONEST, _("“是”或“否”，空白视为“否”。有失信记录的企业不适用容缺受理和告知承诺。")),
        (COL_NOTE, _("选填，不超过 %(n)s 字。") % {"n": NOTE_MAX}),
        ("", _("任何一行有错误时整个文件都不会导入，错误会逐行列出。")),
    ):
        help_sheet.append(list(line))
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["B"].width = 80
    return workbook_bytes(wb)


# --- the import ----------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_rows(file: IO[bytes] | bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        wb = open_workbook(file)
    except WorkbookFileError as exc:
        raise CreditImportError([(0, str(exc))]) from exc
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise CreditImportError([(0, _("工作簿中没有工作表。"))])
        lines = ws.iter_rows(values_only=True)
        header = [_text(v) for v in next(lines, None) or ()]
        positions = {name: header.index(name) for name in COLUMNS if name in header}
        absent = [name for name in REQUIRED_COLUMNS if name not in positions]
        if absent:
            raise CreditImportError([(1, _("第一行缺少列：%(names)s。请使用下载的模板。") % {
                "names": "、".join(absent)})])
        rows: list[tuple[int, dict[str, str]]] = []
        for number, values in enumerate(lines, start=2):
            cells = {name: _text(values[i]) if i < len(values) else "" for name, i in positions.items()}
            if not any(cells.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise CreditImportError([(number, _("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS})])
            rows.append((number, cells))
        return rows
    except CreditImportError:
        raise
    except Exception as exc:  # noqa: BLE001 — openpyxl parses lazily: a damaged sheet fails while we iterate
        raise CreditImportError([(0, _("无法读取工作表，文件可能已损坏。"))]) from exc
    finally:
        wb.close()


def credit_rows_check(file: IO[bytes] | bytes) -> list[CreditRow]:
    """Every row of the workbook checked; raises CreditImportError listing every bad row."""
    raw = _read_rows(file)
    errors: list[tuple[int, str]] = []
    usccs = {cells.get(COL_USCC, "").upper() for _n, cells in raw}
    known = set(Applicant.objects.filter(kind=ApplicantKind.ENTERPRISE, uscc__in=usccs)
                .values_list("uscc", flat=True))
    seen: dict[str, int] = {}
    rows = []
    for number, cells in raw:
        problems = []
        uscc = cells.get(COL_USCC, "").upper()
        if not uscc:
            problems.append(_("统一社会信用代码未填写。"))
        elif not is_valid_uscc(uscc):
            problems.append(_("统一社会信用代码“%(code)s”无效。") % {"code": uscc[:30]})
        elif uscc not in known:
            problems.append(_("统一社会信用代码“%(code)s”不是已登记的企业申请人。") % {"code": uscc})
        elif uscc in seen:
            problems.append(_("统一社会信用代码与第 %(row)s 行重复。") % {"row": seen[uscc]})
        else:
            seen[uscc] = number
        grade_text = cells.get(COL_GRADE, "").upper()
        grade = GRADE_ALIASES.get(grade_text, grade_text)
        if grade not in CreditGrade.values:
            problems.append(_("信用等级“%(grade)s”无效，须为 %(grades)s 之一。") % {
                "grade": grade_text[:20], "grades": "、".join(CreditGrade.values)})
        flag = cells.get(COL_DISHONEST, "").upper()
        if flag not in YES_WORDS | NO_WORDS:
            problems.append(_("失信记录须填“是”或“否”，不能是“%(value)s”。") % {"value": flag[:20]})
        note = cells.get(COL_NOTE, "")
        if len(note) > NOTE_MAX:
            problems.append(_("说明超过 %(n)s 字。") % {"n": NOTE_MAX})
        if problems:
            errors.extend((number, message) for message in problems)
        else:
            rows.append(CreditRow(row=number, uscc=uscc, grade=grade, dishonest=flag in YES_WORDS, note=note))
    if errors:
        raise CreditImportError(errors)
    if not rows:
        raise CreditImportError([(0, _("工作簿中没有数据行。"))])
    return rows


@transaction.atomic
def credit_import(*, actor: Any, file: IO[bytes] | bytes) -> int:
    """Check the whole workbook, then apply every row through `applicant_set_credit`; returns the count."""
    rows = credit_rows_check(file)
    applicants = {a.uscc: a for a in Applicant.objects.filter(kind=ApplicantKind.ENTERPRISE,
                                                               uscc__in=[r.uscc for r in rows])}
    for row in rows:
        applicant_set_credit(actor=actor, applicant=applicants[row.uscc], grade=row.grade, dishonest=row.dishonest,
                             note=row.note)
    return len(rows)
