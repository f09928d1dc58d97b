"""QUALITY: the broker is down, 100 writes succeed; the broker is back, exactly 100 tasks run, each once.

A private redis-server on a free port is Celery's broker here (never the shared one: a worker elsewhere could
take our messages). The writes go through the real service, `notify(..., email=True)`, each in its own
transaction; the publish that follows each commit fails fast and leaves the outbox row for the relay. Then
redis-server comes back on the same port, `portal.outbox.relay()` publishes the backlog, and a real Celery
worker (in a thread of this process, so the database rows must be committed: transaction=True) runs it.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.db import connections

import portal.tasks  # noqa: F401  (registers portal.deliver_notification with the Celery app)
from portal import outbox
from portal.celery import app
from portal.models import Notification, OutboxMessage
from portal.services.notifications import notify
from tests.conftest import missing_tool
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(180),
]

WRITES = 100
# Each write's failed publish must cost milliseconds; kombu's default connection retry costs ~6 s each.
MAX_SECONDS_PER_WRITE = 1.0
MAX_SECONDS_FOR_ALL_WRITES = 20.0
DRAIN_SECONDS = 60.0


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server on 127.0.0.1:<port>, no persistence, that can be stopped and restarted."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        assert self.binary is not None
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.directory / "redis.log").read_text(errors="replace")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def is_down(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
        except OSError:
            return True
        return False


def _reset_broker_connections() -> None:
    """Forget pooled broker connections so the next publish connects to the broker_url now configured."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    if server.binary is None:
        missing_tool("needs the redis-server binary")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def real_broker(settings, private_redis):
    """Celery publishes to the private redis-server for real: no eager mode."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.OUTBOX_PUBLISH_ON_COMMIT = True
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = private_redis.url
    app.conf.task_always_eager = False
    _reset_broker_connections()
    yield private_redis
    app.conf.update(saved)
    _reset_broker_connections()


@pytest.fixture
def task_runs():
    """The task id of every task a worker runs (the worker runs in another thread of this process)."""
    runs: list[str] = []
    lock = threading.Lock()
    main = threading.current_thread()

    def on_postrun(task_id=None, **kwargs):
        with lock:
            runs.append(task_id)
        if threading.current_thread() is not main:
            connections.close_all()  # the worker thread's connection must not outlive the test database

    signals.task_postrun.connect(on_postrun, weak=False)
    yield runs
    signals.task_postrun.disconnect(on_postrun)


@contextmanager
def embedded_worker():
    """A real Celery worker in a thread of this process; the logging it reconfigures is put back after."""
    loggers = [logging.getLogger(name) for name in ("", "celery", "celery.task", "celery.redirected")]
    saved = [(logger, logger.level, list(logger.handlers)) for logger in loggers]
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30) as w:
            yield w
    finally:
        for logger, level, handlers in saved:
            logger.setLevel(level)
            logger.handlers = handlers


def _wait_until(condition, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message)


def test_broker_down_writes_succeed_then_each_task_runs_exactly_once(real_broker, task_runs, mailoutbox):
    user = UserFactory(username="outbox_quality", email="outbox_quality@example.cn")

    # The web process has been publishing happily; then the broker goes away.
    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=1)
    real_broker.stop()
    assert real_broker.is_down()

    # --- Broker down: 100 writes, each its own transaction, all commit and none is lost. ---------------
    durations = []
    started = time.monotonic()
    for i in range(WRITES):
        t0 = time.monotonic()
        notify(recipient=user, subject=f"系统测试通知 {i:03d}", body="broker down", email=True)
        durations.append(time.monotonic() - t0)
        # Stop at the first slow one rather than wait 100 times for it.
        assert durations[-1] < MAX_SECONDS_PER_WRITE, (
            f"write {i} took {durations[-1]:.1f} s with the broker down: publishing does not fail fast"
        )
    total = time.monotonic() - started

    assert Notification.objects.filter(recipient=user).count() == WRITES
    messages = OutboxMessage.objects.filter(task="portal.deliver_notification")
    assert messages.count() == WRITES
    assert messages.filter(published_at__isnull=True).count() == WRITES
    # Each commit tried to publish once, failed, and kept the reason for the operator.
    assert set(messages.values_list("attempts", flat=True)) == {1}
    assert all(messages.values_list("last_error", flat=True))
    assert total < MAX_SECONDS_FOR_ALL_WRITES, f"{WRITES} writes took {total:.1f} s with the broker down"
    # The relay, too, gives up at once while the broker is down (and stops at the first failure).
    t0 = time.monotonic()
    assert outbox.relay() == 0
    assert time.monotonic() - t0 < MAX_SECONDS_PER_WRITE
    assert len(mailoutbox) == 0

    # --- Broker back on the same port: the relay publishes the backlog. ---------------------------------
    real_broker.start()
    published = 0
    deadline = time.monotonic() + 30
    while messages.filter(published_at__isnull=True).exists():
        assert time.monotonic() < deadline, "the relay did not publish the backlog"
        published += outbox.relay()
    assert published == WRITES
    assert messages.filter(done_at__isnull=False).count() == 0  # published, not yet run: no worker yet

    # --- A real worker runs them: exactly 100 task runs, one per message, one email per notification. ---
    with embedded_worker():
        _wait_until(
            lambda: messages.filter(done_at__isnull=True).count() == 0,
            DRAIN_SECONDS, "the worker did not finish the 100 messages in time",
        )
        time.sleep(1.0)  # anything extra (a duplicate delivery) would run now and show in the counts below

    runs = Counter(task_runs)
    assert len(runs) == WRITES
    assert set(runs.values()) == {1}
    assert set(runs) == {str(pk) for pk in messages.values_list("pk", flat=True)}
    assert not Notification.objects.filter(recipient=user, emailed_at__isnull=True).exists()
    subjects = Counter(m.subject for m in mailoutbox)
    assert len(mailoutbox) == WRITES
    assert subjects == Counter(f"系统测试通知 {i:03d}" for i in range(WRITES))
    assert all(m.to == [user.email] for m in mailoutbox)


def test_a_message_published_twice_acts_once(real_broker, task_runs, mailoutbox):
    user = UserFactory(username="outbox_twice", email="outbox_twice@example.cn")
    notification = notify(recipient=user, subject="发布两次的通知", email=True)  # published on commit
    message = OutboxMessage.objects.get(kwargs__notification_id=notification.pk)
    assert message.published_at is not None
    # The relay died after sending but before recording it: the row looks unpublished, and is sent again.
    OutboxMessage.objects.filter(pk=message.pk).update(published_at=None)
    assert outbox.relay() == 1

    with embedded_worker():
        _wait_until(lambda: task_runs.count(str(message.pk)) >= 2, DRAIN_SECONDS,
                    "the worker did not receive both deliveries")

    assert task_runs.count(str(message.pk)) == 2  # delivered twice...
    assert len(mailoutbox) == 1  # ...acted once
    assert mailoutbox[0].subject == "发布两次的通知"
    message.refresh_from_db()
    notification.refresh_from_db()
    assert message.done_at is not None
    assert notification.emailed_at is not None
