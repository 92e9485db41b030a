"""Load test: gunicorn + PostgreSQL + Redis + a Celery worker on this machine, driven by locust.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python bench/load.py [--users 50] [--minutes 5] [--spawn-rate 2]

Creates the database `pasip_load` afresh with the demo data, serves the production settings
with gunicorn on 127.0.0.1:8765, runs locust headless, prints the figures and writes them to
bench/results/load.txt. Targets: no error, p95 under 300 ms, p99 under 1 s.
"""

import argparse
import csv
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import common

ROOT, RESULTS = common.ROOT, common.RESULTS
BIN = Path(sys.executable).parent
PORT = 8765
DATABASE = "pasip_load"
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/11",
    "EMAIL_URL": "dummymail://",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "DJANGO_SECRET_KEY": "load-test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "PASIP_LOG_LEVEL": "WARNING",
}


def run(*command, settings="pasip.settings.prod", **kwargs):
    env = {**ENV, "DJANGO_SETTINGS_MODULE": settings}
    return subprocess.run(command, cwd=ROOT, env=env, check=True, **kwargs)


def prepare():
    common.database_recreate(DATABASE)
    manage = [str(BIN / "python"), "manage.py"]
    run(*manage, "migrate", "-v", "0")
    run(*manage, "load_territory")
    # Demo logins need the development settings' password; the server then runs in production.
    run(*manage, "load_demo", settings="pasip.settings.dev", stdout=subprocess.DEVNULL)
    users = RESULTS / "load-users.json"
    run(*manage, "shell", "-c", DUMP_USERS.format(path=users), settings="pasip.settings.dev")
    return users


DUMP_USERS = """
import json
from django.conf import settings
from accounts.models import User
from territory.models import Commune
logins = {{}}
for role in ("social_worker", "advisor", "officer"):
    logins[role] = list(User.objects.filter(role=role).values_list("username", flat=True))
communes = list(Commune.objects.order_by("-population").values_list("insee", flat=True)[:60])
from tests.assessments.answers import JOSETTE
open("{path}", "w").write(json.dumps(
    {{"password": settings.PASIP_DEMO_PASSWORD, "logins": logins, "communes": communes,
      "answers": JOSETTE}}, default=str
))
"""


def start_services():
    env = {**ENV, "DJANGO_SETTINGS_MODULE": "pasip.settings.prod"}
    web = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "pasip.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "worker", "worker", "--concurrency=1", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/connexion/", timeout=2)  # noqa: S310 (a fixed http URL on loopback)
            return [web, worker]
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not start")


def summarise(prefix, users, minutes, spawn_rate):
    with open(f"{prefix}_stats.csv") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    lines = [
        f"Load test: {users} users (arriving {spawn_rate}/s) for {minutes} min against gunicorn"
        " (4 workers) + PostgreSQL"
        " + Redis + 1 Celery worker, on one 2-core machine",
        f"requests: {total['Request Count']}  failures: {total['Failure Count']}"
        f"  throughput: {float(total['Requests/s']):.1f} req/s",
        f"all requests: p50 {total['50%']} ms  p95 {total['95%']} ms  p99 {total['99%']} ms",
        "",
        f"{'endpoint':45} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}",
    ]
    for row in rows:
        if row["Name"] != "Aggregated":
            lines.append(
                f"{row['Type'] + ' ' + row['Name']:45} {row['Request Count']:>7}"
                f" {row['Failure Count']:>5} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
            )
    verdict = (
        int(total["Failure Count"]) == 0
        and float(total["95%"]) < 300
        and float(total["99%"]) < 1000
    )
    lines.append("")
    lines.append(
        "targets (no error, p95 < 300 ms, p99 < 1 s): " + ("met" if verdict else "NOT met")
    )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    # Users arrive two a second: each first signs in, and a password check is about half a
    # second of CPU by design (PBKDF2), so fifty arriving within five seconds measure the
    # hasher rather than the service.
    parser.add_argument("--spawn-rate", type=float, default=2)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    users_file = prepare()
    processes = start_services()
    prefix = RESULTS / "load"
    try:
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{int(args.minutes * 60)}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(prefix),
                "--only-summary",
            ],
            cwd=ROOT,
            env={**os.environ, "PASIP_LOAD_USERS": str(users_file)},
            check=False,
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    report = summarise(prefix, args.users, args.minutes, args.spawn_rate)
    print(report)
    (RESULTS / "load.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
