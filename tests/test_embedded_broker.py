"""The embedded default's broker (message files): a worker polling while a message file is
still being written reads it later instead of dying on half a JSON document; with a real worker
on the filesystem broker and a real SMTP listener."""

import os
import time
from pathlib import Path

import pytest
from django.db import transaction
from kombu import Connection

from notifications import services
from notifications.tasks import send_notification
from tests.factories import ReferralFactory, UserFactory
from tests.processes import start_worker, stop_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def broker(folder):
    return Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(folder / "control"),
        },
    )


def test_a_message_file_half_written_is_read_once_whole_and_the_worker_keeps_going(
    smtp_inbox, territory, tmp_path
):
    folder = tmp_path / "broker"
    (folder / "control").mkdir(parents=True)
    recipient, referral = UserFactory(), ReferralFactory()
    with transaction.atomic():
        first, second = (
            services.notify(recipient=recipient, referral=referral, kind="referral_answered",
                            subject=subject)
            for subject in ("premier", "second")
        )  # fmt: skip
    with broker(folder) as connection:
        send_notification.apply_async(args=[first.pk], connection=connection)
        [written] = [name for name in os.listdir(folder) if name.endswith(".celery.msg")]
        whole = (folder / written).read_bytes()
        (folder / written).unlink()
        # A publisher caught in the middle of its write: half the file, sorted first.
        partial = folder / "0000000000001_ecriture-en-cours.celery.msg"
        partial.write_bytes(whole[: len(whole) // 2])
        send_notification.apply_async(args=[second.pk], connection=connection)

    worker = start_worker(
        smtp_port=smtp_inbox.port,
        log_path=tmp_path / "worker.log",
        broker_url="filesystem://",
        extra_env={"PASIP_TEST_BROKER_DIR": str(folder)},
        purge=False,
    )
    try:
        [message] = smtp_inbox.wait_for(1)
        assert message["Subject"] == "second"
        time.sleep(1)
        assert worker.poll() is None  # still running: the half file did not stop it
        assert partial.exists()  # given back, to be read again

        partial.write_bytes(whole)  # the publisher's write ends
        messages = smtp_inbox.wait_for(2)
        assert [m["Subject"] for m in messages] == ["second", "premier"]
        time.sleep(1)
        assert len(smtp_inbox.messages) == 2
        assert not partial.exists()
        assert "Traceback" not in Path(tmp_path / "worker.log").read_text()
    finally:
        stop_worker(worker)
