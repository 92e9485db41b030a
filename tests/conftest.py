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
