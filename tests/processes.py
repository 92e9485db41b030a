"""Real parts started by the tests: an SMTP listener and a Celery worker process."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
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
    """What the SMTP listener received, as parsed e-mail messages."""

    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} e-mails, got {len(self.messages)}")
            time.sleep(0.1)
        return self.messages[:count]


def smtp_listener():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox


def start_worker(*, smtp_port, log_path):
    """A Celery worker process on the tests' broker and test database, sending by SMTP."""
    _purge_broker()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pasip.settings.test",
        "PASIP_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PASIP_TEST_BROKER_DIR": str(getattr(settings, "TEST_BROKER_DIR", "")),
    }
    log = open(log_path, "w")  # noqa: SIM115 (closed by stop_worker)
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker",
            "worker",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"test{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while "ready." not in Path(log_path).read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("Celery worker did not start:\n" + Path(log_path).read_text())
        time.sleep(0.2)
    process.log = log
    return process


def stop_worker(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    process.log.close()


def _purge_broker():
    from worker.celery import app

    app.control.purge()
