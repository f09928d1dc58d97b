"""`make run` on the embedded defaults: SQLite and the filesystem broker, with no server to start.

honcho starts the Procfile's web (gunicorn), Celery worker and Celery beat as `make run` does, on a SQLite
database migrated from nothing here (every migration on SQLite) in a temporary PORTAL_VAR_DIR. One real request
through gunicorn (sign in, change the password) causes a notification that the worker delivers by e-mail and
SMS (files in the var directory) through the filesystem broker; beat's outbox relay runs as a task too.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing, suppress
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.system.test_processes import Browser, _free_port, _healthy, _wait_until

pytestmark = [pytest.mark.system, pytest.mark.embedded, pytest.mark.timeout(240)]

BASE_DIR = Path(settings.BASE_DIR)
USERNAME = "make_run_applicant"
EMAIL = "make_run_applicant@example.cn"
PHONE = "13900000001"
OLD_PASSWORD = "Correct-Horse-9"
NEW_PASSWORD = "Quiet-Lantern-4821"


def _embedded_env(var_dir: Path, port: int) -> dict[str, str]:
    """This machine's environment with the embedded defaults as a checkout without a `.env` has them, named
    explicitly so that a developer's `.env` (read by honcho and by the settings) cannot point the processes at
    a real database, broker or mail server."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "CELERY_", "PYTEST_", "EMAIL_", "SMS_", "OUTBOX_"))}
    env.update({
        "PORTAL_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'portal.sqlite3'}",
        "REDIS_URL": "",  # no Redis: the filesystem broker in PORTAL_VAR_DIR
        "MEDIA_ROOT": str(var_dir / "media"),
        "LICENCE_SIGNING_DIR": str(var_dir / "signing"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(var_dir / "mail"),
        "SMS_BACKEND": "portal.sms.FileSMSBackend",
        "SMS_FILE_PATH": str(var_dir / "sms"),
        "WEB_BIND": f"127.0.0.1:{port}",  # as the Makefile passes it
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}/",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "OUTBOX_RELAY_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _stop(honcho: subprocess.Popen[bytes], log: str) -> None:
    """SIGTERM to honcho stops all three, as Ctrl-C does; if it does not, each child it started (in a session
    of its own) is killed by the pid honcho logged."""
    with suppress(ProcessLookupError):
        os.killpg(honcho.pid, signal.SIGTERM)
    try:
        honcho.wait(20)
    except subprocess.TimeoutExpired:
        for pid in re.findall(r"started \(pid=(\d+)\)", log):
            with suppress(ProcessLookupError):
                os.killpg(int(pid), signal.SIGKILL)
        with suppress(ProcessLookupError):
            os.killpg(honcho.pid, signal.SIGKILL)
        honcho.wait(5)


def test_make_runs_processes_serve_a_request_and_deliver_its_notification_through_the_embedded_broker(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("shows the embedded defaults: runs in .ci/run's SQLite pass (and in `make test` on SQLite)")
    honcho = Path(sys.executable).parent / "honcho"  # make run's: the virtualenv's
    assert honcho.exists(), "honcho is not installed: it is a dependency in pyproject.toml"
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    port = _free_port()
    env = _embedded_env(var_dir, port)
    py = sys.executable

    def run(*args: str) -> None:
        result = subprocess.run([py, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                                timeout=180)
        assert result.returncode == 0, f"{args[0]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"

    run("migrate", "--noinput")  # every migration, from nothing, on SQLite
    database = var_dir / "portal.sqlite3"
    assert database.exists(), "migrate made no SQLite database in PORTAL_VAR_DIR"
    run("shell", "-c", (
        "from portal.models import Role, User; "
        f"User.objects.create_user(username={USERNAME!r}, password={OLD_PASSWORD!r}, email={EMAIL!r}, "
        f"phone={PHONE!r}, role=Role.APPLICANT_PERSON)"
    ))

    log = tmp_path / "honcho.log"
    empty_env = tmp_path / "empty.env"  # instead of the checkout's .env
    empty_env.write_text("")
    with log.open("wb") as out:
        process = subprocess.Popen([str(honcho), "start", "-f", "Procfile", "-e", str(empty_env)],
                                   cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)

    def output() -> str:
        return log.read_text(errors="replace")

    def alive() -> None:
        assert process.poll() is None, f"honcho exited with {process.returncode}\n{output()[-5000:]}"

    try:
        _wait_until(lambda: alive() or _healthy(port), 60, lambda: f"gunicorn did not answer\n{output()[-5000:]}")
        _wait_until(lambda: alive() or " ready." in output(), 60,
                    lambda: f"the worker did not start\n{output()[-5000:]}")

        browser = Browser(port)
        token = browser.csrf_token("/accounts/login/")
        status, _headers, text = browser.request("POST", "/accounts/login/", {
            "csrfmiddlewaretoken": token, "username": USERNAME, "password": OLD_PASSWORD})
        assert status == 302, f"login: {status}\n{text[:2000]}"
        token = browser.csrf_token("/accounts/password/")
        status, _headers, text = browser.request("POST", "/accounts/password/", {
            "csrfmiddlewaretoken": token, "old_password": OLD_PASSWORD,
            "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert status == 302, f"password change: {status}\n{text[:2000]}"

        def delivered() -> bool:
            alive()
            with closing(sqlite3.connect(database, timeout=5)) as db:
                rows = db.execute(
                    "SELECT n.emailed_at, n.texted_at FROM portal_notification n "
                    "JOIN portal_user u ON u.id = n.recipient_id WHERE u.username = ?", [USERNAME]).fetchall()
            mails = list((var_dir / "mail").glob("*.log")) if (var_dir / "mail").exists() else []
            return len(rows) == 1 and all(rows[0]) and bool(mails)

        _wait_until(delivered, 60, lambda: f"the notification was not delivered\n{output()[-5000:]}")
        mails = [f.read_text(errors="replace") for f in (var_dir / "mail").glob("*.log")]
        assert len(mails) == 1 and EMAIL in mails[0]
        texts = [line for f in (var_dir / "sms").glob("*.log") for line in f.read_text().splitlines()]
        assert len(texts) == 1 and PHONE in texts[0]
        assert "portal.deliver_notification" in output()
        # Beat runs too: its relay (every OUTBOX_RELAY_SECONDS here) reaches the worker as a task.
        _wait_until(lambda: alive() or "portal.outbox_relay" in output(), 30,
                    lambda: f"beat's relay never ran\n{output()[-5000:]}")
        assert list(var_dir.glob("celerybeat-schedule*")), "beat keeps its schedule outside PORTAL_VAR_DIR"
    finally:
        _stop(process, output())
