"""Celery as the worker reads it: at-least-once delivery, bounded tasks, JSON, beat in code.

Read from the configured app (`worker.celery`, configured from `pasip.settings`), not from the
settings module alone, so a setting misspelt or not picked up by Celery fails here.
"""

from importlib import import_module

from django.conf import settings

from worker.celery import app

# The Redis broker's options outside the tests (the tests may run on the filesystem broker).
REDIS_OPTIONS = import_module("pasip.settings.base").CELERY_BROKER_TRANSPORT_OPTIONS


def _our_tasks():
    app.loader.import_default_modules()  # the tasks modules found by autodiscovery
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_a_task_is_acknowledged_after_it_ran_and_given_back_if_its_worker_dies():
    conf = app.conf
    # Late acknowledgement alone still loses a task whose process is killed.
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_tasks_have_time_limits_and_speak_json_only():
    conf = app.conf
    assert conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT > 0
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    for name, task in _our_tasks().items():
        assert (task.time_limit or conf.task_time_limit) > 0, name
        assert task.serializer == "json", name
        assert task.acks_late is True, name


def test_the_redis_visibility_timeout_outlasts_the_longest_task_and_its_retry_delay():
    tasks = _our_tasks()
    assert "notifications.tasks.send_notification" in tasks
    assert "directory.tasks.directory_import_check" in tasks
    longest = max(task.time_limit or app.conf.task_time_limit for task in tasks.values())
    # A retried task waits its countdown in the worker, unacknowledged, before running.
    held = longest + settings.PASIP_NOTIFICATION_RETRY_BACKOFF_MAX
    assert REDIS_OPTIONS["visibility_timeout"] >= held
    if app.conf.broker_url.startswith("redis"):
        assert app.conf.broker_transport_options["visibility_timeout"] >= held


def test_the_beat_schedule_is_in_code_and_sweeps_the_outbox_every_minute():
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    for task in (
        "notifications.tasks.relay_pending_notifications",
        "notifications.tasks.send_due_digests",
        "notifications.tasks.send_due_person_messages",
    ):
        assert schedule[task] <= 60, task
    assert set(schedule) <= set(_our_tasks())  # each entry names a task that exists


def test_slips_and_statistics_have_queues_of_their_own_that_a_plain_worker_also_takes():
    router = app.amqp.router
    assert router.route({}, "slips.tasks.prerender_slips")["queue"].name == "slips"
    assert router.route({}, "stats.tasks.refresh_statistics")["queue"].name == "stats"
    assert router.route({}, "notifications.tasks.send_notification")["queue"].name == "celery"
    assert {queue.name for queue in app.conf.task_queues} == {"celery", "slips", "stats"}
    refresh = _our_tasks()["stats.tasks.refresh_statistics"]
    assert refresh.soft_time_limit == settings.PASIP_STATS_REFRESH_TIME_LIMIT
    assert refresh.time_limit > refresh.soft_time_limit > app.conf.task_time_limit
    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == refresh.name)
    assert entry["options"]["expires"] < entry["schedule"]
