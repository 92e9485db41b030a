"""Notification benchmark: time from commit to acceptance by an SMTP server, p50 and p95.

    .venv/bin/python bench/notifications.py [--count 1000] [--paced 200 --rate 4]
        [--database-url postgres://…]

For each broker, Redis (a redis-server of its own on a free port between 6390 and 6399) and
the embedded default (kombu's filesystem transport), in a child process of its own:
creates the database `pasip_notifications_bench` afresh (PostgreSQL on 127.0.0.1:5432 by
default), starts a real SMTP listener (aiosmtpd) and one real Celery worker process
(`--concurrency=1`, the project's settings: late acknowledgement, prefetch of one), then writes
`--count` notifications, each in its own transaction as a referral would, as fast as it can
(a burst: the latency then mostly measures the queue), and again `--paced` notifications at
`--rate` a second (below the worker's capacity: the latency of the path itself).
The latency of one notification runs from its transaction's commit to the SMTP listener's
acceptance of the e-mail whose Message-ID carries its idempotency key. Prints p50, p95, max
and the throughput; writes bench/results/notifications.txt.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

ROOT, RESULTS = common.ROOT, common.RESULTS
DATABASE = "pasip_notifications_bench"


def prepare_database(url):
    if url.endswith(f"/{DATABASE}"):
        common.database_recreate(DATABASE)


def child(broker, count, rate):
    """Runs in a process of its own, its settings read with the broker's URL."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from notifications import services
    from territory.services import territory_load
    from tests.factories import ReferralFactory, UserFactory
    from tests.processes import smtp_listener, start_worker, stop_worker

    call_command("migrate", verbosity=0)
    territory_load()
    recipient = UserFactory(advisor=True)
    referral = ReferralFactory()

    controller, inbox = smtp_listener()
    log_path = Path(tempfile.mkdtemp()) / "worker.log"
    worker = start_worker(smtp_port=controller.port, log_path=log_path, concurrency=1)
    committed = {}
    try:
        started = time.time()
        for index in range(count):
            if rate:  # paced: one notification every 1/rate seconds
                time.sleep(max(0.0, started + index / rate - time.time()))
            with transaction.atomic():
                stamp = {}
                # Registered first, so it runs first at commit: the time of the commit itself.
                transaction.on_commit(lambda stamp=stamp: stamp.setdefault("at", time.time()))
                notification = services.notify(
                    recipient=recipient,
                    referral=referral,
                    kind="referral_sent",
                    subject=f"Nouvelle orientation {referral.code} ({index})",
                )
            committed[notification.message_id] = stamp["at"]
        written = time.time() - started
        deadline = time.monotonic() + 600
        while len(inbox.messages) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(inbox.messages)} of {count} e-mails arrived")
            time.sleep(0.05)
        elapsed = time.time() - started
    finally:
        stop_worker(worker)
        controller.stop()
    latencies = sorted(
        (received - committed[message["Message-ID"]]) * 1000
        for message, received in zip(inbox.messages, inbox.received_at, strict=True)
    )
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "broker": broker,
        "rate": rate,
        "database": connection.vendor,
        "count": count,
        "distinct": len({message["Message-ID"] for message in inbox.messages}),
        "p50_ms": statistics.median(latencies),
        "p95_ms": quantiles[94],
        "max_ms": latencies[-1],
        "write_s": written,
        "elapsed_s": elapsed,
        "per_second": count / elapsed,
    }


def run(broker, count, rate, database_url):
    prepare_database(database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "pasip.settings.test",
        "PASIP_LOG_LEVEL": "WARNING",
    }
    redis = None
    if broker == "redis":
        sys.path.insert(0, str(ROOT))
        from tests.processes import RedisServer

        redis = RedisServer(tempfile.mkdtemp()).start()
        env["CELERY_BROKER_URL"] = redis.url
    else:
        env["CELERY_BROKER_URL"] = "filesystem://"
        env["PASIP_TEST_BROKER_DIR"] = tempfile.mkdtemp(prefix="pasip-bench-broker-")
    try:
        output = subprocess.run(
            [sys.executable, __file__, "--child", broker, "--count", str(count)]
            + ["--rate", str(rate)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
    finally:
        if redis is not None:
            redis.stop()
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument(
        "--paced", type=int, default=200, help="then this many at --rate a second (0: none)"
    )
    parser.add_argument("--rate", type=float, default=4.0)
    parser.add_argument("--database-url", default=f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
    parser.add_argument("--child", choices=["redis", "filesystem"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.count, args.rate)))
        return

    lines = [
        "Notifications: commit to SMTP acceptance, one worker (--concurrency=1), each "
        "notification written in its own transaction.",
    ]
    runs = [(args.count, 0.0)] + ([(args.paced, args.rate)] if args.paced else [])
    for count, rate in runs:
        for broker in ("redis", "filesystem"):
            result = run(broker, count, rate, args.database_url)
            pace = f"paced at {rate:g}/s" if rate else "burst"
            lines.append(
                f"{result['broker']:<10} {pace:<14} ({result['database']}, {count}): "
                f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, "
                f"max {result['max_ms']:.0f} ms; {result['distinct']}/{result['count']} "
                f"distinct e-mails, {result['per_second']:.1f} e-mails/s overall "
                f"(written in {result['write_s']:.1f} s, all delivered after "
                f"{result['elapsed_s']:.1f} s)"
            )
            print(lines[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "notifications.txt").write_text("\n".join(lines) + "\n")
    print(lines[0])


if __name__ == "__main__":
    main()
