"""A burst of slip renderings never delays an e-mail: the slips have a queue of their own,
taken by a worker of its own (as docker-compose.yml runs them), with real workers and a real
SMTP listener."""

import time
from pathlib import Path

import pytest
from django.db import transaction

from notifications import services
from slips.tasks import prerender_slips
from tests.factories import ReferralFactory, UserFactory
from tests.processes import start_worker, stop_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_an_e_mail_goes_at_once_behind_a_burst_of_slip_renderings(smtp_inbox, territory, tmp_path):
    referrals = [ReferralFactory() for _ in range(12)]
    recipient = UserFactory()
    slips_log = tmp_path / "slips.log"
    mail = start_worker(
        smtp_port=smtp_inbox.port, log_path=tmp_path / "mail.log", queues=["celery"]
    )
    slips = start_worker(
        smtp_port=smtp_inbox.port, log_path=slips_log, queues=["slips", "stats"], purge=False
    )
    try:
        for referral in referrals:  # 12 referrals, 4 renderings each: several seconds of work
            prerender_slips.delay(referral.pk)
        with transaction.atomic():
            services.notify(
                recipient=recipient, referral=referrals[0], kind="referral_answered", subject="x"
            )
        smtp_inbox.wait_for(1, timeout=30)
        rendered = Path(slips_log).read_text().count("prerender_slips[")
        done = Path(slips_log).read_text().count("succeeded in")
        assert rendered >= 1  # the burst had started
        assert done < len(referrals)  # the e-mail did not wait for it
        deadline = time.monotonic() + 120
        while Path(slips_log).read_text().count("succeeded in") < len(referrals):
            assert time.monotonic() < deadline, "the slips were not all rendered"
            time.sleep(0.5)
    finally:
        stop_worker(mail)
        stop_worker(slips)
