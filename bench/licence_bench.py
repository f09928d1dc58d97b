"""Benchmarks of licences (issue 6), each reported against a floor measured in the same run (no thresholds).

    .venv/bin/python bench/licence_bench.py                # a fresh SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/licence_bench.py
    options: --pdfs 20   --issues 300

bench/run.py runs it in a subprocess with a temp dir of its own (PORTAL_VAR_DIR: the SQLite file, the demo CA and
department certificates, the media). On PostgreSQL it writes to the database named by DATABASE_URL (keep that a
scratch database): a department BENCH-LIC, its item and the licences issued stay, like the review bench's cases.

1. The licence PDF: `render_licence_pdf` (the default layout with CJK text, the drawn seal and the QR code, through
   the static-only URL fetcher) and `signing.sign` (PAdES with the department's demo certificate), beside the floor
   of a minimal WeasyPrint page (`HTML(string="<p>x</p>").write_pdf()`); the three run in turn in each round, so
   whatever else the machine does weighs on all of them alike. Median and best of N rounds, and ratios.
2. Issuing (numbering): `licence_issue` one after another for one department (the counter row locked, the licence
   row, its audit row and outbox message written, in one transaction), beside the floor of a transaction that
   inserts one row. Nothing is rendered (OUTBOX_PUBLISH_ON_COMMIT off): the numbering is what is measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEM_CODE = "BENCH-LIC-001"
DEPARTMENT_CODE = "BENCH-LIC"
CONTENT = {
    "name": "食品经营许可（基准测试）", "item_type": "licensing", "service_object": "both",
    "legal_basis": "《中华人民共和国食品安全法》第三十五条", "conditions": "有与经营的食品品种相适应的场所",
    "statutory_limit": 20, "promised_limit": 10, "result_type": "licence",
    "result_name": "食品经营许可证（有效期5年）", "licence_validity_months": 60,
}
FORM_FIELDS = [
    {"key": "shop_name", "label": "经营场所名称", "field_type": "text"},
    {"key": "address", "label": "经营地址", "field_type": "address"},
    {"key": "scope", "label": "经营项目", "field_type": "text"},
]
MATERIALS = [{"name": "食品经营许可申请书", "required": True}]
FACTS = [["经营场所名称", "湖州市吴兴区老街小吃店"], ["经营地址", "浙江省湖州市吴兴区人民路1号"],
         ["经营项目", "预包装食品销售（含冷藏冷冻食品）、热食类食品制售、冷食类食品制售"]]


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        return f"PostgreSQL {settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    return "SQLite"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} CPUs"


def prepare() -> Any:
    """The database migrated, the work calendar loaded, a department and its published licence item (through the
    services, four eyes). Returns the item's published version."""
    import contextlib
    import io

    from django.core.management import call_command

    from items.models import Item
    from items.services import item_create, version_approve, version_submit
    from portal.demo import department_uscc
    from portal.models import CalendarYear, Department, Role, User
    from portal.services.calendar import calendar_seed_from_package

    with contextlib.redirect_stdout(io.StringIO()):
        call_command("migrate", "--noinput", verbosity=0)
    if not CalendarYear.objects.exists():
        calendar_seed_from_package()
    department, _ = Department.objects.get_or_create(
        code=DEPARTMENT_CODE, defaults={"name": "湖州市市场监管局（基准）", "short_name": "基准市场监管",
                                        "uscc": department_uscc(990)})
    item = Item.objects.filter(implementation_code=ITEM_CODE).select_related("published").first()
    if item is not None and item.published is not None:
        return item.published
    editor, _ = User.objects.get_or_create(username="bench_catalogue", defaults={"role": Role.CATALOGUE_ADMIN})
    reviewer, _ = User.objects.get_or_create(username="bench_catalogue2", defaults={"role": Role.CATALOGUE_ADMIN})
    draft = item_create(actor=editor, department=department, implementation_code=ITEM_CODE,
                        basic_code="000000009998", content=CONTENT, materials=MATERIALS,
                        form_fields=FORM_FIELDS, steps=[{"name": "审查"}])
    version_submit(actor=editor, version=draft)
    return version_approve(actor=reviewer, version=draft)


def _issue(version: Any, source: str) -> Any:
    from django.utils import timezone

    from licences.models import HolderCodeType
    from licences.services import licence_issue

    return licence_issue(source=source, version=version, holder_name="湖州市吴兴区老街小吃店（张晓明）",
                         holder_code="11010519491231002X", holder_code_type=HolderCodeType.RESIDENT_ID,
                         decided_on=timezone.localdate(), application_number="BENCH", facts=FACTS)


# --- 1. the PDF ------------------------------------------------------------------------------------------------
def pdf_bench(version: Any, rounds: int, run: str) -> None:
    from weasyprint import HTML

    from licences import signing
    from licences.rendering import render_licence_pdf

    licence = _issue(version, f"bench-pdf-{run}")
    department = licence.department
    # Warm-up: fonts loaded, the seal drawn and cached, the demo CA and the department's certificate made.
    unsigned = render_licence_pdf(licence)
    signed, signer = signing.sign(unsigned, department, reason="warm-up")
    HTML(string="<p>x</p>").write_pdf()
    assert signing.check(signed).ok, "the signed licence does not check out"

    floor, render, sign = [], [], []
    for _ in range(rounds):
        begin = time.perf_counter()
        HTML(string="<p>x</p>").write_pdf()
        floor.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        unsigned = render_licence_pdf(licence)
        render.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        signed, _signer = signing.sign(unsigned, department, reason=f"{licence.name} {licence.number}")
        sign.append(time.perf_counter() - begin)
    both = [r + s for r, s in zip(render, sign, strict=True)]
    floor_median = statistics.median(floor)

    print(f"\n== licence PDF, {rounds} rounds ({database_label()}; {load()}) ==")
    print(f"  (one licence: {len(unsigned):,} bytes unsigned, {len(signed):,} signed; signer: {signer}; "
          f"median (best) per call, in the same rounds)")
    rows = [
        ("minimal WeasyPrint page <p>x</p> (floor)", floor),
        ("licence PDF: render_licence_pdf", render),
        ("signature only: signing.sign (PAdES)", sign),
        ("licence PDF rendered and signed", both),
    ]
    for label, times in rows:
        median = statistics.median(times)
        print(f"  {label:<44} {median * 1000:8.1f} ms ({min(times) * 1000:7.1f})   x{median / floor_median:5.1f} "
              f"of floor")


# --- 2. issuing ------------------------------------------------------------------------------------------------
def _rate(action: Callable[[int], Any], count: int) -> float:
    begin = time.perf_counter()
    for i in range(count):
        action(i)
    return count / (time.perf_counter() - begin)


def issue_bench(version: Any, count: int, run: str) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from licences.models import Licence, LicenceCounter
    from portal.models import OutboxMessage

    def floor(i: int) -> None:
        with transaction.atomic():
            OutboxMessage.objects.create(task="bench.floor", kwargs={"i": i})

    def issue(i: int) -> None:
        _issue(version, f"bench-{run}-{i}")

    warm = 20
    _rate(floor, warm)
    _rate(lambda i: issue(count + i), warm)
    floor_rate = _rate(floor, count)
    issue_rate = _rate(issue, count)
    floor_after = _rate(floor, count)
    floor_rate = max(floor_rate, floor_after)
    with CaptureQueriesContext(connection) as queries:
        issue(count + warm)
    OutboxMessage.objects.filter(task="bench.floor").delete()

    department = version.item.department
    year = timezone.localdate().year
    serials = sorted(Licence.objects.filter(department=department, year=year).values_list("serial", flat=True))
    last = LicenceCounter.objects.get(department=department, year=year).last
    assert serials == list(range(1, last + 1)), "the department's numbers have a gap"
    print(f"\n== issuing: licence_issue one after another, one department, {count} licences "
          f"({database_label()}; {load()}) ==")
    print(f"  (SQL statements for one issue: {len(queries)}, transaction statements included; the department's "
          f"numbers 1..{last} without a gap)")
    print(f"  {'transaction inserting one row (floor)':<44} {floor_rate:8.0f} /s")
    print(f"  {'licence_issue (counter locked, numbered)':<44} {issue_rate:8.0f} /s   "
          f"{issue_rate / floor_rate:5.2f} of floor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=int, default=20, help="rounds of the PDF bench (default 20)")
    parser.add_argument("--issues", type=int, default=300, help="licences issued in the numbering bench (300)")
    parser.add_argument("--only", choices=["pdf", "issue"])
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="portal-bench-licences-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "False")
    import django

    django.setup()
    from django.conf import settings

    settings.OUTBOX_PUBLISH_ON_COMMIT = False  # nothing is sent to a broker: the bench calls what it measures
    run = os.urandom(4).hex()  # sources of this run (a PostgreSQL scratch database keeps earlier runs' licences)
    version = prepare()
    if args.only != "issue":
        pdf_bench(version, args.pdfs, run)
    if args.only != "pdf":
        issue_bench(version, args.issues, run)


if __name__ == "__main__":
    main()
