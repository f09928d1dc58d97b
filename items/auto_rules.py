"""智能审批规则: conditions on an application's form that, when all hold, let the system approve by itself.

One rule a line, `<field key> <operator> [value]`:

    area <= 200
    business_type in 餐饮服务经营者, 食品销售经营者
    has_licence = 是
    contact_phone filled

Operators: = != < <= > >= (numbers compare as numbers; NaN and infinities are not numbers), `in` (any of the
comma-separated values, numbers again as numbers), `filled` (an answer that is not blank; takes no value).
A rule naming a field the form does not have never holds: the item then goes to people, not the system.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

OPERATORS = ("<=", ">=", "!=", "=", "<", ">", "in", "filled")
_LINE = re.compile(r"^\s*(?P<field>[A-Za-z_][\w]*)\s*(?P<op><=|>=|!=|=|<|>|\bin\b|\bfilled\b)\s*(?P<value>.*?)\s*$")


@dataclass(frozen=True)
class Rule:
    field: str
    op: str
    value: str

    def __str__(self) -> str:
        return f"{self.field} {self.op} {self.value}".strip()

    def holds(self, form: dict[str, Any]) -> bool:
        if self.field not in form:
            return False
        given = form[self.field]
        if self.op == "filled":
            # 0 is an answer; None, False, an empty list and blank text are not (`0 in (False,)` is True).
            return given is not None and given is not False and given != [] and str(given).strip() != ""
        if self.op == "in":
            wanted = [v.strip() for v in re.split(r"[,，、]", self.value) if v.strip()]
            values = given if isinstance(given, list) else [given]
            return any(_same(str(v).strip(), w) for v in values for w in wanted)
        left, right = _number(given), _number(self.value)
        if left is not None and right is not None:
            return _compare(left, self.op, right)
        if self.op in ("=", "!="):
            return _compare(str(given).strip(), self.op, self.value)
        return False


def _number(value: Any) -> Decimal | None:
    """A finite number, or None: NaN and infinities are not numbers a form means (and NaN cannot be ordered)."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _same(given: str, wanted: str) -> bool:
    left, right = _number(given), _number(wanted)
    return left == right if left is not None and right is not None else given == wanted


_COMPARISONS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
                ">=": operator.ge}


def _compare(left: Any, op: str, right: Any) -> bool:
    return bool(_COMPARISONS[op](left, right))


def parse(text: str) -> list[Rule]:
    """The rules of a text; raises ValueError naming the first line that cannot be read."""
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(_("第 %(n)s 行无法识别：%(line)s（格式：字段 运算符 值）") % {
                "n": number, "line": line.strip()})
        op, value = match["op"], match["value"]
        if op != "filled" and not value:
            raise ValueError(_("第 %(n)s 行缺少比较的值。") % {"n": number})
        if op == "filled" and value:
            raise ValueError(_("第 %(n)s 行：filled 之后不应再有值。") % {"n": number})
        rules.append(Rule(match["field"], op, value))
    return rules


def unmet(text: str, form: dict[str, Any]) -> list[Rule]:
    """The rules of `text` that the form does not satisfy (all of them when the text cannot be read)."""
    try:
        rules = parse(text)
    except ValueError:
        return [Rule("rules", "=", "invalid")]
    return [rule for rule in rules if not rule.holds(form)]
