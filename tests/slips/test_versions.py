"""A slip's version is read in one query: whatever the slip prints changes it, so the cache
(shared by the web and worker processes) never serves a stale slip."""

import ast
from datetime import date, datetime, time, timedelta
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import Assessment
from directory.enums import Service
from directory.models import Absence, Permanence, Place, Structure
from people.models import Consent
from referrals.models import Referral
from slips import rendering, versions
from slips.content import Variant, slip_context
from slips.rendering import slip_html, slip_pdf
from slips.versions import slip_version
from tests.factories import AdvisorFactory, PlaceFactory, UserFactory, consented_referral

from .conftest import SUMMARY

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2026, 12, 21, 10, tzinfo=PARIS)  # the permanence is on Tuesdays, 9 h to 12 h


def rename_advisor(referral):
    referral.advisor.user.__class__.objects.filter(pk=referral.advisor.user_id).update(
        last_name="Castagné"
    )
    return "Castagné"


def rename_advisors_structure(referral):
    Structure.objects.filter(pk=referral.advisor.structure_id).update(name="Espace numérique")
    return "Espace numérique"


def rename_referrer(referral):
    type(referral.referrer).objects.filter(pk=referral.referrer_id).update(first_name="Mireille")
    return "Mireille"


def change_referrers_email(referral):
    type(referral.referrer).objects.filter(pk=referral.referrer_id).update(
        email="accueil@ccas-gramat.invalid"
    )
    return "accueil@ccas-gramat.invalid"


def rename_referring_structure(referral):
    Structure.objects.filter(pk=referral.referring_structure_id).update(name="CCAS de Gramat")
    return "CCAS de Gramat"


def change_referring_structures_phone(referral):
    Structure.objects.filter(pk=referral.referring_structure_id).update(phone="05 65 10 20 30")
    return "05 65 10 20 30"


def change_the_needs(referral):
    Referral.objects.filter(pk=referral.pk).update(needs=[Service.EMPLOYMENT.value])
    return Service.EMPLOYMENT.label


def correct_the_assessments_summary(referral):
    assessment = Assessment.objects.get(pk=referral.assessment_id)
    Assessment.objects.filter(pk=assessment.pk).update(
        profile={**assessment.profile, "summary": "Souhaite apprendre les courriels."}
    )
    return "Souhaite apprendre les courriels."


def attach_another_assessment(referral):
    other = Assessment.objects.create(
        person=referral.person,
        created_by=referral.referrer,
        profile={"summary": "Un autre diagnostic, corrigé."},
    )
    Referral.objects.filter(pk=referral.pk).update(assessment=other)
    return "Un autre diagnostic, corrigé."


def rename_whoever_recorded_the_consent(referral):
    consent = Consent.objects.get(person=referral.person)
    type(referral.referrer).objects.filter(pk=consent.recorded_by_id).update(last_name="Vidal")
    return "Vidal"


def record_a_newer_consent(referral):
    Consent.objects.create(
        person=referral.person,
        share_identity=True,
        share_assessment=True,
        method=Consent.Method.ORAL,
        recorded_by=referral.referrer,
        recorded_at=MONDAY + timedelta(minutes=5),
    )
    return "(oral, en entretien)"


def move_the_permanence(referral):
    Permanence.objects.filter(advisor=referral.advisor).update(start=time(14), end=time(17))
    return "de 14\u00a0h\u00a000 à 17\u00a0h\u00a000"


def add_a_permanence(referral):
    place = referral.advisor.places.get()
    Permanence.objects.create(
        advisor=referral.advisor, place=place, weekday=3, start=time(9), end=time(12)
    )
    return "Le jeudi 24 décembre"


def record_an_absence(referral):
    Absence.objects.create(
        advisor=referral.advisor, start=date(2026, 12, 22), end=date(2026, 12, 22)
    )
    return "Le mardi 12 janvier"  # a third Tuesday shown instead of the 22nd


def change_the_places_address(referral):
    Place.objects.filter(advisors=referral.advisor).update(address="12 rue Wilson")
    return "12 rue Wilson"


def change_the_places_phone(referral):
    Place.objects.filter(advisors=referral.advisor).update(phone="05 65 99 88 77")
    return "05 65 99 88 77"


def add_a_place_to_an_advisor_without_permanences(referral):
    Permanence.objects.filter(advisor=referral.advisor).delete()
    referral.advisor.places.add(
        PlaceFactory(structure=referral.advisor.structure, name="Tiers-lieu de Figeac")
    )
    return "Tiers-lieu de Figeac"


def change_the_appointments_place(referral):
    place = PlaceFactory(structure=referral.advisor.structure, name="Maison France Services")
    Referral.objects.filter(pk=referral.pk).update(
        appointment_at=datetime(2026, 12, 23, 14, tzinfo=PARIS), appointment_place=place
    )
    return "Maison France Services"


MUTATIONS = [
    rename_advisor,
    rename_advisors_structure,
    rename_referrer,
    change_referrers_email,
    rename_referring_structure,
    change_referring_structures_phone,
    change_the_needs,
    correct_the_assessments_summary,
    attach_another_assessment,
    rename_whoever_recorded_the_consent,
    record_a_newer_consent,
    move_the_permanence,
    add_a_permanence,
    record_an_absence,
    change_the_places_address,
    change_the_places_phone,
    add_a_place_to_an_advisor_without_permanences,
    change_the_appointments_place,
]


@time_machine.travel(MONDAY, tick=False)
@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda mutation: mutation.__name__)
def test_whatever_the_slip_prints_makes_a_new_version_and_the_cache_serves_it(mutation, profile):
    """Each change is made as a queryset's update or a new row (no "updated at" moves): the
    version comes from the printed values themselves."""
    referral = consented_referral(profile=profile)
    version = slip_version(referral.pk, Variant.NORMAL)
    page = slip_html(referral.pk, preview=True)
    assert slip_html(referral.pk, preview=True) == page  # cached

    new_text = mutation(referral)
    assert new_text not in page
    assert slip_version(referral.pk, Variant.NORMAL) != version
    assert new_text in slip_html(referral.pk, preview=True)


def test_the_versions_stored_values_are_everything_the_context_reads(profile):
    """Cross-check with the context: after each change above, the context (what the template
    prints) and the version change together, never the context alone."""
    with time_machine.travel(MONDAY, tick=False):
        for mutation in MUTATIONS:
            referral = consented_referral(profile=profile)
            before = (slip_version(referral.pk, Variant.NORMAL), slip_context(_fresh(referral)))
            mutation(referral)
            after = (slip_version(referral.pk, Variant.NORMAL), slip_context(_fresh(referral)))
            assert before[1] != after[1], mutation.__name__
            assert before[0] != after[0], mutation.__name__


def _fresh(referral):
    return Referral.objects.get(pk=referral.pk)


def test_the_day_and_the_permanences_already_over_today_make_new_versions():
    referral = consented_referral()  # Tuesdays, 9 h to 12 h
    tuesday = datetime(2026, 12, 22, 11, 30, tzinfo=PARIS)
    with time_machine.travel(tuesday, tick=False):
        during = slip_version(referral.pk, Variant.NORMAL)
        assert "Le mardi 22 décembre" in slip_html(referral.pk, preview=True)
    with time_machine.travel(tuesday.replace(hour=11, minute=59), tick=False):
        assert slip_version(referral.pk, Variant.NORMAL) == during
    with time_machine.travel(tuesday.replace(hour=12, minute=1), tick=False):
        assert slip_version(referral.pk, Variant.NORMAL) != during
        assert "Le mardi 22 décembre" not in slip_html(referral.pk, preview=True)
    # With no permanence at all, the date printed is still the day's.
    without_permanences = consented_referral(weekdays=())
    with time_machine.travel(MONDAY, tick=False):
        monday = slip_version(without_permanences.pk, Variant.NORMAL)
        assert "21/12/2026" in slip_html(without_permanences.pk, preview=True)
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        assert slip_version(without_permanences.pk, Variant.NORMAL) != monday
        assert "22/12/2026" in slip_html(without_permanences.pk, preview=True)


def test_each_variant_and_each_referral_has_its_own_version():
    referral, other = consented_referral(), consented_referral()
    versions = {
        slip_version(referral.pk, Variant.NORMAL),
        slip_version(referral.pk, Variant.LARGE),
        slip_version(other.pk, Variant.NORMAL),
    }
    assert len(versions) == 3
    assert slip_version(0, Variant.NORMAL) is None


def test_a_cached_slip_costs_one_query_for_its_version_and_one_cache_read(
    django_assert_num_queries,
):
    referral = consented_referral()
    version, pdf = slip_pdf(referral.pk)
    with django_assert_num_queries(2):  # the version, then the database cache's read
        assert slip_pdf(referral.pk) == (version, pdf)
    page = slip_html(referral.pk, preview=True, print_now=True)
    with django_assert_num_queries(2):
        assert slip_html(referral.pk, preview=True, print_now=True) == page


def test_a_change_while_the_slip_is_rendered_is_never_cached_under_the_older_version(
    monkeypatch,
):
    referral = consented_referral()
    real_render = rendering.render_pdf

    def render_while_the_state_changes(*args):
        Referral.objects.filter(pk=referral.pk).update(state="accepted")
        return real_render(*args)

    monkeypatch.setattr(rendering, "render_pdf", render_while_the_state_changes)
    version_before = slip_version(referral.pk, Variant.NORMAL)
    version, _pdf = slip_pdf(referral.pk)
    assert version is None  # served, with no version to cache it under
    assert not rendering.slip_cache().get(rendering.slip_key(referral.pk, version_before, "pdf"))


def test_a_cached_slip_is_still_refused_to_whoever_may_not_see_the_referral(client):
    referral = consented_referral()
    client.force_login(referral.referrer)
    for name in ("referral_slip", "referral_slip_preview"):
        assert client.get(reverse(name, args=[referral.pk])).status_code == 200  # now cached
    api = APIClient()
    api.force_authenticate(referral.referrer)
    assert api.get(f"/api/v1/referrals/{referral.pk}/slip/").status_code == 200
    for user in (UserFactory(), AdvisorFactory().user):
        client.force_login(user)
        for name in ("referral_slip", "referral_slip_preview"):
            assert client.get(reverse(name, args=[referral.pk])).status_code == 404
        api.force_authenticate(user)
        assert api.get(f"/api/v1/referrals/{referral.pk}/slip/").status_code == 404


def test_the_advisors_page_with_the_summary_is_cached_like_the_rest(profile):
    referral = consented_referral(profile=profile)
    summary = "déclarer ses revenus en ligne"
    assert summary in SUMMARY and summary in slip_html(referral.pk, preview=True)
    Consent.objects.filter(person=referral.person).update(share_assessment=False)
    assert summary not in slip_html(referral.pk, preview=True)


def _renders_anew_after(referral, change, new_text):
    version = slip_version(referral.pk, Variant.NORMAL)
    page = slip_html(referral.pk, preview=True)
    change()
    assert new_text not in page
    assert slip_version(referral.pk, Variant.NORMAL) != version
    assert new_text in slip_html(referral.pk, preview=True)


@time_machine.travel(MONDAY, tick=False)
def test_the_appointments_own_place_is_in_the_version():
    """A place of the structure that is not one of the advisor's (no other branch reads it)."""
    referral = consented_referral()
    place = PlaceFactory(structure=referral.advisor.structure, name="Maison France Services")
    Referral.objects.filter(pk=referral.pk).update(
        appointment_at=datetime(2026, 12, 23, 14, tzinfo=PARIS), appointment_place=place
    )
    _renders_anew_after(
        referral,
        lambda: Place.objects.filter(pk=place.pk).update(address="3 allée des Soupirs"),
        "3 allée des Soupirs",
    )


@time_machine.travel(MONDAY, tick=False)
def test_the_advisors_places_are_in_the_version_when_there_are_no_permanences():
    referral = consented_referral(weekdays=())
    _renders_anew_after(
        referral,
        lambda: Place.objects.filter(advisors=referral.advisor).update(address="12 rue Wilson"),
        "12 rue Wilson",
    )


@time_machine.travel(MONDAY, tick=False)
def test_which_places_are_the_advisors_is_in_the_version():
    """Away for the next four weeks, the advisor's places are printed instead of permanences:
    a place already printed elsewhere (here a permanence's) may join them."""
    referral = consented_referral(weekdays=())
    elsewhere = PlaceFactory(structure=referral.advisor.structure, name="Salle des fêtes")
    Permanence.objects.create(
        advisor=referral.advisor, place=elsewhere, weekday=1, start=time(9), end=time(12)
    )
    Absence.objects.create(advisor=referral.advisor, start=date(2026, 12, 21), end=date(2027, 2, 1))
    _renders_anew_after(referral, lambda: referral.advisor.places.add(elsewhere), "Salle des fêtes")


def test_the_version_is_one_query_prepared_once_per_postgresql_connection():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    referral = consented_referral()
    with CaptureQueriesContext(connection) as queries:
        versions = {slip_version(referral.pk, Variant.NORMAL) for _ in range(3)}
    assert len(versions) == 1 and len(queries) == 3
    if connection.vendor == "sqlite":  # its driver keeps its statements prepared by itself
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH r AS%%'"
        )
        assert cursor.fetchone() == (1,)


def test_a_slip_view_logs_the_access_once_and_not_for_an_erased_persons_referral(client):
    from django.utils import timezone

    from people.models import Person, PersonAccess

    referral = consented_referral()
    client.force_login(referral.referrer)
    url = reverse("referral_slip_preview", args=[referral.pk])
    assert client.get(url).status_code == 200
    assert PersonAccess.objects.filter(person=referral.person).count() == 1
    Person.objects.filter(pk=referral.person_id).update(erased_at=timezone.now())
    assert client.get(url).status_code == 200
    assert client.get(reverse("referral_slip", args=[referral.pk])).status_code == 200
    assert PersonAccess.objects.filter(person=referral.person).count() == 1


# The modules whose code makes what a slip prints (its words, labels, layout and rendering).
PRINTING_MODULES = ("slips/content.py", "slips/wording.py", "slips/rendering.py")
TEMPLATE_TAGS = sorted((Path(__file__).resolve().parents[2] / "slips/templatetags").glob("*.py"))


def project_imports(path):
    """The project's own modules that the file at `path` imports, as paths of files."""
    root = Path(settings.BASE_DIR)
    packages = {child.name for child in root.iterdir() if (child / "__init__.py").exists()}
    found = set()
    for node in ast.walk(ast.parse((root / path).read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name.split(".")[0] in packages:
                module = root / Path(*name.split("."))
                found.add(f"{module.relative_to(root)}.py" if not module.is_dir() else name)
    return found


@pytest.mark.parametrize(
    "path",
    [*PRINTING_MODULES, *(f"slips/templatetags/{path.name}" for path in TEMPLATE_TAGS)],
)
def test_every_project_module_the_slip_is_made_with_is_in_the_code_digest(path):
    """A label changed in a module the slip imports makes new versions at the next deployment
    (assessments/profile.py, which names the support modes, was once left out)."""
    covered = {
        str(file.relative_to(settings.BASE_DIR))
        for pattern in versions.SOURCES
        for file in Path(settings.BASE_DIR).glob(pattern)
    }
    assert project_imports(path) <= covered


def test_a_new_release_of_a_library_the_slip_is_made_with_makes_new_versions(monkeypatch):
    before = versions.code_digest.__wrapped__()
    assert versions.code_digest.__wrapped__() == before
    real = metadata.version
    for library in ("weasyprint", "django", "holidays"):
        monkeypatch.setattr(
            versions.metadata,
            "version",
            lambda name, library=library: "0.0" if name == library else real(name),
        )
        assert versions.code_digest.__wrapped__() != before, library
