import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.demo import make_id_number
from portal.validators import (
    USCC_ALPHABET,
    is_valid_id_number,
    is_valid_uscc,
    mask_id_number,
    uscc_check_character,
)


@pytest.mark.parametrize("code", [
    "91110000100006184R",  # an enterprise (91) in Beijing
    "11100000000013127D",  # a State Council organ (11)
    "Y2440101MA59C8XQ5Y",  # registration authority 'Y' (其他), which python-stdnum's cn.uscc rejects
])
def test_valid_codes_including_those_starting_with_a_letter(code):
    assert is_valid_uscc(code[:17] + uscc_check_character(code[:17]))


@pytest.mark.parametrize("code", ["", "9111000010000618", "91110000100006184I", "9111000010000618OR", "x" * 18])
def test_malformed_codes(code):
    assert not is_valid_uscc(code)


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17),
       st.integers(0, 16), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_change_is_caught(first17, position, replacement):
    code = first17 + uscc_check_character(first17)
    assert is_valid_uscc(code)
    changed = code[:position] + replacement + code[position + 1:]
    assert is_valid_uscc(changed) == (changed == code)


def test_id_numbers():
    good = make_id_number("33052119900101123")
    assert is_valid_id_number(good)
    assert not is_valid_id_number(good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert not is_valid_id_number("330521199013011230")  # month 13


def test_masking_shows_only_the_ends():
    assert mask_id_number("110105199001011232") == "110***********1232"
    assert mask_id_number("") == ""
    assert mask_id_number("12345") == "*****"
