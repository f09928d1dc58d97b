"""智能审批 rules: reading them, and deciding whether a form meets them."""

import pytest
from django.core.exceptions import ValidationError

from items import auto_rules
from items.auto_rules import Rule, parse, unmet

FORM = {"area": "80", "business_type": "餐饮服务经营者", "has_licence": "是", "phone": "13905720001", "note": "",
        "kinds": ["热食类", "冷食类"], "seats": 40}


def test_parse_reads_one_rule_a_line_and_skips_blanks_and_comments():
    rules = parse("area <= 200\n\n# 只适用于小型餐饮\nbusiness_type in 餐饮服务经营者, 食品销售经营者\nphone filled\n")
    assert rules == [Rule("area", "<=", "200"), Rule("business_type", "in", "餐饮服务经营者, 食品销售经营者"),
                     Rule("phone", "filled", "")]
    assert [str(r) for r in rules] == ["area <= 200", "business_type in 餐饮服务经营者, 食品销售经营者", "phone filled"]
    assert parse("area<=200") == [Rule("area", "<=", "200")]
    assert parse("") == []


@pytest.mark.parametrize("text, line", [
    ("area 200", 1),
    ("area <= 200\n面积 <= 200", 2),
    ("area <=", 1),
    ("area in", 1),
    ("phonefilled", 1),
    ("phone filled yes", 1),
])
def test_parse_names_the_line_it_cannot_read(text, line):
    with pytest.raises(ValueError) as error:
        parse(text)
    assert f"第 {line} 行" in str(error.value)


@pytest.mark.parametrize("rule, holds", [
    ("area <= 200", True), ("area <= 80", True), ("area < 80", False), ("area > 79.5", True), ("area >= 81", False),
    ("area = 80.0", True), ("area != 80", False), ("seats < 50", True),
    ("business_type = 餐饮服务经营者", True), ("business_type != 餐饮服务经营者", False),
    ("business_type in 食品销售经营者，餐饮服务经营者", True), ("business_type in 食品销售经营者、单位食堂", False),
    ("kinds in 冷食类", True), ("kinds in 生食类, 糕点类", False), ("area in 70, 80.0", True),
    ("phone filled", True), ("note filled", False),
    ("has_licence = 是", True), ("has_licence = 否", False),
    ("business_type < 5", False),  # a text is not a number: an ordering never holds
    ("missing_field filled", False), ("missing_field != x", False),  # a field the form lacks never holds
])
def test_rule_holds(rule, holds):
    assert parse(rule)[0].holds(FORM) is holds


@pytest.mark.parametrize("value", ["NaN", "nan", "sNaN", "Infinity", "-inf"])
def test_values_that_are_not_finite_numbers_never_hold_and_never_raise(value):
    for op in ("<", "<=", ">", ">="):
        assert not Rule("area", op, "200").holds({"area": value}), op
        assert not Rule("area", op, value).holds({"area": "80"}), op
    assert Rule("area", "!=", "200").holds({"area": value})


def test_filled_ignores_blank_text_and_empty_values():
    for blank in ("", "   ", None, [], False):
        assert not Rule("x", "filled", "").holds({"x": blank}), repr(blank)
    for given in ("a", 0, ["a"], True):
        assert Rule("x", "filled", "").holds({"x": given}), repr(given)


def test_unmet_lists_the_rules_the_form_does_not_meet():
    assert unmet("area <= 200\nphone filled", FORM) == []
    assert unmet("area <= 50\nphone filled\nnote filled", FORM) == [Rule("area", "<=", "50"),
                                                                    Rule("note", "filled", "")]
    assert unmet("area <= 200", {}) == [Rule("area", "<=", "200")]


def test_unreadable_rules_are_never_met():
    assert unmet("area 200", FORM) == [Rule("rules", "=", "invalid")]


def test_an_item_version_refuses_unreadable_rules(dept_x):
    version = _version(dept_x, "area 200")
    with pytest.raises(ValidationError) as error:
        version.clean()
    assert "auto_rules" in error.value.message_dict
    _version(dept_x, "area <= 200\nphone filled").clean()


def _version(department, rules):
    from items.models import Item, ItemVersion

    item = Item(department=department, implementation_code="AUTO-1", basic_code="1")
    return ItemVersion(item=item, number=1, name="测试", item_type="licensing", service_object="both",
                       auto_rules=rules)


def test_operators_are_documented():
    assert set(auto_rules.OPERATORS) == {"<=", ">=", "!=", "=", "<", ">", "in", "filled"}
