"""Delivery under faults, with real parts: a Redis of the test's own (so it can be stopped), a
real Celery worker process, a real SMTP listener.

1. Redis stopped while referrals are sent: no error page, nothing lost, each e-mail once.
2. The worker SIGKILLed in the middle of a batch: every e-mail arrives; a duplicate only for a
   send caught between the SMTP acceptance and the row's update, with the same Message-ID.
3. The SMTP server refusing for a while: retried, then all arrive once; past the last attempt
   the rows are failed, with the server's answer, and the administrator sends them again.
4. A digest user receives one e-mail for five events.
5. The SMTP server down past the last attempt, then back: the failed rows go, once each, at the
   next hourly retry, with no one clicking.
"""

import os
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from directory.enums import Service
from notifications import services
from notifications.models import Notification
from referrals.models import Referral
from tests.factories import AdvisorFactory, PersonFactory, ReferralFactory, UserFactory
from tests.processes import (
    RedisServer,
    kill_worker,
    pool_processes,
    publishing_to,
    start_worker,
    stop_worker,
)

pytestmark = [pytest.mark.worker, pytest.mark.redis_server, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path).start()
    with publishing_to(server.url):
        yield server
    server.stop()


@pytest.fixture
def workers(transactional_db, territory, redis, smtp_inbox, tmp_path):
    """Starts workers on the test's Redis (as many times as a test needs), stops them after."""
    started = []

    def start(concurrency=1, purge=True, beat=False, **extra_env):
        process = start_worker(
            beat=beat,
            smtp_port=smtp_inbox.port,
            log_path=tmp_path / "worker.log",
            broker_url=redis.url,
            concurrency=concurrency,
            extra_env={key: str(value) for key, value in extra_env.items()},
            purge=purge,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            stop_worker(process, timeout=5)  # the test has checked everything already
        else:
            process.log.close()


def assessed_persons(social_worker, count):
    """Persons whose digital-needs assessment is validated, ready to be referred.

    One assessment goes through the services; the others are copies of it (the same answers
    give the same profile), which keeps the test's set-up short.
    """
    from assessments.models import Assessment, QuestionnaireVersion
    from assessments.services import assessment_start, assessment_validate, questionnaire_load_file
    from tests.assessments.answers import JOSETTE

    if QuestionnaireVersion.current() is None:
        questionnaire_load_file()
    persons = [PersonFactory(created_by=social_worker) for _ in range(count)]
    first = assessment_start(user=social_worker, person=persons[0], answers=JOSETTE)
    first = assessment_validate(user=social_worker, assessment=first)
    copies = []
    for person in persons[1:]:
        copy = Assessment.objects.get(pk=first.pk)
        copy.pk, copy.person = None, person
        copies.append(copy)
    Assessment.objects.bulk_create(copies)
    assert all(Assessment.objects.validated_for(person) for person in persons)
    return persons


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def statuses():
    counts = dict(Notification.objects.values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in ("pending", "sent", "failed")}


def assert_each_once(inbox, expected):
    """Waits for `expected` distinct Message-IDs, then a little longer for any late copy."""
    wait_until(lambda: len(set(inbox.message_ids())) >= expected, 60, f"{expected} e-mails")
    time.sleep(1)
    counts = Counter(inbox.message_ids())
    assert len(counts) == expected
    return counts


def test_redis_stopped_while_100_referrals_are_sent(client, workers, redis, smtp_inbox):
    # Beat in the worker's process, its relay every second for rows pending a second or more.
    workers(beat=True, PASIP_RELAY_EVERY=1, PASIP_RELAY_AFTER=1)
    social_worker = UserFactory()
    # In Gramat, with room for 25 each: suggested to every person.
    advisors = [AdvisorFactory(place_commune="46128", capacity=30) for _ in range(4)]
    persons = assessed_persons(social_worker, 100)
    client.force_login(social_worker)

    redis.stop()
    slowest = 0.0
    for index, person in enumerate(persons):
        started = time.monotonic()
        response = client.post(
            reverse("referral_new", args=[person.pk]),
            {
                "step": "send",
                "needs": [Service.ADMIN_PROCEDURES.value],
                "advisor": advisors[index % 4].pk,
            },
        )
        slowest = max(slowest, time.monotonic() - started)
        assert response.status_code == 302, response.content.decode()[:500]
    started = time.monotonic()
    assert services.queue_notification(Notification.objects.first().pk) is False
    publish_cost = time.monotonic() - started
    print(
        f"\nbroker down: slowest request {slowest:.2f} s, publish gives up in {publish_cost:.2f} s"
    )
    assert publish_cost < 1 and slowest < 5  # the request never hangs on the broker
    assert Referral.objects.count() == 100
    created = Notification.objects.count()
    assert created == 100 and statuses() == {"pending": 100, "sent": 0, "failed": 0}
    assert smtp_inbox.messages == []

    redis.start()  # nothing more: beat's relay publishes the rows again
    counts = assert_each_once(smtp_inbox, 100)
    assert set(counts.values()) == {1}  # each exactly once
    wait_until(lambda: statuses()["sent"] == 100, 10, "rows marked sent")
    assert sum(statuses().values()) == created
    advisor_addresses = Counter(message["To"] for message in smtp_inbox.messages)
    assert advisor_addresses == {advisor.user.email: 25 for advisor in advisors}


def test_redis_stopped_while_the_worker_is_busy_with_a_burst_of_50(workers, redis, smtp_inbox):
    # Beat's relay as in production but faster; the worker in the middle of the burst when
    # Redis stops, holding unacknowledged messages.
    worker = workers(concurrency=2, beat=True, PASIP_RELAY_EVERY=1, PASIP_RELAY_AFTER=5)
    recipient = UserFactory(advisor=True)
    referral = ReferralFactory()
    smtp_inbox.delay = 0.2  # a server taking its time: the burst lasts about ten seconds
    with transaction.atomic():
        for index in range(50):
            services.notify(
                recipient=recipient,
                referral=referral,
                kind="referral_sent",
                subject=f"Orientation {referral.code} ({index})",
            )
    wait_until(lambda: len(smtp_inbox.messages) >= 5, 60, "the burst to be under way")
    redis.stop()
    at_stop = len(smtp_inbox.messages)
    assert at_stop < 50, "the burst ended before Redis stopped"
    time.sleep(12)  # the worker loses its broker with messages in hand
    redis.start()  # nothing more: no restart of the worker, no click
    counts = assert_each_once(smtp_inbox, 50)
    wait_until(lambda: statuses()["sent"] == 50, 30, "rows marked sent")
    assert worker.poll() is None, Path(worker.log.name).read_text()[-3000:]
    log = Path(worker.log.name).read_text()
    assert "Unrecoverable error" not in log
    duplicates = sum(count - 1 for count in counts.values())
    print(f"\nRedis stopped after {at_stop} of 50 e-mails; duplicates (same Message-ID): "
          f"{duplicates}")  # fmt: skip


def test_sends_in_flight_through_a_whole_redis_outage(workers, redis, smtp_inbox):
    # Each send outlasts the time Redis takes to stop: the worker loses its broker with two
    # tasks running, finishes them with no broker to acknowledge to, and goes on once it is
    # back. Their messages, unacknowledged, must not come back as second e-mails.
    worker = workers(concurrency=2, beat=True, PASIP_RELAY_EVERY=1, PASIP_RELAY_AFTER=5)
    recipient = UserFactory(advisor=True)
    referral = ReferralFactory()
    smtp_inbox.delay = 4.0
    with transaction.atomic():
        for index in range(6):
            services.notify(
                recipient=recipient,
                referral=referral,
                kind="referral_sent",
                subject=f"Orientation {referral.code} ({index})",
            )
    wait_until(lambda: smtp_inbox.receiving >= 2, 60, "two sends to be under way")
    redis.stop()
    time.sleep(8)
    redis.start()
    counts = assert_each_once(smtp_inbox, 6)
    assert set(counts.values()) == {1}, counts
    wait_until(lambda: statuses()["sent"] == 6, 30, "rows marked sent")
    log = Path(worker.log.name).read_text()
    assert worker.poll() is None, log[-3000:]
    assert "Connection to broker lost" in log  # the outage did reach the worker mid-send
    assert "Unrecoverable error" not in log


def test_worker_killed_mid_batch_of_200(workers, smtp_inbox):
    # Two pool processes on PostgreSQL; on SQLite one, as its single writer serialises them.
    concurrency = 1 if connection.vendor == "sqlite" else 2
    worker = workers(concurrency=concurrency)
    recipient = UserFactory(advisor=True)
    referral = ReferralFactory()
    smtp_inbox.delay = 0.02  # a server taking its time, so the kill lands mid-send
    with transaction.atomic():  # one batch: 200 rows, 200 tasks published at commit
        for index in range(200):
            services.notify(
                recipient=recipient,
                referral=referral,
                kind="referral_sent",
                subject=f"Orientation {referral.code} ({index})",
            )
    wait_until(lambda: len(smtp_inbox.messages) >= 60, 60, "the batch to be under way")
    kill_worker(worker)
    at_kill = len(smtp_inbox.messages)
    assert at_kill < 200, "the batch ended before the kill"
    assert statuses()["pending"] > 0

    workers(concurrency=concurrency, purge=False)  # the queue's messages are still there
    services.notifications_relay(older_than=0)  # and the ones the dead worker held
    counts = assert_each_once(smtp_inbox, 200)
    wait_until(lambda: statuses()["sent"] == 200, 10, "rows marked sent")
    duplicates = sum(count - 1 for count in counts.values())
    print(f"\nkilled after {at_kill} of 200 e-mails; duplicates: {duplicates}")
    # At most one per pool process in flight, and a copy carries the original's Message-ID
    # (counted by Message-ID above), so the receiver can drop it.
    assert duplicates <= concurrency
    assert sum(statuses().values()) == 200


def test_a_pool_process_killed_mid_send_gives_its_task_back_to_the_broker(workers, smtp_inbox):
    """Late acknowledgement with tasks rejected on worker loss: the task of a pool process
    killed in the middle of a send goes back to the queue at once, with no relay."""
    worker = workers(concurrency=1)
    recipient = UserFactory(advisor=True)
    referral = ReferralFactory()
    smtp_inbox.delay = 1.0  # each acceptance takes a second: the kill lands inside one
    with transaction.atomic():
        for index in range(3):
            services.notify(
                recipient=recipient,
                referral=referral,
                kind="referral_sent",
                subject=f"Orientation {referral.code} ({index})",
            )
    wait_until(lambda: smtp_inbox.receiving >= 2, 30, "the second e-mail to be under way")
    [pool_process] = pool_processes(worker)
    os.kill(pool_process, signal.SIGKILL)
    smtp_inbox.delay = 0.0
    # No relay here (it waits a minute by default): the broker itself hands the task again.
    counts = assert_each_once(smtp_inbox, 3)
    assert sum(count - 1 for count in counts.values()) <= 1
    wait_until(lambda: statuses()["sent"] == 3, 10, "rows marked sent")
    assert "WorkerLostError" in Path(worker.log.name).read_text()


def test_smtp_refusing_for_a_while_then_past_the_last_attempt(
    workers, smtp_inbox, admin_client, django_capture_on_commit_callbacks
):
    workers(PASIP_NOTIFICATION_RETRY_BACKOFF=0.2, PASIP_NOTIFICATION_MAX_ATTEMPTS=5)
    recipient = UserFactory()
    referral = ReferralFactory()

    def notify(count):
        for _ in range(count):
            with transaction.atomic():
                services.notify(
                    recipient=recipient, referral=referral, kind="referral_answered", subject="x"
                )

    # A while: every message refused at least once, then accepted.
    smtp_inbox.refuse = "451 4.3.0 Service momentanement indisponible"
    notify(10)
    refused_once = Notification.objects.exclude(last_error="")
    wait_until(lambda: refused_once.count() == 10, 30, "each message refused once")
    smtp_inbox.refuse = None
    counts = assert_each_once(smtp_inbox, 10)
    assert set(counts.values()) == {1}
    wait_until(lambda: statuses()["sent"] == 10, 10, "rows marked sent")
    assert all(n.attempts >= 2 for n in Notification.objects.all())

    # For good: failed after the fifth attempt, with the server's answer.
    smtp_inbox.refuse = "554 5.7.1 Message refuse par la politique du domaine"
    notify(3)
    wait_until(lambda: statuses()["failed"] == 3, 30, "three failed rows")
    failed = Notification.objects.filter(status="failed")
    assert {(n.attempts, n.last_error) for n in failed} == {
        (5, "554 5.7.1 Message refuse par la politique du domaine")
    }
    assert statuses() == {"pending": 0, "sent": 10, "failed": 3}
    page = admin_client.get("/admin/notifications/notification/?status__exact=failed")
    assert page.content.decode().count("554 5.7.1 Message refuse") == 3

    # The administrator sends them again once the server accepts.
    smtp_inbox.refuse = None
    admin_client.post(
        "/admin/notifications/notification/",
        {"action": "retry", "_selected_action": [n.pk for n in failed]},
    )
    assert_each_once(smtp_inbox, 13)
    wait_until(lambda: statuses() == {"pending": 0, "sent": 13, "failed": 0}, 10, "all sent")


def test_failed_e_mails_go_once_the_server_is_back_with_no_one_clicking(
    workers, smtp_inbox, admin_client
):
    # Two quick attempts, then a late retry every 2 seconds (an hour in production) looked for
    # by beat every second (every 5 minutes).
    workers(
        beat=True,
        PASIP_NOTIFICATION_RETRY_BACKOFF=0.2,
        PASIP_NOTIFICATION_MAX_ATTEMPTS=2,
        PASIP_NOTIFICATION_LATE_RETRY_EVERY=2,
        PASIP_LATE_RETRY_SWEEP_EVERY=1,
    )
    recipient = UserFactory()
    referral = ReferralFactory()
    smtp_inbox.refuse = "421 4.3.2 Service en maintenance"
    for _ in range(3):
        with transaction.atomic():
            services.notify(
                recipient=recipient, referral=referral, kind="referral_answered", subject="x"
            )
    wait_until(lambda: statuses()["failed"] == 3, 30, "three failed rows")
    page = admin_client.get("/admin/notifications/notification/?status__exact=failed")
    assert page.content.decode().count("421 4.3.2 Service en maintenance") == 3

    smtp_inbox.refuse = None  # the server is back: nobody clicks anything
    counts = assert_each_once(smtp_inbox, 3)
    assert set(counts.values()) == {1}
    wait_until(lambda: statuses() == {"pending": 0, "sent": 3, "failed": 0}, 10, "all sent")
    assert set(Notification.objects.values_list("last_error", flat=True)) == {""}
    page = admin_client.get("/admin/notifications/notification/")
    assert "421 4.3.2" not in page.content.decode()  # the latest answer, not a stale refusal


def test_a_digest_user_receives_one_e_mail_for_five_events(workers, smtp_inbox):
    workers()
    user = UserFactory(advisor=True)
    services.preference_update(user=user, mode="digest", digest_hour=7)
    referrals = [ReferralFactory() for _ in range(5)]
    for referral in referrals:
        with transaction.atomic():
            services.notify(
                recipient=user,
                referral=referral,
                kind="referral_sent",
                subject=f"Nouvelle orientation {referral.code}",
            )
    time.sleep(1)
    assert smtp_inbox.messages == []  # nothing before the hour
    due = Notification.objects.filter(recipient=user).first().digest_due_at
    assert services.digests_send_due(now=due + timedelta(seconds=1)) == 1
    assert services.digests_send_due(now=timezone.now() + timedelta(days=1)) == 0
    assert_each_once(smtp_inbox, 1)
    [digest] = smtp_inbox.messages
    assert digest["To"] == user.email and "5 notifications" in digest["Subject"]
    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    for referral in referrals:
        assert referral.code in text and referral.code in html
    wait_until(lambda: statuses()["pending"] == 0, 10, "rows marked sent")
    assert Notification.objects.in_app_for(user).count() == 5
