"""GB/T 36904 identifiers (DOMAIN.md §7): the form, and the ISO 7064 MOD 37,36 check character over the identifier
without its root and dots."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_37_36

from licences.models import IDENTIFIER_ROOT
from licences.services import identifier_for, identifier_is_valid
from portal.demo import department_uscc

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FORM = re.compile(r"1\.2\.156\.3005\.2\.([0-9A-Z]{18})(\d{3})\.([0-9A-Z]{18})\.(\d+)\.(\d{3})\.([0-9A-Z])")

DEFINER = department_uscc(1)
ISSUER = department_uscc(2)

usccs = st.text(alphabet=USCC_ALPHABET, min_size=18, max_size=18)
type_codes = st.text(alphabet="0123456789", min_size=3, max_size=3)
serials = st.builds(lambda year, n: f"{year}{n:06d}", st.integers(2000, 2099), st.integers(1, 999_999))


def test_the_identifier_has_the_issued_form():
    identifier = identifier_for(definer_uscc=DEFINER, type_code="001", issuer_uscc=ISSUER, serial="2026000001")
    match = FORM.fullmatch(identifier)
    assert match, identifier
    assert identifier.startswith(f"{IDENTIFIER_ROOT}.")
    assert match.groups()[:5] == (DEFINER, "001", ISSUER, "2026000001", "001")


def test_the_check_character_is_mod_37_36_over_the_identifier_without_root_and_dots():
    identifier = identifier_for(definer_uscc=DEFINER, type_code="001", issuer_uscc=ISSUER, serial="2026000001")
    body, check = identifier[len(IDENTIFIER_ROOT) + 1:].rsplit(".", 1)
    assert check == mod_37_36.calc_check_digit(body.replace(".", ""))
    # The whole compact string checks out as stdnum sees it; with the root kept in, it would be another.
    assert mod_37_36.is_valid(body.replace(".", "") + check)


def test_a_changed_character_or_check_is_refused():
    identifier = identifier_for(definer_uscc=DEFINER, type_code="001", issuer_uscc=ISSUER, serial="2026000001")
    assert identifier_is_valid(identifier)
    assert identifier_is_valid(identifier.lower())  # as typed by someone reading it off paper
    check = identifier[-1]
    other = "0" if check != "0" else "1"
    assert not identifier_is_valid(identifier[:-1] + other)
    serial_at = identifier.index("2026000001")
    assert not identifier_is_valid(identifier[:serial_at] + "2026000002" + identifier[serial_at + 10:])
    assert not identifier_is_valid(identifier.replace(IDENTIFIER_ROOT, "1.2.156.3005.3"))
    for broken in ("", "1.2.156.3005.2.", identifier + ".0", identifier.replace(".", "", 6), "垃圾"):
        assert not identifier_is_valid(broken)


@given(definer=usccs, issuer=usccs, type_code=type_codes, serial=serials, data=st.data())
def test_property_every_identifier_made_is_valid_and_every_single_change_is_caught(
        definer, issuer, type_code, serial, data):
    identifier = identifier_for(definer_uscc=definer, type_code=type_code, issuer_uscc=issuer, serial=serial)
    assert FORM.fullmatch(identifier), identifier
    assert identifier_is_valid(identifier)
    # Change one character after the root (not a dot): the form or the check catches it (MOD 37,36 catches
    # every single substitution, so a digit for a digit in the serial is caught too).
    start = len(IDENTIFIER_ROOT) + 1
    positions = [i for i in range(start, len(identifier)) if identifier[i] != "."]
    i = data.draw(st.sampled_from(positions))
    digits_only = identifier[i].isdigit() and data.draw(st.booleans())
    alphabet = "0123456789" if digits_only else ALPHANUMERIC
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != identifier[i]]))
    changed = identifier[:i] + replacement + identifier[i + 1:]
    assert not identifier_is_valid(changed), (identifier, changed)


@pytest.mark.django_db
def test_issued_licences_carry_valid_identifiers(approved_case):
    from licences.models import Licence

    licence = Licence.objects.get()
    assert identifier_is_valid(licence.identifier)
    match = FORM.fullmatch(licence.identifier)
    assert match
    department = licence.department
    assert match.group(1) == department.uscc and match.group(3) == department.uscc
    assert match.group(2) == licence.version.licence_type_code
    assert match.group(4) == f"{licence.year}{licence.serial:06d}"
    assert licence.type_code == department.uscc + licence.version.licence_type_code
