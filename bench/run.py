"""Benchmarks, each reported as a ratio against a floor measured in the same run (no absolute thresholds).

    .venv/bin/python bench/run.py            # the embedded database (a fresh SQLite file in a temp dir)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/run.py

1. The statutory clock: cost of adding N working days and counting over a span, for small and large N and
   for a calendar of 33 and of 133 years, against the floor of plain `date + timedelta`.
2. HTTP throughput through gunicorn on loopback: pages and API endpoints beside /healthz/ (the floor: one
   trivial query) on the same server in the same run, with a catalogue of 3,000 published items.
3. Application submission through the API (start + form + submit in one POST with an idempotency key, as a
   client filing an item with no uploads does), beside the same floor.
4. Review (bench/review_bench.py, in a process of its own): approval actions (claim + approve, with the join)
   through the services beside an in-process floor and through the API beside /healthz/; and the beat sweep's
   selection over 1,000,000 open tasks (100,000 on SQLite) against 10,000, with 1,000 due in both.
5. Licences (bench/licence_bench.py, in a process of its own): the licence PDF (render_licence_pdf, CJK text, seal
   and QR code) and its PAdES signature beside a minimal WeasyPrint page rendered in the same rounds; issuing
   (numbering under the department's counter lock) beside a transaction inserting one row.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import timeit
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def clock_bench() -> None:
    from chinese_calendar import constants as cc

    from portal.clock import WorkCalendar
    from portal.models import DayKind

    days = {d: DayKind.HOLIDAY for d in cc.holidays} | {d: DayKind.MAKEUP_WORKDAY for d in cc.workdays}
    known = range(2004, max(cc.holidays).year + 1)
    small = WorkCalendar.from_days(days, known, first_year=2004, last_year=known.stop - 1 + 10)
    large = WorkCalendar.from_days(days, known, first_year=1904, last_year=known.stop - 1 + 10)
    start = date(2020, 3, 2)
    n = 200_000

    def per_call(stmt) -> float:
        return min(timeit.repeat(stmt, number=n, repeat=5)) / n * 1e9

    floor = per_call(lambda: start + timedelta(days=20))
    rows = [
        ("date + timedelta (floor)", floor),
        ("add 1 working day, 33-year calendar", per_call(lambda: small.add_working_days(start, 1))),
        ("add 1000 working days, 33-year calendar", per_call(lambda: small.add_working_days(start, 1000))),
        ("add 1000 working days, 133-year calendar", per_call(lambda: large.add_working_days(start, 1000))),
        ("count over 1 year", per_call(lambda: small.working_days_between(start, date(2021, 3, 2)))),
        ("count over 20 years", per_call(lambda: small.working_days_between(date(2004, 1, 5), date(2024, 1, 5)))),
    ]
    print("\n== statutory clock (ns per call, ratio to floor) ==")
    for name, ns in rows:
        print(f"  {name:<44} {ns:9.0f} ns   x{ns / floor:6.1f}")


PAD_CATALOGUE = """
from items.demo import pad_catalogue
from items.models import Item
from portal.models import Department
pad_catalogue(department=Department.objects.get(code="ZWB"), count=3000 - Item.objects.count())
"""


# An item whose form is filled online and whose materials the authority obtains itself (nothing to upload):
# what a fully online filing posts. Published by one administrator, reviewed by the other.
BENCH_ITEM = """
from applications.services.applicants import applicant_for_user
from items.models import Item
from items.services import item_create, version_approve, version_submit
from portal.models import Department, User
from portal.services.accounts import token_for
editor, reviewer = User.objects.get(username="demo_catalogue"), User.objects.get(username="demo_catalogue2")
if not Item.objects.filter(implementation_code="BENCH-SUBMIT").exists():
    draft = item_create(actor=editor, department=Department.objects.get(code="SCJG"),
        implementation_code="BENCH-SUBMIT", basic_code="000000009999",
        content={"name": "基准测试事项", "item_type": "filing", "service_object": "both",
                 "legal_basis": "基准测试", "conditions": "无", "statutory_limit": 20, "promised_limit": 5},
        materials=[{"name": "营业执照", "required": True, "source": "licence_library"}],
        form_fields=[{"key": "shop_name", "label": "名称", "field_type": "text"},
                     {"key": "address", "label": "地址", "field_type": "address"},
                     {"key": "area", "label": "面积", "field_type": "number", "min_value": 1},
                     {"key": "phone", "label": "电话", "field_type": "phone"}],
        steps=[{"name": "受理"}])
    version_submit(actor=editor, version=draft)
    version_approve(actor=reviewer, version=draft)
user = User.objects.get(username="demo_applicant")
applicant_for_user(user=user)
print(token_for(user=user).key)
"""
SUBMISSION = {"item": "BENCH-SUBMIT", "submit": True,
              "form_data": {"shop_name": "湖州小吃店", "address": "湖州市吴兴区人民路1号", "area": "80",
                            "phone": "13905720001"}}


def _submit_hammer(url: str, token: str, requests: int, concurrency: int) -> float:
    body = json.dumps(SUBMISSION).encode()
    run = os.urandom(4).hex()

    def one(i):
        request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 (loopback)
            "Authorization": f"Token {token}", "Content-Type": "application/json",
            "Idempotency-Key": f"bench-{run}-{i}"})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
            payload = json.loads(response.read())
            assert response.status == 201 and payload["status"] == "submitted", (response.status, payload)

    begin = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(requests)))
    return requests / (time.perf_counter() - begin)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hammer(url: str, requests: int, concurrency: int) -> float:
    def one(_):
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback only)
            response.read()
            assert response.status == 200, response.status

    begin = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(requests)))
    return requests / (time.perf_counter() - begin)


def http_bench(requests: int = 600, concurrency: int = 4) -> None:
    var = tempfile.mkdtemp(prefix="portal-bench-")
    env = {**os.environ, "PORTAL_VAR_DIR": var, "DEBUG": "False", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    # A city-sized catalogue: the demo's real items plus generated ones, 3,000 in all.
    subprocess.run([python, "manage.py", "shell", "-c", PAD_CATALOGUE], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    token = subprocess.run([python, "manage.py", "shell", "-c", BENCH_ITEM], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(python).parent / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        paths = [
            ("/healthz/ (floor)", "/healthz/"),
            ("home page", "/"),
            ("due-date page", "/calendar/?start=2025-09-30&days=20"),
            ("API: due date", "/api/v1/calendar/due/?start=2025-09-30&days=20"),
            ("API: a month of the calendar", "/api/v1/calendar/?start=2025-10-01&end=2025-10-31"),
            ("catalogue search (spjy)", "/items/?q=spjy"),
            ("catalogue search, typo (shipinjinying)", "/items/?q=shipinjinying"),
            ("service guide page", "/items/11330500000000002C01002000100001/"),
            ("API: item search", "/api/v1/items/?search=spjy"),
            ("API: item detail", "/api/v1/items/11330500000000002C01002000100001/"),
        ]
        for _label, path in paths:  # warm up every worker
            _hammer(base + path, 20, concurrency)
        print(f"\n== HTTP through gunicorn, 2 workers, {requests} requests x {concurrency} clients "
              f"({os.environ.get('DATABASE_URL', 'SQLite').split('@')[-1]}) ==")
        floor = None
        for label, path in paths:
            rate = _hammer(base + path, requests, concurrency)
            floor = floor or rate
            print(f"  {label:<40} {rate:8.0f} req/s   {rate / floor:5.2f} of floor")
        assert floor is not None
        _submit_hammer(base + "/api/v1/applications/", token, 20, concurrency)  # warm up
        submissions = requests // 2
        rate = _submit_hammer(base + "/api/v1/applications/", token, submissions, concurrency)
        print(f"  {'API: submit an application (POST)':<40} {rate:8.0f} req/s   {rate / floor:5.2f} of floor"
              f"   ({submissions} applications)")
    finally:
        server.terminate()
        server.wait(timeout=20)


def review_bench() -> None:
    """In a process of its own with a temp dir of its own: the SQLite file, the embedded broker, mail."""
    sys.stdout.flush()
    env = {**os.environ, "PORTAL_VAR_DIR": tempfile.mkdtemp(prefix="portal-bench-review-"), "DEBUG": "False",
           "DJANGO_SETTINGS_MODULE": "portal.settings"}
    subprocess.run([sys.executable, str(ROOT / "bench" / "review_bench.py")], cwd=ROOT, env=env, check=True)


def licence_bench() -> None:
    """In a process of its own with a temp dir of its own: the SQLite file, the demo CA and certificates, media."""
    sys.stdout.flush()
    env = {**os.environ, "PORTAL_VAR_DIR": tempfile.mkdtemp(prefix="portal-bench-licences-"), "DEBUG": "False",
           "DJANGO_SETTINGS_MODULE": "portal.settings"}
    subprocess.run([sys.executable, str(ROOT / "bench" / "licence_bench.py")], cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    clock_bench()
    http_bench()
    review_bench()
    licence_bench()
