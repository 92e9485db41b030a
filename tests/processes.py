"""Real parts started by the tests: an SMTP listener and a Celery worker process."""

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from importlib import import_module
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP listener received, as parsed e-mail messages.

    `refuse` set to an SMTP reply (e.g. "451 4.3.0 Try again later") makes the listener refuse
    every message until it is cleared; `delay` slows each acceptance down (seconds).
    """

    messages: list = field(default_factory=list)
    received_at: list = field(default_factory=list)
    receiving: int = 0  # messages whose content has arrived, accepted or not yet
    refused: int = 0
    refuse: str | None = None
    delay: float = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.receiving += 1
        if self.refuse:
            self.refused += 1
            return self.refuse
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.received_at.append(time.time())
        return "250 Message accepted"

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} e-mails, got {len(self.messages)}")
            time.sleep(0.1)
        return self.messages[:count]

    def message_ids(self):
        return [message["Message-ID"] for message in self.messages]


def smtp_listener():
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox


def start_worker(
    *,
    smtp_port,
    log_path,
    broker_url=None,
    concurrency=1,
    extra_env=None,
    purge=True,
    beat=False,
    queues=None,
):
    """A Celery worker process on the tests' broker and test database, sending by SMTP (with
    `beat`, the beat scheduler in the same process, as the embedded default runs it).

    It runs in a session of its own, so that `kill_worker` can SIGKILL it with its pool.
    """
    broker_url = broker_url or settings.CELERY_BROKER_URL
    if purge:
        _purge_broker()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pasip.settings.test",
        "PASIP_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "CELERY_BROKER_URL": broker_url,
        "PASIP_TEST_BROKER_DIR": str(getattr(settings, "TEST_BROKER_DIR", "")),
        **(extra_env or {}),
    }
    log = open(log_path, "a")  # noqa: SIM115 (closed by stop_worker)
    start = log.tell()
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker",
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"test{os.getpid()}-{time.monotonic_ns()}@%h",
            *(["-B", f"--schedule={Path(log_path).parent / 'beat-schedule'}"] if beat else []),
            *(["-Q", ",".join(queues)] if queues else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while "ready." not in Path(log_path).read_text()[start:]:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("Celery worker did not start:\n" + Path(log_path).read_text())
        time.sleep(0.2)
    process.log = log
    return process


def stop_worker(process, timeout=20):
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_worker(process)
    process.log.close()


def pool_processes(process):
    """The pids of a worker's pool processes (its children)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def kill_worker(process):
    """SIGKILL to the worker and its pool processes at once, as a crashed machine would."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=20)


class RedisServer:
    """A redis-server of the test's own (never the shared one), so a test may stop it."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.port = _free_port_in(range(6390, 6400))
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _free_port_in(ports):
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


@contextmanager
def publishing_to(broker_url):
    """The test process's Celery app publishes to `broker_url` for a while."""
    from worker.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options
    saved_environ = os.environ.get("CELERY_BROKER_URL")
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    os.environ["CELERY_BROKER_URL"] = broker_url
    app.conf.broker_url = broker_url
    # The options the Redis transport gets outside the tests (visibility and connect timeouts).
    app.conf.broker_transport_options = import_module(
        "pasip.settings.base"
    ).CELERY_BROKER_TRANSPORT_OPTIONS
    _reset_pools(app)
    try:
        yield app
    finally:
        if saved_environ is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environ
        app.conf.broker_url, app.conf.broker_transport_options = saved
        _reset_pools(app)


def _reset_pools(app):
    """Connections and producers are pooled per broker (kombu keeps a global registry)."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


def _purge_broker():
    from worker.celery import app

    app.control.purge()
