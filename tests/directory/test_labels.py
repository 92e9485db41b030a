"""One label per concept: the slip, the statistics and the pages name each value alike."""

from datetime import time

import pytest
from django.urls import reverse

from assessments.profile import SupportMode
from assessments.wording import language_label
from directory.enums import Language
from directory.models import Permanence, Structure
from pasip.workdays import Weekday, half_day_label
from slips import content
from stats.forms import FiltersForm
from stats.labels import SUPPORT_MODE_LABELS, typology_label
from tests.factories import AdvisorFactory, StructureFactory, commune

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", SupportMode.values)
def test_a_support_mode_has_one_label_on_the_slip_and_in_the_statistics(mode):
    label = str(SupportMode(mode).label)

    assert f"Accompagnement : {label}" in content.constraint_lines({"support_mode": mode})
    assert str(SUPPORT_MODE_LABELS[mode]) == label


@pytest.mark.parametrize("language", Language.values)
def test_a_language_has_one_label_on_the_slip_and_on_the_advisors_page(client, language):
    advisor = AdvisorFactory()
    client.force_login(advisor.user)
    page = client.get(reverse("directory_advisor", args=[advisor.pk])).content.decode()
    label = str(Language(language).label)

    assert language_label(language) == label
    assert f'value="{language}"' in page and label in page


def test_a_weekday_has_one_label_on_the_slip_the_summary_and_the_advisors_page(client):
    advisor = AdvisorFactory()
    for day in Permanence.DAYS:
        Permanence.objects.create(
            advisor=advisor, place=advisor.places.get(), weekday=day[0], start=time(9), end=time(12)
        )
    client.force_login(advisor.user)
    page = client.get(reverse("directory_advisor", args=[advisor.pk])).content.decode()

    for day in Weekday:
        label = str(day.label)
        assert half_day_label(f"{day.code}-am") == f"{label} matin"
        if day != Weekday.SUNDAY:  # no permanence on Sundays
            assert f"{label} 09:00–12:00" in page
    assert [value for value, _label in Permanence.DAYS] == list(range(6))


def test_a_structure_type_has_one_label_in_the_statistics_and_their_filters():
    for typology in Structure.Typology:
        StructureFactory(typology=typology.value)
    form = FiltersForm(department=commune("46042").department)
    offered = dict(form.fields["type"].choices)

    for typology in Structure.Typology:
        label = str(typology.label)
        assert typology_label(typology.value) == label
        assert Structure(typology=typology.value).get_typology_display() == label
        assert offered[typology.value] == label
    assert typology_label("") == "Non renseigné"
