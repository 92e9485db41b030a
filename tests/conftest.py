import pytest

from territory.models import Commune
from territory.services import territory_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The Lot's communes are loaded once into the test database."""
    with django_db_blocker.unblock():
        territory_load()


@pytest.fixture
def territory(django_db_blocker):
    """For tests that flush the database (transaction=True): the territory, loaded again."""
    with django_db_blocker.unblock():
        if not Commune.objects.exists():
            territory_load()


@pytest.fixture
def smtp_inbox():
    """A real SMTP listener on loopback; yields its inbox."""
    from tests.processes import smtp_listener

    controller, inbox = smtp_listener()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def celery_worker(transactional_db, territory, smtp_inbox, tmp_path):
    """A real Celery worker process, sending e-mails to `smtp_inbox`."""
    from tests.processes import start_worker, stop_worker

    process = start_worker(smtp_port=smtp_inbox.port, log_path=tmp_path / "worker.log")
    yield process
    stop_worker(process)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty default cache (the slips' cache is a table of the test
    database, see tests/slips/conftest.py)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def page(live_server, territory):
    """A Chromium page on the live server (tests marked `browser`)."""
    from tests.browser.chromium import chromium_page

    with chromium_page(live_server.url, accept_downloads=True) as page:
        yield page
