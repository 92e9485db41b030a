"""The Celery app, its configuration from Django settings, and the beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasip.settings.dev")

app = Celery("pasip")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Re-queues notifications left unsent (broker down at commit time, task lost).
    "relay-pending-notifications": {
        "task": "notifications.tasks.relay_pending_notifications",
        "schedule": 60.0,
    },
}
