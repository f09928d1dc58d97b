"""The deployed shape, as plain processes: gunicorn, a Celery worker and Celery beat on production settings.

One real request (sign in, change the password) goes through gunicorn; the notification it causes reaches
the user only along web → database outbox → beat's relay → Redis → worker, because publishing on commit is
off here. The test owns everything it starts: a fresh PostgreSQL database (created and dropped here, apart
from pytest-django's test database), a private redis-server on a free port, and a temporary PORTAL_VAR_DIR.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing, suppress
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

from portal.models import Notification, OutboxMessage, User
from tests.conftest import missing_tool

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(240)]

BASE_DIR = Path(settings.BASE_DIR)
DELIVERY_SECONDS = 60.0
USERNAME = "system_applicant"
EMAIL = "system_applicant@example.cn"
OLD_PASSWORD = "Correct-Horse-9"
NEW_PASSWORD = "Quiet-Lantern-4821"


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until(condition, timeout: float, message) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(message() if callable(message) else message)


# --- PostgreSQL: a database of this test's own ---------------------------------------------------------


def _server_params() -> dict:
    db = settings.DATABASES["default"]
    return {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432,
            "user": db.get("USER") or "postgres", "password": db.get("PASSWORD") or None}


def _database_url(name: str) -> str:
    """DATABASE_URL for `name` on the same server (and with the same options) as the suite's database."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
    p = _server_params()
    auth = quote(p["user"]) + (f":{quote(p['password'])}" if p["password"] else "")
    return f"postgres://{auth}@{p['host']}:{p['port']}/{name}"


@pytest.fixture
def system_database():
    name = f"portal_system_{secrets.token_hex(6)}"
    admin = psycopg2.connect(dbname="postgres", **_server_params())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


# --- The processes -------------------------------------------------------------------------------------


class Processes:
    """Starts commands in their own process groups with logs in files; stops every one of them."""

    def __init__(self, directory: Path, env: dict[str, str]) -> None:
        self.directory = directory
        self.env = env
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def log(self, name: str) -> str:
        path = self.directory / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        return "\n".join(f"----- {name} (last 3000 chars) -----\n{self.log(name)[-3000:]}" for name in self.running)

    def run(self, name: str, args: list[str], timeout: float = 120) -> None:
        """A one-shot step (migrate, creating the user): must succeed."""
        result = subprocess.run(args, cwd=BASE_DIR, env=self.env, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"

    def start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        with (self.directory / f"{name}.log").open("wb") as out:
            process = subprocess.Popen(args, cwd=BASE_DIR, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        self.running[name] = process
        return process

    def assert_alive(self) -> None:
        dead = {name: p.returncode for name, p in self.running.items() if p.poll() is not None}
        assert not dead, f"processes exited: {dead}\n{self.logs()}"

    def stop_all(self) -> None:
        for process in reversed(list(self.running.values())):
            self._signal(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.running.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._signal(process, signal.SIGKILL)
                process.wait(5)
        for process in self.running.values():  # children (the prefork pool) left behind in the group
            self._signal(process, signal.SIGKILL)

    @staticmethod
    def _signal(process: subprocess.Popen[bytes], sig: int) -> None:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)  # each process leads its own group (start_new_session)


# --- A minimal browser: production cookies are Secure, so the cookie jar is kept by hand ----------------


class Browser:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        return response.status, dict(response.headers), text

    def csrf_token(self, path: str) -> str:
        status, _headers, text = self.request("GET", path)
        assert status == 200, f"GET {path}: {status}\n{text[:2000]}"
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)


def _healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz/")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


# --- The test ------------------------------------------------------------------------------------------


def test_a_request_through_gunicorn_reaches_the_worker_via_beat_relay(system_database, tmp_path):
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        missing_tool("needs the redis-server binary")
    if not (BASE_DIR / "staticfiles" / "staticfiles.json").exists():
        pytest.fail("static files are not collected: run `make assets` (manage.py collectstatic) first")

    var_dir, mail_dir, sms_dir = tmp_path / "var", tmp_path / "mail", tmp_path / "sms"
    var_dir.mkdir()
    web_port, redis_port = _free_port(), _free_port()
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "PYTEST_", "EMAIL_", "SMS_", "OUTBOX_"))
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings_production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{web_port}/",
        "SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": _database_url(system_database),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "PORTAL_VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SMS_BACKEND": "portal.sms.FileSMSBackend",
        "SMS_FILE_PATH": str(sms_dir),
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "OUTBOX_PUBLISH_ON_COMMIT": "False",  # only beat's relay publishes
        "OUTBOX_RELAY_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    })
    py = sys.executable
    procs = Processes(tmp_path, env)
    db = None
    try:
        # Deploy steps: migrate, then an account to sign in with.
        procs.run("migrate", [py, "manage.py", "migrate", "--noinput"])
        procs.run("create user", [py, "manage.py", "shell", "-c", (
            "from portal.models import Role, User; "
            f"User.objects.create_user(username={USERNAME!r}, password={OLD_PASSWORD!r}, email={EMAIL!r}, "
            "phone='13900000000', role=Role.APPLICANT_PERSON)"
        )])

        procs.start("redis", [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(tmp_path)])
        procs.start("web", [py, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{web_port}",
                            "--workers", "2", "--access-logfile", "-", "--graceful-timeout", "5"])
        procs.start("worker", [py, "-m", "celery", "-A", "portal", "worker", "--loglevel", "INFO",
                               "--concurrency", "1", "--without-mingle", "--without-gossip",
                               "--hostname", f"system-{secrets.token_hex(3)}@%h"])
        _wait_until(lambda: procs.assert_alive() or _healthy(web_port), 60,
                    lambda: f"gunicorn did not answer /healthz/\n{procs.logs()}")
        _wait_until(lambda: procs.assert_alive() or " ready." in procs.log("worker"), 60,
                    lambda: f"the worker did not start\n{procs.logs()}")

        # One real request through gunicorn: sign in, change the password.
        browser = Browser(web_port)
        token = browser.csrf_token("/accounts/login/")
        status, headers, text = browser.request("POST", "/accounts/login/", {
            "csrfmiddlewaretoken": token, "username": USERNAME, "password": OLD_PASSWORD,
        })
        assert status == 302, f"login: {status}\n{text[:2000]}\n{procs.logs()}"
        token = browser.csrf_token("/accounts/password/")
        status, headers, text = browser.request("POST", "/accounts/password/", {
            "csrfmiddlewaretoken": token, "old_password": OLD_PASSWORD,
            "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
        })
        assert status == 302, f"password change: {status}\n{text[:2000]}\n{procs.logs()}"

        db = psycopg2.connect(dbname=system_database, **_server_params())
        db.autocommit = True

        def state() -> dict:
            with db.cursor() as cur:
                cur.execute(
                    sql.SQL("SELECT n.emailed_at, n.texted_at FROM {} n JOIN {} u ON u.id = n.recipient_id "
                            "WHERE u.username = %s").format(sql.Identifier(Notification._meta.db_table),
                                                            sql.Identifier(User._meta.db_table)),
                    [USERNAME],
                )
                notifications = cur.fetchall()
                cur.execute(
                    sql.SQL("SELECT published_at, done_at FROM {} WHERE task = %s").format(
                        sql.Identifier(OutboxMessage._meta.db_table)),
                    ["portal.deliver_notification"],
                )
                messages = cur.fetchall()
            mails = sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []
            return {"notifications": notifications, "messages": messages, "mails": mails}

        # The write committed with its outbox row; with the worker up but no beat, nothing moves.
        first = state()
        assert len(first["notifications"]) == 1 and len(first["messages"]) == 1, first
        assert first["messages"][0] == (None, None), first
        time.sleep(2.0)
        procs.assert_alive()
        assert state() == first, "something published the message without beat's relay"

        # Beat's relay publishes it; the worker delivers it.
        procs.start("beat", [py, "-m", "celery", "-A", "portal", "beat", "--loglevel", "INFO"])
        started = time.monotonic()

        def delivered() -> bool:
            procs.assert_alive()
            s = state()
            emailed_at, texted_at = s["notifications"][0]
            published_at, done_at = s["messages"][0]
            return bool(emailed_at and texted_at and published_at and done_at and s["mails"])

        _wait_until(delivered, DELIVERY_SECONDS,
                    lambda: f"not delivered within {DELIVERY_SECONDS:.0f} s: {state()}\n{procs.logs()}")
        print(f"delivered {time.monotonic() - started:.1f} s after beat started")

        final = state()
        assert len(final["mails"]) == 1, final
        assert EMAIL in final["mails"][0].read_text(errors="replace")
        sms_lines = [line for f in sms_dir.glob("*.log") for line in f.read_text().splitlines()]
        assert len(sms_lines) == 1 and "13900000000" in sms_lines[0]
        assert "portal.outbox_relay" in procs.log("worker")  # the relay ran as a task, sent by beat
        assert "portal.deliver_notification" in procs.log("worker")
    finally:
        procs.stop_all()
        if db is not None:
            db.close()
