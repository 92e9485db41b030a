"""Health checks: /healthz (the process answers), /readyz (database, migrations, broker), and
the worker waiting for the migrations before it takes tasks."""

import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from tests.processes import publishing_to, smtp_listener, start_worker, stop_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_migration_unapplied():
    """The record of one applied migration removed, as if it were still to apply."""
    recorder = MigrationRecorder(connection)
    record = recorder.migration_qs.filter(app="stats").order_by("-id").first()
    recorder.record_unapplied(record.app, record.name)
    yield f"{record.app}.{record.name}"
    recorder.record_applied(record.app, record.name)


def test_healthz_answers_without_login_and_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.content == b"ok"


def test_readyz_is_200_when_database_migrations_and_broker_are_ready(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "broker": "ok"},
    }


def test_readyz_is_503_while_a_migration_is_to_apply(client, a_migration_unapplied):
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 en attente"


def test_readyz_is_503_when_the_broker_does_not_answer(client):
    with publishing_to("redis://127.0.0.1:9/0"):  # nothing listens on the discard port
        response = client.get(reverse("readyz"))
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"].startswith("indisponible")
    assert checks["database"] == checks["migrations"] == "ok"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_takes_tasks_only_once_the_migrations_are_applied(tmp_path):
    recorder = MigrationRecorder(connection)
    record = recorder.migration_qs.filter(app="stats").order_by("-id").first()
    recorder.record_unapplied(record.app, record.name)
    log_path = tmp_path / "worker.log"
    log_path.touch()
    started = {}
    controller, _inbox = smtp_listener()
    port = controller.port
    try:
        starting = threading.Thread(
            target=lambda: started.update(
                worker=start_worker(
                    smtp_port=port, log_path=log_path, extra_env={"PASIP_MIGRATIONS_WAIT": "60"}
                )
            )
        )
        starting.start()
        deadline = time.monotonic() + 30
        while "En attente des migrations" not in Path(log_path).read_text():
            assert time.monotonic() < deadline, Path(log_path).read_text()
            time.sleep(0.2)
        time.sleep(2)
        assert "ready." not in Path(log_path).read_text()  # not taking tasks
        recorder.record_applied(record.app, record.name)
        starting.join(timeout=60)
        try:
            assert "Migrations appliquées : démarrage." in Path(log_path).read_text()
            assert "ready." in Path(log_path).read_text()
        finally:
            stop_worker(started["worker"])
    finally:
        controller.stop()
