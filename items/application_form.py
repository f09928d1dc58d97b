"""An item's application form (申请表) built from its form fields, so intake needs no code per item.

`application_form(fields)` returns a Django form class for a version's fields, or for a bundle's merged
fields (each key asked once). Validation is server-side; the widgets carry the same limits as HTML
attributes so the browser helps first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from items.models import FieldType, FormField
from portal.uploads import validate_document
from portal.validators import validate_id_number, validate_uscc

# Mainland mobile numbers, or a landline with its area code (e.g. 0572-2345678).
validate_phone = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$", _("请输入11位手机号码，或带区号的固定电话（如 0572-2345678）。")
)


class _UploadField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if value and hasattr(value, "content_type"):
            validate_document(value)
        return value


def _field(spec: FormField) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "required": spec.required, "help_text": spec.help_text}
    kind = spec.field_type
    if kind == FieldType.NUMBER:
        return forms.DecimalField(min_value=spec.min_value, max_value=spec.max_value, **common)
    if kind == FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), **common)
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in spec.choices]], **common)
    if kind == FieldType.ID_NUMBER:
        return forms.CharField(max_length=18, min_length=18, validators=[validate_id_number],
                               widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}), **common)
    if kind == FieldType.USCC:
        return forms.CharField(max_length=18, min_length=18, validators=[validate_uscc], **common)
    if kind == FieldType.PHONE:
        return forms.CharField(max_length=20, validators=[validate_phone],
                               widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}), **common)
    if kind == FieldType.ADDRESS:
        return forms.CharField(max_length=spec.max_length or 200,
                               widget=forms.TextInput(attrs={"autocomplete": "street-address"}), **common)
    if kind == FieldType.FILE:
        return _UploadField(**common)
    return forms.CharField(max_length=spec.max_length or 500, **common)


def application_form(fields: Iterable[FormField], *, name: str = "ApplicationForm") -> type[forms.Form]:
    """A form class with one Django field per form field, in order; a key given twice is asked once."""
    declared: dict[str, forms.Field] = {}
    for spec in fields:
        if spec.key not in declared:
            declared[spec.key] = _field(spec)
        elif spec.required:
            declared[spec.key].required = True
    return type(name, (forms.Form,), declared)
