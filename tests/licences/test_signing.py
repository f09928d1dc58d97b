"""PAdES signatures: a rendered licence is signed by its department's certificate under the trusted CA; the check
tells a changed, extended, foreign-signed, unsigned or broken PDF apart, and never raises. Without keys nothing is
signed: the licence waits in `rendering` and the sweep makes it once the keys are there."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from licences import signing
from licences.models import Licence, Status
from licences.rendering import render_licence_pdf
from licences.services import licence_render
from licences.signing import SigningUnavailable
from licences.sweeps import licence_sweep
from portal.models import Department
from tests.licences.test_issue_flow import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(licence_version):
    licence = licence_render(licence_id=issue(licence_version).pk)
    assert licence.status == Status.VALID
    return licence, licence.pdf.read()


def byte_range(pdf: bytes) -> list[int]:
    start = pdf.index(b"/ByteRange")
    numbers = pdf[start:start + 80].split(b"[", 1)[1].split(b"]", 1)[0].split()
    return [int(n) for n in numbers]


def test_a_rendered_licence_carries_a_trusted_pades_signature_of_its_department(signed):
    licence, pdf = signed
    check = signing.check(pdf)
    assert check.ok, check
    assert check.signed and check.intact and check.covers_all and check.trusted
    assert "部门X" in check.signer
    assert "部门X" in licence.signer
    assert b"/SubFilter /ETSI.CAdES.detached" in pdf  # PAdES, not the older adbe.pkcs7.detached


def test_a_byte_changed_inside_the_signed_range_is_caught(signed):
    _licence, pdf = signed
    first_start, first_length, _second_start, _second_length = byte_range(pdf)
    # A byte well inside the first signed range, in the page content rather than the header.
    position = first_start + first_length // 2
    changed = bytearray(pdf)
    changed[position] = (changed[position] + 1) % 256
    check = signing.check(bytes(changed))
    assert not check.ok
    assert not check.intact


@pytest.mark.parametrize("position", [20, 200, 2000])
def test_any_changed_byte_makes_it_not_ok_and_never_raises(signed, position):
    _licence, pdf = signed
    changed = bytearray(pdf)
    changed[position] = ord("#") if changed[position] != ord("#") else ord("%")
    check = signing.check(bytes(changed))
    assert not check.ok
    assert not check.signed or not check.intact


def test_an_update_appended_after_signing_does_not_cover_the_whole_file(signed):
    _licence, pdf = signed
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    check = signing.check(out.getvalue())
    assert check.signed and check.intact and check.trusted
    assert not check.covers_all and not check.ok


def test_a_certificate_from_another_ca_is_not_trusted(settings, tmp_path, licence_version):
    licence = issue(licence_version)
    unsigned = render_licence_pdf(licence)
    trusted_dir = settings.LICENCE_SIGNING_DIR
    settings.LICENCE_SIGNING_DIR = tmp_path / "forger"  # a second demo CA, made on demand there
    forged, _signer = signing.sign(unsigned, licence.department, reason="forged")
    assert (tmp_path / "forger" / signing.CA_FILE).read_bytes() != (Path(trusted_dir) / signing.CA_FILE).read_bytes()
    settings.LICENCE_SIGNING_DIR = trusted_dir
    check = signing.check(forged)
    assert check.signed and check.intact and check.covers_all
    assert not check.trusted and not check.ok
    assert "部门X" in check.signer  # the name alone proves nothing


def test_an_unsigned_pdf_is_not_signed(licence_version):
    check = signing.check(render_licence_pdf(issue(licence_version)))
    assert not check.signed and not check.ok


@pytest.mark.parametrize("data", [b"", b"garbage", b"%PDF-1.7\n%%EOF", b"%PDF-1.7\n" + b"\x00" * 500,
                                  "证照".encode() * 100])
def test_garbage_is_not_signed_and_does_not_raise(data):
    check = signing.check(data)
    assert not check.signed and not check.ok


def test_a_truncated_signed_pdf_does_not_raise(signed):
    _licence, pdf = signed
    for cut in (len(pdf) // 2, len(pdf) - 10):
        assert not signing.check(pdf[:cut]).ok


# --- without keys ------------------------------------------------------------------------------------------------
def test_without_keys_in_production_the_licence_waits_and_the_sweep_makes_it_later(settings, tmp_path,
                                                                                    licence_version):
    settings.LICENCE_SIGNING_DIR = tmp_path / "mounted"
    settings.LICENCE_DEMO_PKI = False
    licence = issue(licence_version)
    with pytest.raises(SigningUnavailable):
        signing.sign(b"%PDF", licence.department, reason="x")
    with pytest.raises(SigningUnavailable):
        licence_render(licence_id=licence.pk)
    licence.refresh_from_db()
    assert licence.status == Status.RENDERING and not licence.pdf and licence.pdf_sha256 == ""
    assert not (tmp_path / "mounted").exists()  # no demo CA made behind production's back

    # The task gave up; an hour later the sweep tries again: still no key — logged, nothing raised.
    Licence.objects.filter(pk=licence.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert licence_sweep(today=timezone.localdate())["rendered"] == 0
    assert Licence.objects.get(pk=licence.pk).status == Status.RENDERING

    # The operator installs the certificates (here: the demo command); the next sweep makes the licence.
    call_command("licence_demo_pki", stdout=io.StringIO())
    assert licence_sweep(today=timezone.localdate())["rendered"] == 1
    licence.refresh_from_db()
    assert licence.status == Status.VALID and signing.check(licence.pdf.read()).ok
    assert licence_sweep(today=timezone.localdate())["rendered"] == 0


def test_a_licence_being_made_is_left_to_its_task_for_a_while(licence_version):
    licence = issue(licence_version)
    assert licence_sweep(today=timezone.localdate())["rendered"] == 0
    assert Licence.objects.get(pk=licence.pk).status == Status.RENDERING


def test_rendering_twice_stores_one_file(licence_version, media_root):
    licence = issue(licence_version)
    first = licence_render(licence_id=licence.pk)
    again = licence_render(licence_id=licence.pk)
    assert again.pdf.name == first.pdf.name
    assert len(list(Path(media_root, "licences").rglob("*.pdf"))) == 1


def test_a_render_that_loses_the_race_deletes_its_file(licence_version, media_root, monkeypatch):
    """Two deliveries render at once: the one that finds the licence made already under the lock removes its
    own file, so only the stored PDF stays."""
    licence = issue(licence_version)
    from licences import services

    real_sign = signing.sign

    def sign_then_lose(pdf, department, *, reason):
        out = real_sign(pdf, department, reason=reason)
        monkeypatch.setattr(services.signing, "sign", real_sign)
        licence_render(licence_id=licence.pk)  # the other delivery finishes first
        return out

    monkeypatch.setattr(services.signing, "sign", sign_then_lose)
    result = licence_render(licence_id=licence.pk)
    files = list(Path(media_root, "licences").rglob("*.pdf"))
    assert [f.name for f in files] == [Path(result.pdf.name).name]
    assert Licence.objects.get(pk=licence.pk).pdf_sha256


# --- the demo PKI command ----------------------------------------------------------------------------------------
def test_the_demo_pki_command_makes_the_ca_and_department_certificates_once(settings, tmp_path, dept_x, dept_y):
    settings.LICENCE_SIGNING_DIR = tmp_path / "pki"
    out = io.StringIO()
    call_command("licence_demo_pki", stdout=out)
    directory = tmp_path / "pki"
    departments = list(Department.objects.filter(is_active=True))
    assert f"{len(departments)} department certificate(s) issued" in out.getvalue()
    files = {p.name for p in directory.iterdir() if not p.name.startswith(".")}
    expected = {"ca.crt.pem", "ca.key.pem"} | {f"{d.uscc}.{kind}.pem" for d in departments for kind in ("key", "crt")}
    assert files == expected
    assert (directory / "ca.key.pem").stat().st_mode & 0o777 == 0o600
    assert (directory / f"{dept_x.uscc}.key.pem").stat().st_mode & 0o777 == 0o600
    before = {name: (directory / name).read_bytes() for name in files}

    out = io.StringIO()
    call_command("licence_demo_pki", stdout=out)  # idempotent
    assert "0 department certificate(s)" in out.getvalue()
    assert {name: (directory / name).read_bytes() for name in files} == before

    call_command("licence_demo_pki", "--replace", stdout=io.StringIO())
    after = {name: (directory / name).read_bytes() for name in files}
    assert after["ca.crt.pem"] == before["ca.crt.pem"]  # the CA stays: licences signed so far stay trusted
    assert after[f"{dept_x.uscc}.crt.pem"] != before[f"{dept_x.uscc}.crt.pem"]
    assert after[f"{dept_y.uscc}.key.pem"] != before[f"{dept_y.uscc}.key.pem"]


def test_the_demo_pki_command_makes_the_ca_even_without_departments(settings, tmp_path, db):
    Department.objects.update(is_active=False)
    settings.LICENCE_SIGNING_DIR = tmp_path / "pki"
    call_command("licence_demo_pki", stdout=io.StringIO())
    assert (tmp_path / "pki" / "ca.crt.pem").is_file()


def test_a_department_with_a_long_chinese_name_can_sign(licence_version):
    """X.509 names hold 64 bytes, 21 Chinese characters: a county bureau's full name is longer."""
    department = licence_version.item.department
    department.name = "浙江省湖州市吴兴区市场监督管理局食品经营许可审批科（行政审批服务窗口）"
    department.save(update_fields=["name"])
    licence = licence_render(licence_id=issue(licence_version).pk)
    check = signing.check(licence.pdf.read())
    assert check.ok, check
    assert "浙江省湖州市吴兴区" in check.signer and "演示签章" in check.signer
