"""An item's form fields become a form that validates what the applicant types, with no code per item."""

import pytest

from items.application_form import application_form
from items.models import FormField
from items.selectors import bundle_merged_form
from portal.demo import make_id_number, make_uscc

# The demo catalogue is built once for this module (tests/items/conftest.py); every test sees it.
pytestmark = pytest.mark.usefixtures("demo_catalogue")


def _fields():
    return [
        FormField(key="name", label="申请人", field_type="text", required=True, max_length=20),
        FormField(key="id", label="身份证号码", field_type="id_number", required=True),
        FormField(key="code", label="统一社会信用代码", field_type="uscc", required=False),
        FormField(key="phone", label="联系电话", field_type="phone", required=True),
        FormField(key="area", label="经营面积", field_type="number", required=True, min_value=1, max_value=10000),
        FormField(key="kind", label="经营类别", field_type="choice", required=True, choices=["餐饮", "零售"]),
        FormField(key="opening", label="开业日期", field_type="date", required=False),
    ]


GOOD = {"name": "张晓明", "id": make_id_number("33052119900101123"), "code": make_uscc("91330502MA2B3C4D5"),
        "phone": "13800000000", "area": "120", "kind": "餐饮", "opening": "2026-12-01"}


def test_a_valid_application_passes():
    form = application_form(_fields())(data=GOOD)
    assert form.is_valid(), form.errors
    assert list(form.fields) == ["name", "id", "code", "phone", "area", "kind", "opening"]


@pytest.mark.parametrize("field, value", [
    ("name", ""), ("name", "张" * 21), ("id", "330521199001011230"), ("code", "91330502MA2B3C4D5X"),
    ("phone", "12345"), ("area", "0"), ("area", "abc"), ("kind", "批发"), ("opening", "2026-02-30"),
])
def test_each_bad_value_is_an_error_on_its_field(field, value):
    form = application_form(_fields())(data={**GOOD, field: value})
    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_a_bundle_asks_each_shared_field_once(demo_catalogue):
    from items.models import Bundle

    bundle = Bundle.objects.get(name__startswith="开办餐饮店")
    merged = bundle_merged_form(bundle)
    form_class = application_form(row["field"] for row in merged)
    assert len(form_class.base_fields) == len(merged)
    assert len(set(form_class.base_fields)) == len(form_class.base_fields)
