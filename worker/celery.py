"""The Celery app, its configuration from Django settings, and the beat schedule."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, worker_init
from django.conf import settings
from kombu import Queue
from kombu.transport import TRANSPORT_ALIASES

# Production's settings unless told otherwise, as for the web process (pasip/wsgi.py); the
# development runner (run.py) and the tests name theirs.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasip.settings.prod")

# The embedded default's broker (filesystem://), its messages written whole (worker.filesystem).
TRANSPORT_ALIASES["filesystem"] = "worker.filesystem:Transport"
# Redis, its channels able to give back their messages after the connection let go (worker.redis).
TRANSPORT_ALIASES["redis"] = TRANSPORT_ALIASES["rediss"] = "worker.redis:Transport"

app = Celery("pasip")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The default queue (notifications, directory imports, sweeps) and the two of CELERY_TASK_ROUTES.
app.conf.task_queues = [Queue("celery"), Queue("slips"), Queue("stats")]


@worker_init.connect
@beat_init.connect
def wait_for_migrations(**kwargs):
    """The worker and beat start taking and scheduling tasks only on a migrated database
    (they may be started with the web process that migrates it): they wait, saying so, for
    PASIP_MIGRATIONS_WAIT seconds (600) at most, then stop."""
    import django

    django.setup()
    from pasip.health import wait_for_migrations

    wait_for_migrations(timeout=float(os.environ.get("PASIP_MIGRATIONS_WAIT", "600")))


@app.on_after_configure.connect
def schedule_periodic_jobs(sender, **kwargs):
    """Periodic jobs, in code. Each is cheap when there is nothing to do and safe to run twice.

    Set once the settings are read: the relay's and the late retries' intervals are settings
    (`PASIP_RELAY_EVERY`, `PASIP_LATE_RETRY_SWEEP_EVERY`; the tests shorten them)."""
    sender.conf.beat_schedule = {
        # Re-queues notifications left unsent (broker down at commit time, task lost).
        "relay-pending-notifications": {
            "task": "notifications.tasks.relay_pending_notifications",
            "schedule": settings.PASIP_RELAY_EVERY,
        },
        # Tries again, hourly for 48 hours, the e-mails and messages that failed every attempt.
        "retry-failed-deliveries": {
            "task": "notifications.tasks.retry_failed_deliveries",
            "schedule": settings.PASIP_LATE_RETRY_SWEEP_EVERY,
        },
        # Sends the daily digests whose hour has come (users choose their hour).
        "send-due-digests": {
            "task": "notifications.tasks.send_due_digests",
            "schedule": 60.0,
        },
        # Sends appointment reminders when due: rows with a due time, never long countdowns.
        "send-due-person-messages": {
            "task": "notifications.tasks.send_due_person_messages",
            "schedule": 60.0,
        },
        # Publishes again the directory imports whose worker never started (broker down).
        "requeue-directory-imports": {
            "task": "directory.tasks.requeue_directory_imports",
            "schedule": 300.0,
        },
        # Fetches the directory's live sources (data·inclusion, La Coop) at night and checks
        # them; the coordinator applies. A source whose URL setting is empty is not fetched.
        "fetch-directory-sources": {
            "task": "directory.tasks.directory_sources_fetch",
            "schedule": crontab(hour=3, minute=20),
            "options": {"expires": 6 * 3600.0},
        },
        # Referral deadlines (reminder, escalation, expiry): idempotent, so hourly is harmless.
        "apply-referral-deadlines": {
            "task": "referrals.tasks.apply_deadlines",
            "schedule": 3600.0,
        },
        # Erases personal data past its retention period, keeping the anonymised record.
        "apply-retention": {
            "task": "people.tasks.apply_retention",
            "schedule": 24 * 3600.0,
        },
        # Deletes login logs (usernames, addresses) past their retention period.
        "prune-login-logs": {
            "task": "accounts.tasks.prune_login_logs",
            "schedule": 24 * 3600.0,
        },
        # Rebuilds the statistics' pre-aggregated tables (the dashboard reads only those).
        "refresh-statistics": {
            "task": "stats.tasks.refresh_statistics",
            "schedule": 15 * 60.0,
            # A rebuild still waiting when the next one is due is dropped, not piled up.
            "options": {"expires": 14 * 60.0},
        },
    }
