"""A broker outage while importing the national file: no error page, nothing lost.

The uploads go through the pages with the database committing as in production, so the task
is published inside the request, to a Redis where nothing listens (the broker refusing: kombu's
`OperationalError`). When the broker is back, the beat sweep publishes the steps again; the
worker is Celery's eager mode, running the real tasks in this process.
"""

import logging
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory import services
from directory.models import DirectoryImport, Place
from directory.tasks import directory_import_apply, directory_import_check
from tests.directory.test_national import csv_file, row
from tests.factories import UserFactory
from tests.processes import publishing_to

pytestmark = pytest.mark.django_db(transaction=True)
BROKER_DOWN = "redis://127.0.0.1:1/0"  # nothing listens there
Status = DirectoryImport.Status


@contextmanager
def worker_back():
    """The broker is reachable again and a worker runs what is published."""
    from worker.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


def test_an_import_asked_while_the_broker_is_down_is_saved_then_done_by_the_sweep(
    client, territory, caplog
):
    caplog.set_level(logging.WARNING, logger="directory.services")
    client.force_login(UserFactory(coordinator=True))
    content = csv_file([row(), row(id="lieu-2")])

    with publishing_to(BROKER_DOWN):
        response = client.post(
            reverse("directory_imports"),
            {"file": SimpleUploadedFile("lieux-josette-delpech.csv", content)},
        )
        assert response.status_code == 302  # not a 500
        upload = DirectoryImport.objects.get()
        assert upload.status == Status.CHECKING and bytes(upload.content) == content
        page = client.get(response.url)
        assert page.status_code == 200 and "momentanément indisponible" in page.content.decode()
        # Still down at the sweep: left for the next one.
        assert services.directory_imports_requeue(older_than=0) == 0
    assert "left for the sweep" in caplog.text and "josette" not in caplog.text.lower()

    with worker_back():
        assert services.directory_imports_requeue(older_than=0) == 1
    upload.refresh_from_db()
    assert upload.status == Status.CHECKED and upload.counts["create"] == 2

    with publishing_to(BROKER_DOWN):
        response = client.post(reverse("directory_import_apply", args=[upload.pk]))
        assert response.status_code == 302
        page = client.get(response.url)
        assert page.status_code == 200 and "Application en cours" in page.content.decode()
        assert "momentanément indisponible" in page.content.decode()
    upload.refresh_from_db()
    assert upload.status == Status.APPLYING and Place.objects.count() == 0

    with worker_back():
        assert services.directory_imports_requeue(older_than=0) == 1
        assert services.directory_imports_requeue(older_than=0) == 0  # nothing left
    upload.refresh_from_db()
    assert upload.status == Status.APPLIED and Place.objects.count() == 2


def test_the_sweep_leaves_a_fresh_upload_to_its_own_task_and_a_started_one_alone(client, territory):
    client.force_login(UserFactory(coordinator=True))
    with publishing_to(BROKER_DOWN):
        client.post(
            reverse("directory_imports"),
            {"file": SimpleUploadedFile("lieux.csv", csv_file([row()]))},
        )
    upload = DirectoryImport.objects.get()
    assert services.directory_imports_requeue(older_than=300) == 0  # its task may be on its way
    DirectoryImport.objects.filter(pk=upload.pk).update(rows_done=250, rows_total=1000)
    assert services.directory_imports_requeue(older_than=0) == 0  # under way in a worker


def test_a_step_delivered_twice_or_late_changes_nothing_more(client, territory):
    client.force_login(UserFactory(coordinator=True))
    content = csv_file([row(), row(id="lieu-2")])
    with publishing_to(BROKER_DOWN):
        client.post(reverse("directory_imports"), {"file": SimpleUploadedFile("l.csv", content)})
    upload = DirectoryImport.objects.get()
    directory_import_check(upload.pk)
    with publishing_to(BROKER_DOWN):
        client.post(reverse("directory_import_apply", args=[upload.pk]))
    directory_import_check(upload.pk)  # the sweep's copy of the check, arriving late
    upload.refresh_from_db()
    assert upload.status == Status.APPLYING  # not sent back to "checked"
    directory_import_apply(upload.pk)
    directory_import_apply(upload.pk)
    upload.refresh_from_db()
    assert upload.status == Status.APPLIED and Place.objects.count() == 2
