"""Benchmarks of review (issue 5), each reported against a baseline measured in the same run (no thresholds).

    .venv/bin/python bench/review_bench.py          # a fresh SQLite file in a temp dir; sweep 100,000 vs 10,000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/review_bench.py
                                                    # PostgreSQL; sweep 1,000,000 vs 10,000
    options: --only approvals|sweep   --tasks 200   --sweep-size 1000000

bench/run.py runs it in a subprocess with a temp dir of its own (PORTAL_VAR_DIR: the SQLite file, the embedded
broker, mail), so your var/ is never touched. On PostgreSQL it writes to the database named by DATABASE_URL
(keep that a scratch database): the approval cases stay, like the applications the HTTP bench files; the sweep's
rows are deleted again at the end.

1. Approval actions, in process through the services (no HTTP): for each task of a single-department item,
   fetch it as the reviewer may see it (`task_get_for_user`) and `task_claim`, then fetch again and
   `task_approve` (the join: the case row is locked, the stage closes, the case goes to the lead department's
   decision and its staff are told). Actions per second beside the floor: in a transaction, lock one row with
   select_for_update and save it — the least a state change can cost on this database.
   When the review API answers on /api/v1/tasks/{id}/claim/, the same actions through gunicorn follow, beside
   /healthz/ on the same server.
2. The sweep's selection (`tasks_deemed_due`, `tasks_reminder_due`: the queries, not the acting) over 10,000
   open tasks of which 1,000 are due, then over 1,000,000 open tasks (100,000 on SQLite) with the same 1,000
   due: the 990,000 tasks added are open, not due, and sit in the partial indexes too (due later, with a
   reminder date), so only the index range that is due is read. Ratio big/small ≈ 1 means the cost follows
   what is due, not what exists. The plans are printed (EXPLAIN ANALYZE / EXPLAIN QUERY PLAN), and the same
   SQL with index scans switched off as a reference.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import BENCH_ITEM, SUBMISSION, _free_port  # noqa: E402  (bench/run.py: the same item as the HTTP bench)

DUE = 1_000
SMALL = 10_000
SWEEP_CODE = "BENCHSWEEP-"  # departments made for the sweep (and removed after it)
SWEEP_STAGE = "bench-sweep"
MAX_STAGES_PER_CASE = 30_000  # Stage.order is a smallint on PostgreSQL


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        return f"PostgreSQL {settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    return "SQLite"


def load() -> str:
    """Other work on the machine moves every figure (ratios less than absolute rates): say how busy it was."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} CPUs"


# --- data, made through the services as people make it ------------------------------------------------------
def prepare() -> None:
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("seed_demo")
        call_command("shell", command=BENCH_ITEM)  # the BENCH-SUBMIT item of 市场监管 (SCJG), online, no uploads


def open_cases(count: int) -> list[int]:
    """`count` applications of BENCH-SUBMIT filed online, accepted at the window and opened (one task each, for
    SCJG, where demo_reviewer works). Returns the task ids."""
    from applications.services import filing
    from applications.services.applicants import applicant_for_user
    from applications.services.intake import application_accept
    from approvals.services.cases import case_open
    from items.models import Item
    from portal.models import User

    user = User.objects.get(username="demo_applicant")
    clerk = User.objects.get(username="demo_clerk")
    applicant = applicant_for_user(user=user)
    version = Item.objects.get(implementation_code="BENCH-SUBMIT").published
    tasks: list[int] = []
    for _ in range(count):
        application = filing.application_start(actor=user, applicant=applicant, version=version)
        filing.application_save_form(actor=user, application=application, data=SUBMISSION["form_data"])
        application = filing.application_submit(actor=user, application=application)
        application_accept(actor=clerk, application=application)
        case = case_open(application_id=application.pk)
        assert case is not None
        tasks.extend(case.tasks.values_list("pk", flat=True))
    return tasks


# --- 1. approval actions -------------------------------------------------------------------------------------
def _rate(action: Callable[[Any], Any], items: list[Any]) -> float:
    begin = time.perf_counter()
    for item in items:
        action(item)
    return len(items) / (time.perf_counter() - begin)


def approval_bench(count: int) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from approvals.selectors import task_get_for_user
    from approvals.services.tasks import task_approve, task_claim
    from portal.models import Department, User

    warm = 20
    begin = time.perf_counter()
    tasks = open_cases(count + warm + 1)
    made = time.perf_counter() - begin
    counted = tasks.pop()
    reviewer = User.objects.get(username="demo_reviewer")
    department = Department.objects.get(pk=reviewer.department_id)

    def floor(_: Any) -> None:
        with transaction.atomic():
            row = Department.objects.select_for_update().get(pk=department.pk)
            row.save(update_fields=["short_name"])

    def claim(pk: int) -> None:
        task_claim(actor=reviewer, task=task_get_for_user(user=reviewer, pk=pk))

    def approve(pk: int) -> None:
        task_approve(actor=reviewer, task=task_get_for_user(user=reviewer, pk=pk), text="符合法定条件，同意。")

    _rate(floor, list(range(warm)))
    _rate(claim, tasks[:warm])
    _rate(approve, tasks[:warm])
    measured = tasks[warm:]
    floor_rate = _rate(floor, list(range(count)))
    claim_rate = _rate(claim, measured)
    approve_rate = _rate(approve, measured)
    floor_after = _rate(floor, list(range(count)))
    both = 1 / (1 / claim_rate + 1 / approve_rate)
    floor_rate = max(floor_rate, floor_after)
    with CaptureQueriesContext(connection) as claim_queries:
        claim(counted)
    with CaptureQueriesContext(connection) as approve_queries:
        approve(counted)
    print(f"\n== approval actions in process through the services, one client, {count} tasks "
          f"({database_label()}; {load()}) ==")
    print(f"  (setup: {count + warm + 1} applications filed, accepted and opened as cases in {made:.1f} s; "
          f"SQL statements for one claim: {len(claim_queries)}, one approve: {len(approve_queries)}, "
          f"transaction statements included)")
    rows = [
        ("lock + save one row in a transaction (floor)", floor_rate),
        ("claim (task_get_for_user + task_claim)", claim_rate),
        ("approve (task_get_for_user + task_approve, join)", approve_rate),
        ("claim + approve, tasks per second", both),
    ]
    for label, rate in rows:
        print(f"  {label:<50} {rate:8.0f} /s   {rate / floor_rate:5.2f} of floor")
    from approvals.models import CaseStatus, ReviewTask, TaskStatus

    assert ReviewTask.objects.filter(pk__in=[*tasks, counted], status=TaskStatus.APPROVED,
                                     case__status=CaseStatus.DECIDING).count() == len(tasks) + 1
    if api_answers(tasks[0]):
        approval_http_bench(count)
    else:
        print("  (the review API does not answer on /api/v1/tasks/{id}/claim/ yet: no HTTP figures)")


def api_answers(task_id: int) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(f"/api/v1/tasks/{task_id}/claim/")
        resolve(f"/api/v1/tasks/{task_id}/approve/")
    except Resolver404:
        return False
    return True


def _post(url: str, token: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={  # noqa: S310
        "Authorization": f"Token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
        response.read()
        return response.status


def _get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback only)
        response.read()


def approval_http_bench(count: int, concurrency: int = 4) -> None:
    """Claim then approve each task through the API, `concurrency` clients at once, each on its own tasks."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.models import User
    from portal.services.accounts import token_for

    warm = 20
    tasks = open_cases(count + warm + 1)
    counted = tasks.pop()
    token = token_for(user=User.objects.get(username="demo_reviewer")).key
    env = {**os.environ, "DEBUG": "False"}
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(python).parent / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    failures: list[str] = []

    def act(pk: int) -> None:
        for verb, body in (("claim", {}), ("approve", {"text": "符合法定条件，同意。"})):
            try:
                status = _post(f"{base}/api/v1/tasks/{pk}/{verb}/", token, body)
            except urllib.error.HTTPError as exc:
                status = exc.code
                failures.append(f"{verb} {pk}: {exc.code} {exc.read()[:200]!r}")
            assert status < 500, status

    def run(items: list[Any], one: Callable[[Any], None]) -> float:
        begin = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, items))
        return len(items) / (time.perf_counter() - begin)

    try:
        for _ in range(100):
            try:
                _get(base + "/healthz/")
                break
            except OSError:
                time.sleep(0.2)
        run(list(range(40)), lambda _: _get(base + "/healthz/"))
        run(tasks[:warm], act)
        floor = run(list(range(600)), lambda _: _get(base + "/healthz/"))
        pairs = run(tasks[warm:], act)
    finally:
        server.terminate()
        server.wait(timeout=20)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    statements = []
    for verb, body in (("claim", {}), ("approve", {"text": "符合法定条件，同意。"})):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(f"/api/v1/tasks/{counted}/{verb}/", body, content_type="application/json")
        assert response.status_code == 200, (verb, response.status_code, response.content[:300])
        statements.append(len(queries))
    print(f"\n== approval actions through the API (gunicorn, 2 workers, {concurrency} clients, {count} tasks; "
          f"{database_label()}; {load()}) ==")
    print(f"  (each answers with the task's detail; SQL statements for one POST claim: {statements[0]}, "
          f"one POST approve: {statements[1]}, counted in process with the test client)")
    print(f"  {'/healthz/ (floor)':<50} {floor:8.0f} req/s")
    print(f"  {'POST claim + POST approve, requests per second':<50} {2 * pairs:8.0f} req/s   "
          f"{2 * pairs / floor:5.2f} of floor")
    print(f"  {'tasks claimed and approved per second':<50} {pairs:8.0f} /s")
    if failures:
        print(f"  !! {len(failures)} requests refused, e.g. {failures[0]}")
    from approvals.models import ReviewTask, TaskStatus

    approved = ReviewTask.objects.filter(pk__in=tasks, status=TaskStatus.APPROVED).count()
    if approved != len(tasks):
        print(f"  !! only {approved} of the {len(tasks)} tasks ended approved")


# --- 2. the sweep's selection --------------------------------------------------------------------------------
def _execute(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _skip_fk_checks() -> None:
    """Within the current transaction, on PostgreSQL: no foreign-key triggers. The sweep's rows come from joins
    on the tables they reference and nothing references them, so the checks (four per row inserted, four per
    row deleted) prove nothing here and take most of the load and clean-up time. Needs a superuser; without
    one the checks simply run."""
    from django.db import DatabaseError, connection, transaction

    if connection.vendor == "postgresql":
        with contextlib.suppress(DatabaseError), transaction.atomic():
            _execute("SET LOCAL session_replication_role = replica")


def sweep_cleanup() -> None:
    """Remove the sweep's departments, stages and tasks (also what an interrupted run left behind)."""
    from django.db import connection, transaction

    from approvals.models import ReviewTask, Stage
    from portal.models import Department

    task, stage, dept = ReviewTask._meta.db_table, Stage._meta.db_table, Department._meta.db_table
    with transaction.atomic():
        _skip_fk_checks()
        _execute(f"DELETE FROM {task} WHERE department_id IN "  # noqa: S608 (table names from the models)
                 f"(SELECT id FROM {dept} WHERE code LIKE %s)", [SWEEP_CODE + "%"])
        _execute(f"DELETE FROM {task} WHERE stage_id IN (SELECT id FROM {stage} WHERE name = %s)",  # noqa: S608
                 [SWEEP_STAGE])
        _execute(f"DELETE FROM {stage} WHERE name = %s", [SWEEP_STAGE])  # noqa: S608
        _execute(f"DELETE FROM {dept} WHERE code LIKE %s", [SWEEP_CODE + "%"])  # noqa: S608
    if connection.vendor == "postgresql":
        _execute(f"REINDEX TABLE {task}")  # B-tree pages emptied by the delete stay allocated otherwise
        _execute(f"VACUUM ANALYZE {task}")


def _series(lo: int, hi: int) -> tuple[str, str]:
    """(WITH prefix, FROM item) yielding integers r in [lo, hi) as column `r`."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return "", f"generate_series({lo}, {hi - 1}) AS g(r)"
    return f"WITH RECURSIVE g(r) AS (SELECT {lo} UNION ALL SELECT r + 1 FROM g WHERE r + 1 < {hi}) ", "g"  # noqa: S608


def _plus_days(days: str) -> str:
    """SQL for today (the first parameter) plus an integer expression of days."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"(%s::date + ({days}))"
    return f"date(%s, ({days}) || ' days')"


def sweep_insert_stages(case_id: int, lead_department_id: int, count: int, today: date) -> None:
    from django.db import connection

    from approvals.models import Stage

    with_, source = _series(1, count + 1)
    _execute(f"{with_}INSERT INTO {Stage._meta.db_table} "  # noqa: S608 (numbers and names from this file)
             f'(case_id, "order", name, lead_department_id, plan, opened_on, outcome) '
             f"SELECT {case_id}, r, '{SWEEP_STAGE}', {lead_department_id}, '[]', %s, '' FROM {source}",
             [connection.ops.adapt_datefield_value(today)])


def sweep_insert_tasks(case_id: int, departments: int, lo: int, hi: int, today: date) -> None:
    """Open tasks r in [lo, hi): task r is department r % departments in stage 1 + r // departments.
    Due (1 in 10 of the first 10,000): timeout consent, due before today, reminder due. The others are open
    and not due: pending or in review (a third with timeout consent) due in 3–62 days with a reminder two
    days before, or returned for a supplement (clock paused: no dates). Call it inside a transaction."""
    from django.db import connection
    from django.utils import timezone

    from approvals.models import ReviewTask, Stage
    from portal.models import Department

    step = SMALL // DUE
    is_due = f"(r < {SMALL} AND r %% {step} = 0)"
    returned = "(r %% 7 = 3)"
    with_, source = _series(lo, hi)
    sql = f"""{with_}INSERT INTO {ReviewTask._meta.db_table}
        (case_id, stage_id, department_id, is_lead, items, status, timeout_consent, signoffs_required, review_days,
         opened_on, due_on, remind_on, reminders_sent, opinion, created_at)
        SELECT s.case_id, s.id, d.id, FALSE, '[]',
            CASE WHEN {is_due} THEN (CASE WHEN r %% 20 = 0 THEN 'pending' ELSE 'in_review' END)
                 WHEN {returned} THEN 'returned' WHEN r %% 2 = 0 THEN 'pending' ELSE 'in_review' END,
            CASE WHEN {is_due} THEN TRUE ELSE r %% 3 = 0 END,
            1, 20, {_plus_days("-30")},
            CASE WHEN {is_due} THEN {_plus_days("-1 - r %% 30")} WHEN {returned} THEN NULL
                 ELSE {_plus_days("3 + r %% 60")} END,
            CASE WHEN {is_due} THEN {_plus_days("-(r %% 3)")} WHEN {returned} THEN NULL
                 ELSE {_plus_days("1 + r %% 60")} END,
            0, '', %s
        FROM {source}
        JOIN {Stage._meta.db_table} s ON s.case_id = {case_id} AND s."order" = 1 + r / {departments}
        JOIN {Department._meta.db_table} d ON d.code = '{SWEEP_CODE}' || (r %% {departments})"""  # noqa: S608
    ops = connection.ops
    _skip_fk_checks()
    _execute(sql, [ops.adapt_datefield_value(today)] * 5 + [ops.adapt_datetimefield_value(timezone.now())])


def _capture(select: Callable[[date], list[int]], today: date) -> tuple[str, Any]:
    """The SQL and parameters `select` sends, exactly as sent."""
    from django.db import connection

    seen: list[tuple[str, Any]] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        select(today)
    assert len(seen) == 1, seen
    return seen[0]


def _time(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(best, median) in ms over `repeat` calls after a warm-up call, and the last result. The best is the
    figure compared: other work on the machine only ever adds time."""
    result = call()
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - begin)
    return min(times) * 1000, statistics.median(times) * 1000, result


def _without_indexes(sql: str, params: Any) -> Callable[[], Any]:
    """The same query with index scans switched off: what the sweep would read without its partial index."""
    from django.db import connection, transaction

    def run() -> Any:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _execute("SET LOCAL enable_indexscan = off")
                _execute("SET LOCAL enable_bitmapscan = off")
                _execute("SET LOCAL enable_indexonlyscan = off")
                return _execute(sql, params)
            table = '"approvals_reviewtask"'
            return _execute(sql.replace(f"FROM {table}", f"FROM {table} NOT INDEXED", 1), params)

    return run


def _plan(sql: str, params: Any) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        rows = _execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in rows)
    rows = _execute("EXPLAIN QUERY PLAN " + sql, params)
    return "\n".join(str(row[-1]) for row in rows)


def sweep_bench(big: int, repeat: int = 30) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from approvals.models import ReviewTask
    from approvals.services.sweeps import BATCH, tasks_deemed_due, tasks_reminder_due
    from portal.models import Department

    today = timezone.localdate()
    departments = max(100, -(-big // MAX_STAGES_PER_CASE))
    stages = -(-big // departments)
    selections = [("deemed approval (task_deemed_due)", tasks_deemed_due, "task_deemed_due"),
                  ("reminders (task_remind_due)", tasks_reminder_due, "task_remind_due")]
    sweep_cleanup()
    results: dict[int, list[tuple[float, float, int, float]]] = {}
    plans: dict[str, str] = {}
    built: list[tuple[int, float]] = []
    try:
        with transaction.atomic():
            (case_task,) = open_cases(1)
            case = ReviewTask.objects.get(pk=case_task).case
            Department.objects.bulk_create(
                Department(name=f"基准扫描部门{j}", code=f"{SWEEP_CODE}{j}", uscc=f"BENCHSWEEP{j:08d}")
                for j in range(departments))
            lead = Department.objects.get(code=f"{SWEEP_CODE}0").pk
            sweep_insert_stages(case.pk, lead, stages, today)
        done = 0
        for size in (SMALL, big):
            begin = time.perf_counter()
            with transaction.atomic():
                sweep_insert_tasks(case.pk, departments, done, size, today)
            if connection.vendor == "postgresql":
                _execute(f"VACUUM ANALYZE {ReviewTask._meta.db_table}")  # as autovacuum would by now
            built.append((size - done, time.perf_counter() - begin))
            done = size
            results[size] = []
            for label, select, index in selections:
                best, median, ids = _time(lambda select=select: select(today), repeat)
                sql, params = _capture(select, today)
                raw_best, _, _ = _time(_without_indexes(sql, params), max(3, repeat // 5))
                results[size].append((best, median, len(ids), raw_best))
                plan = _plan(sql, params)
                plans[f"{size:,} open tasks — {label}"] = (
                    plan + f"\n  -> partial index {index} used: {'yes' if index in plan else 'NO'}")
    finally:
        begin = time.perf_counter()
        sweep_cleanup()
        cleaned = time.perf_counter() - begin

    print(f"\n== review sweep: selecting what is due, {DUE:,} due ({database_label()}; {load()}) ==")
    print("  (rows inserted with INSERT … SELECT: " + ", ".join(f"{n:,} in {s:.1f} s" for n, s in built)
          + (", then VACUUM ANALYZE" if connection.vendor == "postgresql" else ", no ANALYZE (as the app runs)")
          + f"; {departments} departments × {stages:,} stages of one case; removed again in {cleaned:.1f} s)")
    print(f"  each selection returns at most one batch (approvals.services.sweeps.BATCH = {BATCH}); "
          f"best (median) of {repeat} runs")
    print(f"  {'selection':<36}" + "".join(f"{f'{n:,} open':>24}" for n in (SMALL, big)) + "    ratio")
    for i, (label, _select, _index) in enumerate(selections):
        small_best, small_median, small_n, _ = results[SMALL][i]
        big_best, big_median, big_n, _ = results[big][i]
        print(f"  {label:<36}{f'{small_best:.2f} ({small_median:.2f}) ms':>24}"
              f"{f'{big_best:.2f} ({big_median:.2f}) ms':>24}   x{big_best / small_best:5.2f}   "
              f"({small_n} and {big_n} ids)")
    for i, (label, _select, _index) in enumerate(selections):
        small_raw, big_raw = results[SMALL][i][3], results[big][i][3]
        print(f"  {'  same SQL, index scans off':<36}{f'{small_raw:.2f} ms':>24}{f'{big_raw:.2f} ms':>24}"
              f"   x{big_raw / small_raw:5.2f}   ({label.split(' (')[0]}, reference)")
    for label, plan in plans.items():
        print(f"\n  plan at {label}:")
        print("\n".join("    " + line for line in plan.splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["approvals", "sweep"])
    parser.add_argument("--tasks", type=int, default=200, help="tasks claimed and approved (default 200)")
    parser.add_argument("--sweep-size", type=int, help="open tasks in the big sweep (default: 1,000,000 on "
                                                        "PostgreSQL, 100,000 on SQLite)")
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="portal-bench-review-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "False")
    import django

    django.setup()
    from django.db import connection

    prepare()
    if args.only != "sweep":
        approval_bench(args.tasks)
    if args.only != "approvals":
        big = args.sweep_size or (1_000_000 if connection.vendor == "postgresql" else 100_000)
        sweep_bench(max(big, SMALL + 1))


if __name__ == "__main__":
    main()
