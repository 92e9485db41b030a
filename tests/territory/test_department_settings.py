"""A département's own settings: its referral codes' prefix, its deadlines, its holiday calendar,
its statistics threshold and its name in the pages' and e-mails' footers; the national defaults
where it sets none."""

import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.test import override_settings

from notifications.services.kinds import email_render
from pasip.workdays import working_days_between
from referrals import services
from referrals.codes import CODE_ALPHABET, CODE_LENGTH, referral_code_typed
from referrals.services import referral_deadlines_apply
from stats.tables import department_tables, threshold
from territory.models import Commune, Department
from territory.services import department_served, territory_load
from tests.factories import (
    PASSWORD,
    AdvisorFactory,
    PersonFactory,
    ReferralFactory,
    StructureFactory,
    UserFactory,
)
from tests.territory.factories import department_commune

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def aveyron(**settings):
    return department_commune("12", "Aveyron", "12202", liaison=5, **settings)


def test_the_lot_loaded_from_its_files_keeps_its_prefix_name_and_partner():
    lot = Department.objects.get(code="46")
    assert (lot.referral_prefix, lot.of_name, lot.partner) == ("LOT", "du Lot", "Lot Numérique")
    lot.partner = "Autre hub"
    lot.save()
    territory_load()  # loading again keeps what the département's administrator set
    lot.refresh_from_db()
    assert lot.partner == "Autre hub"


def test_a_referral_code_carries_its_departments_prefix_and_six_characters():
    _aveyron, rodez = aveyron(code_prefix="AVE")
    person = PersonFactory(commune=rodez)
    referral = services.referral_send(
        user=person.created_by, person=person, advisor=AdvisorFactory(), needs=["demarches"]
    )
    assert re.fullmatch(rf"AVE-[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", referral.code)

    lozere, mende = department_commune("48", "Lozère", "48095", liaison=3)
    person = PersonFactory(commune=mende)
    referral = services.referral_send(
        user=person.created_by, person=person, advisor=AdvisorFactory(), needs=["demarches"]
    )
    assert referral.code.startswith("48-")  # no prefix set: the département's code
    # 25**6 codes per département: 244 times the 1,000,000 referrals of a national year.
    assert len(CODE_ALPHABET) ** CODE_LENGTH >= 244 * 1_000_000 > 600 * 390_625


def test_a_code_typed_without_its_prefix_is_found_in_the_users_departement(client):
    lot = Department.objects.get(code="46")
    assert referral_code_typed(" 7k3 qac ", lot) == "LOT-7K3QAC"
    assert referral_code_typed("ave-7k3qac", lot) == "AVE-7K3QAC"
    referral = ReferralFactory(code="LOT-7K3QAC")
    client.login(username=referral.referrer.username, password=PASSWORD)
    page = client.get("/orientations/", {"code": "7k3qac"}).content.decode()
    assert "LOT-7K3QAC" in page
    found = client.get("/api/v1/referrals/", {"code": "7k3qac"}).json()
    assert [row["code"] for row in found["results"]] == ["LOT-7K3QAC"]


def test_deadlines_are_the_departements_own_else_the_national_ones():
    _aveyron, rodez = aveyron(deadline_reminder=1, deadline_escalation=3, deadline_expiry=4)
    with time_machine.travel(datetime(2026, 7, 6, 10, tzinfo=PARIS), tick=False):  # Monday
        in_lot = ReferralFactory()
        in_aveyron = ReferralFactory(person=PersonFactory(commune=rodez))
    with time_machine.travel(datetime(2026, 7, 7, 9, tzinfo=PARIS), tick=False):  # 1 day
        assert referral_deadlines_apply()["reminder"] == 1
    assert list(in_aveyron.events.values_list("kind", flat=True)) == ["reminder"]
    assert not in_lot.events.filter(kind="reminder").exists()
    with time_machine.travel(datetime(2026, 7, 10, 9, tzinfo=PARIS), tick=False):  # 4 days
        assert referral_deadlines_apply()["expiry"] == 1
    in_aveyron.refresh_from_db()
    in_lot.refresh_from_db()
    assert (in_aveyron.state, in_lot.state) == ("expired", "sent")


def test_moselle_counts_good_friday_and_saint_stephen_as_holidays():
    moselle, _metz = department_commune("57", "Moselle", "57463", liaison=3)
    assert moselle.holidays == "57"
    thursday, friday = date(2026, 4, 2), date(2026, 4, 3)
    assert working_days_between(thursday, friday) == 1
    assert working_days_between(thursday, friday, moselle.holidays) == 0
    assert Department.objects.get(code="46").holidays is None


def test_a_moselle_referral_expires_a_day_later_over_good_friday():
    _moselle, metz = department_commune("57", "Moselle", "57463", liaison=3)
    with time_machine.travel(datetime(2026, 3, 23, 10, tzinfo=PARIS), tick=False):  # Monday
        in_lot = ReferralFactory()
        in_moselle = ReferralFactory(person=PersonFactory(commune=metz))
    # Monday 6 April (Easter Monday, national): the Lot's 10th working day is Friday 3 April.
    with time_machine.travel(datetime(2026, 4, 7, 9, tzinfo=PARIS), tick=False):
        referral_deadlines_apply()
    in_lot.refresh_from_db()
    in_moselle.refresh_from_db()
    assert (in_lot.state, in_moselle.state) == ("expired", "sent")  # Moselle: 9 days on 7 April
    with time_machine.travel(datetime(2026, 4, 8, 9, tzinfo=PARIS), tick=False):
        referral_deadlines_apply()
    in_moselle.refresh_from_db()
    assert in_moselle.state == "expired"


@override_settings(PASIP_STATS_MIN_COUNT=11)
def test_the_statistics_threshold_is_the_departements_own_else_the_national_one():
    strict, _commune = aveyron(stats_min_count=20)
    lot = Department.objects.get(code="46")
    assert (threshold(lot), threshold(strict), threshold()) == (11, 20, 11)
    with department_tables(strict):
        assert threshold() == 20
    assert threshold() == 11


def test_deadlines_out_of_order_are_refused_in_french():
    department = Department(code="12", name="Aveyron", deadline_reminder=6)
    with pytest.raises(ValidationError, match="La relance doit précéder l'alerte"):
        department.full_clean()


def test_the_e_mail_footer_names_the_recipients_departement():
    _aveyron, rodez = aveyron()
    in_aveyron = UserFactory(structure=StructureFactory(commune=rodez))
    in_lot = UserFactory()
    text, html = email_render(
        "referral_sent", subject="Nouvelle orientation", url="/", context={"recipient": in_aveyron}
    )
    assert "Département de l'Aveyron" in text and "Lot" not in text
    assert "Département de l&#x27;Aveyron" in html and "Lot" not in html
    text, html = email_render(
        "referral_sent", subject="Nouvelle orientation", url="/", context={"recipient": in_lot}
    )
    assert "PASIP numérique — Département du Lot et Lot Numérique" in text
    assert "Département du Lot et Lot Numérique." in html


def test_the_pages_name_the_users_departement(client):
    _aveyron, rodez = aveyron()
    user = UserFactory(structure=StructureFactory(commune=rodez))
    client.force_login(user)
    page = client.get("/", follow=True).content.decode()
    assert "PASIP numérique <span>Aveyron</span>" in page
    assert "un service du Département de l&#x27;Aveyron" in page
    client.logout()
    page = client.get("/connexion/").content.decode()
    assert "un service du Département du Lot" in page


@override_settings(
    PASIP_CONTROLLER={"name": "Département de l'Aveyron", "dpo_email": "dpo@aveyron.fr"}
)
def test_the_legal_pages_speak_for_the_users_departement_and_its_controller(client):
    _aveyron, rodez = aveyron(deadline_reminder=3, deadline_escalation=6, deadline_expiry=12)
    client.force_login(UserFactory(structure=StructureFactory(commune=rodez)))
    notice = client.get("/mentions-legales/").content.decode()
    assert "Conseil départemental de l&#x27;Aveyron" in notice
    assert "infrastructure du Département de l&#x27;Aveyron" in notice and " Lot" not in notice
    privacy = client.get("/confidentialite/").content.decode()
    assert "relancée après 3 jours ouvrés" in privacy and "après 12 ;" in privacy
    assert "dpo@aveyron.fr" in privacy and "Lot Numérique" not in privacy


def test_a_departement_loaded_from_the_national_files_is_named_with_its_article():
    territory_load("12")
    territory_load(["2A", "75"])
    names = {d.code: d.of_name for d in Department.objects.filter(code__in=["12", "2A", "75"])}
    assert names == {"12": "de l'Aveyron", "2A": "de la Corse-du-Sud", "75": "de Paris"}
    assert Department.objects.get(code="12").referral_prefix == "12"


@override_settings(PASIP_DEPARTMENT_CODE="12")
def test_load_territory_without_a_code_loads_the_departement_the_installation_serves():
    from django.core.management import call_command

    call_command("load_territory", stdout=io.StringIO())
    assert Commune.objects.filter(department__code="12").count() > 250
    assert department_served().of_name == "de l'Aveyron"


def test_a_commune_named_alike_in_two_departements_is_told_by_its_postal_code():
    from territory.forms import CommuneField

    territory_load("12")
    names = Commune.objects.values("name").annotate(n=Count("department", distinct=True))
    twin = names.filter(n__gt=1).order_by("name").first()["name"]
    field = CommuneField()
    for commune in Commune.objects.filter(name=twin):
        typed = f"{commune.name} ({commune.postal_codes.split()[0]})"
        assert field.clean(typed) == commune
