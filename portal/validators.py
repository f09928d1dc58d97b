"""Identity numbers (DOMAIN.md §9) and their masking (PIPL Arts. 28, 51)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

# GB 32100-2015: the 31 characters of the code, in the order that gives each its value.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def uscc_check_character(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 for its first 17 (C18 = 31 − Σ Ci·Wi mod 31; 31 → '0')."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    # python-stdnum's cn.uscc rejects letters in the first 8 positions, which real codes have
    # (e.g. 'Y' for 其他 registrations), so the whole check is done here by the standard.
    value = (value or "").strip().upper()
    if len(value) != 18 or any(c not in USCC_ALPHABET for c in value):
        return False
    return uscc_check_character(value[:17]) == value[17]


def validate_uscc(value: str) -> None:
    if value and not is_valid_uscc(value):
        raise ValidationError(
            _("统一社会信用代码无效：应为18位（数字和大写字母，不含I、O、Z、S、V），且校验位正确。"),
            code="invalid_uscc",
        )


def is_valid_id_number(value: str) -> bool:
    """居民身份证号码 (GB 11643-1999): check digit, birth date and region, by python-stdnum."""
    try:
        ric.validate(value)
    except StdnumError:
        return False
    return True


def validate_id_number(value: str) -> None:
    if value and not is_valid_id_number(value):
        raise ValidationError(
            _("身份证号码无效：应为18位，出生日期和校验位正确。"), code="invalid_id_number"
        )


def mask_id_number(value: str) -> str:
    """110***********1234: enough to recognise one's own number, not enough to use someone else's."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
