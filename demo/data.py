"""Fictional demo data for the Lot (46): structures, advisors, logins, persons, referrals.

Every name, address, phone number and e-mail here is invented; e-mails use the reserved `.invalid`
top-level domain. Idempotent: structures, places and users are keyed on their names and usernames,
and persons, their assessments and referrals are only generated when no demo social worker has any
yet. Rows are written directly with the ORM, never through the services, so that no notification
is queued; but every referral's history is checked first against the lifecycle's transition
table (`demo.timelines.timeline_check`), so the demo has no lifecycle of its own.
"""

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from assessments.models import Assessment, QuestionnaireVersion
from assessments.services import questionnaire_load_file
from directory.enums import Service, SpecificNeed, StructureKind, SupportFormat
from directory.models import Absence, Advisor, Permanence, Place, Structure
from pasip.workdays import add_working_days, is_working_day, working_days_between
from people.models import Consent, ContactChannel, Person
from referrals.models import (
    OPEN_STATES,
    DeclineReason,
    EventKind,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralState,
)
from referrals.services import referral_code_new
from territory.models import Commune, haversine_km
from territory.services import territory_load

from .assessments import demo_assessment
from .timelines import timeline_check

DEMO_EMAIL_DOMAIN = "demo.pasip.invalid"
PERSON_EMAIL_DOMAIN = "exemple.invalid"
DEPARTMENT_CODE = "46"

PERSON_COUNT = 250
REFERRAL_COUNT = 350
# The assessment came into use this many days ago: half the referrals sent before have none.
ASSESSMENT_SINCE_DAYS = 300
EXPIRY_DAYS = 15  # a referral left unanswered this long is marked expired
INBOX_COUNT = 6  # recent referrals from `travailleur.social` waiting for `conseiller`
# Referrals waiting this many working days for an answer, so that the coordinator's board shows
# at once a stalled one (reminded, not yet escalated) and escalated ones (the deadlines are
# `settings.PASIP_DEADLINES`: reminder after 2 working days, escalation after 5, expiry after 10).
BOARD_WAITING_WORKING_DAYS = (3, 4, 6, 8)

# --- Structures -------------------------------------------------------------------------------

# (name, typology of the national standard, INSEE code of the commune, phone)
SOCIAL_STRUCTURES = [
    ("Maison des solidarités départementales de Cahors", "MDS", "46042", "05 65 53 40 00"),
    ("Maison des solidarités départementales de Figeac", "MDS", "46102", "05 65 34 41 00"),
    ("Maison des solidarités départementales de Gourdon", "MDS", "46127", "05 65 41 42 00"),
    ("Maison des solidarités départementales de Gramat", "MDS", "46128", "05 65 38 43 00"),
    ("Maison des solidarités départementales de Saint-Céré", "MDS", "46251", "05 65 38 44 00"),
    ("Maison des solidarités départementales de Souillac", "MDS", "46309", "05 65 37 45 00"),
    ("CCAS de Cahors", "CCAS", "46042", "05 65 20 46 00"),
    ("CAF du Lot", "CAF", "46042", "05 65 20 47 00"),
    ("MSA Midi-Pyrénées Nord", "MSA", "46042", "05 65 20 48 00"),
    ("France Services de Lacapelle-Marival", "RFS", "46143", "05 65 40 49 00"),
    ("Conseil départemental du Lot", "DEPT", "46042", "05 65 53 50 00"),
    ("Lot Numérique", "Autre", "46042", "05 65 20 51 00"),
]
MDS_CAHORS = SOCIAL_STRUCTURES[0][0]
CCAS_CAHORS = "CCAS de Cahors"
DEPARTMENT_WIDE = {"CAF du Lot", "MSA Midi-Pyrénées Nord"}  # receive persons from everywhere
DEPARTMENT_COUNCIL = "Conseil départemental du Lot"
LOT_NUMERIQUE = "Lot Numérique"


@dataclass(frozen=True)
class MediationStructure:
    name: str
    typology: str
    insee: str
    phone: str
    places: tuple  # (name, address, INSEE code); the first is in the structure's commune
    advisors: int


MEDIATION_STRUCTURES = [
    MediationStructure(
        "Médiathèque du Grand Cahors – espace numérique",
        "BIB",
        "46042",
        "05 65 24 60 00",
        (
            ("Médiathèque du Grand Cahors", "12 rue de la Bibliothèque", "46042"),
            ("Antenne numérique de Pradines", "Place de la Mairie", "46224"),
        ),
        3,
    ),
    MediationStructure(
        "Le Quai numérique",
        "TIERS_LIEUX",
        "46042",
        "05 65 24 61 00",
        (("Le Quai numérique", "5 quai des Tanneurs", "46042"),),
        2,
    ),
    MediationStructure(
        "Espace public numérique de Figeac",
        "EPN",
        "46102",
        "05 65 34 62 00",
        (
            ("EPN de Figeac", "10 rue des Écoles", "46102"),
            ("Permanence numérique de Capdenac", "Place de la Mairie", "46055"),
        ),
        3,
    ),
    MediationStructure(
        "Médiathèque de Gourdon",
        "BIB",
        "46127",
        "05 65 41 63 00",
        (("Médiathèque de Gourdon", "4 boulevard des Promenades", "46127"),),
        2,
    ),
    MediationStructure(
        "France Services de Gramat",
        "RFS",
        "46128",
        "05 65 38 64 00",
        (
            ("France Services de Gramat", "18 avenue de la Gare", "46128"),
            ("Permanence numérique de Rocamadour", "Place de la Mairie", "46240"),
        ),
        2,
    ),
    MediationStructure(
        "Clic & Causse",
        "ASSO",
        "46251",
        "05 65 38 65 00",
        (
            ("Local Clic & Causse de Saint-Céré", "7 rue du Mazel", "46251"),
            ("Permanence numérique de Bretenoux", "Place des Consuls", "46038"),
            ("Permanence numérique de Biars-sur-Cère", "Avenue de la République", "46029"),
        ),
        2,
    ),
    MediationStructure(
        "La Fabrique de Souillac",
        "TIERS_LIEUX",
        "46309",
        "05 65 37 66 00",
        (
            ("La Fabrique de Souillac", "3 rue de la Halle", "46309"),
            ("Permanence numérique de Martel", "Place de la Mairie", "46185"),
        ),
        2,
    ),
    MediationStructure(
        "France Services de la Vallée du Lot",
        "RFS",
        "46225",
        "05 65 22 67 00",
        (
            ("France Services de Prayssac", "9 avenue de la Gare", "46225"),
            ("Permanence numérique de Puy-l'Évêque", "Place de la Mairie", "46231"),
            ("Permanence numérique de Luzech", "Rue du Barry", "46182"),
        ),
        2,
    ),
    MediationStructure(
        "Médiathèque intercommunale du Pays de Lalbenque-Limogne",
        "BIB",
        "46148",
        "05 65 31 68 00",
        (
            ("Médiathèque de Lalbenque", "Place de la Mairie", "46148"),
            ("Point lecture de Limogne-en-Quercy", "2 route de Cahors", "46173"),
        ),
        1,
    ),
    MediationStructure(
        "Numérique en Quercy Blanc",
        "ASSO",
        "46063",
        "05 65 21 69 00",
        (
            ("Espace numérique de Castelnau-Montratier", "Place Gambetta", "46063"),
            ("Permanence numérique de Montcuq", "Rue du Faubourg", "46201"),
        ),
        1,
    ),
    MediationStructure(
        "Centre social du Ségala – atelier numérique",
        "CS",
        "46143",
        "05 65 40 70 00",
        (
            ("Centre social de Lacapelle-Marival", "1 rue du Château", "46143"),
            ("Permanence numérique de Latronquière", "Place de la Mairie", "46160"),
        ),
        2,
    ),
    MediationStructure(
        "Tiers-lieu du Causse",
        "TIERS_LIEUX",
        "46138",  # Cœur de Causse, around Labastide-Murat
        "05 65 21 71 00",
        (("Tiers-lieu de Labastide-Murat", "Grand Rue", "46138"),),
        1,
    ),
]

# --- People -----------------------------------------------------------------------------------

# (username or None for prenom.nom, first name, last name); in the order of MEDIATION_STRUCTURES.
ADVISOR_NAMES = [
    ("conseiller", "Camille", "Delpech"),
    (None, "Julien", "Lacoste"),
    (None, "Sophie", "Cayla"),
    (None, "Nicolas", "Bouyssou"),
    (None, "Élodie", "Lafon"),
    (None, "Thomas", "Vidal"),
    (None, "Marion", "Delmas"),
    (None, "Romain", "Bessières"),
    (None, "Laura", "Lagarrigue"),
    (None, "Kevin", "Marty"),
    (None, "Céline", "Pouget"),
    (None, "Mathieu", "Fabre"),
    (None, "Aurélie", "Roques"),
    (None, "Florian", "Bonnet"),
    (None, "Émilie", "Couderc"),
    (None, "Maxime", "Calmels"),
    (None, "Pauline", "Soulié"),
    (None, "Benoît", "Lavergne"),
    (None, "Chloé", "Rigal"),
    (None, "Hugo", "Malbec"),
    (None, "Justine", "Bousquet"),
    (None, "Yannick", "Cassagne"),
    (None, "Sandrine", "Miquel"),
]
ADVISOR_COUNT = len(ADVISOR_NAMES)

# (username, first name, last name, structure name, weight in choosing who registers a person)
SOCIAL_WORKERS = [
    ("travailleur.social", "Nathalie", "Garrigues", MDS_CAHORS, 2.0),
    ("ts.cahors", "Isabelle", "Mouly", MDS_CAHORS, 1.0),
    ("ts.figeac", "Frédéric", "Salgues", SOCIAL_STRUCTURES[1][0], 1.2),
    ("ts.gourdon", "Valérie", "Lestrade", SOCIAL_STRUCTURES[2][0], 1.0),
    ("ts.gramat", "Christophe", "Austruy", SOCIAL_STRUCTURES[3][0], 1.0),
    ("ts.saint-cere", "Sylvie", "Cantagrel", SOCIAL_STRUCTURES[4][0], 1.0),
    ("ts.souillac", "Delphine", "Teulière", SOCIAL_STRUCTURES[5][0], 1.0),
    ("ts.cahors.ccas", "Karine", "Bru", CCAS_CAHORS, 1.0),
    ("ts.cahors.caf", "Patrick", "Séguy", "CAF du Lot", 0.25),
    ("ts.cahors.msa", "Anne", "Lacombe", "MSA Midi-Pyrénées Nord", 0.2),
    ("ts.lacapelle-marival", "Hélène", "Vialard", "France Services de Lacapelle-Marival", 1.0),
]

# (username, first name, last name, role, structure name or None)
OTHER_LOGINS = [
    ("coordination", "Mathilde", "Rességuier", Role.COORDINATOR, LOT_NUMERIQUE),
    ("pilotage", "Bruno", "Carrié", Role.OFFICER, DEPARTMENT_COUNCIL),
    ("admin", "Alexandre", "Valette", Role.ADMINISTRATOR, None),
]

ROLE_LOGINS = ["travailleur.social", "conseiller", "coordination", "pilotage", "admin"]

FIRST_NAMES = [
    "Marie", "Jeanne", "Josette", "Monique", "Françoise", "Nicole", "Christiane", "Simone",
    "Martine", "Sylvie", "Nathalie", "Sandrine", "Aurélie", "Laetitia", "Manon", "Léa", "Inès",
    "Fatima", "Yvette", "Odette", "Jean", "Pierre", "Michel", "André", "Bernard", "Jacques",
    "Alain", "Gérard", "Daniel", "Patrick", "Philippe", "Christian", "Didier", "Éric", "Stéphane",
    "Sébastien", "Mickaël", "Kevin", "Dylan", "Mohamed", "Raymond", "Lucien", "Paulette",
    "Germaine", "Henri", "Roger",
]  # fmt: skip
LAST_NAMES = [
    "Delrieu", "Lafage", "Bouzou", "Cayrou", "Vayssière", "Lacassagne", "Pélissié", "Taillade",
    "Andrieu", "Gineste", "Fourès", "Bergougnoux", "Castagné", "Delfau", "Murat", "Mazet",
    "Lascoux", "Nouvel", "Rouquié", "Sabrié", "Lagane", "Bouscarel", "Cabanès", "Darnis", "Estival",
    "Faurie", "Gaillard", "Issaly", "Jouclas", "Lapergue", "Marcouly", "Olivié", "Périé",
    "Quercy", "Rivière", "Salvat", "Terral", "Valéry", "Vergnes", "Martin", "Bernard", "Durand",
    "Moreau", "Garcia", "Lopez", "Petit", "Robert", "Richard", "Dubois", "Girard",
]  # fmt: skip

NEED_WEIGHTS = {
    Service.ADMIN_PROCEDURES: 40,
    Service.EVERYDAY_TOOLS: 30,
    Service.SAFETY: 8,
    Service.EMPLOYMENT: 8,
    Service.ACCESS: 7,
    Service.EQUIPMENT_PURCHASE: 5,
    Service.PARENTING: 4,
    Service.UNDERSTANDING: 4,
}  # not "Loisirs" (advisors offer it): no question of the assessment leads to it
CORE_THEMES = [Service.ADMIN_PROCEDURES, Service.EVERYDAY_TOOLS]
OTHER_THEMES = [service for service in Service if service not in CORE_THEMES]

PERMANENCE_SLOTS = [
    (time(9, 0), time(12, 0)),
    (time(9, 30), time(12, 30)),
    (time(14, 0), time(17, 0)),
    (time(13, 30), time(17, 30)),
    (time(10, 0), time(16, 0)),
]

DECLINE_DETAILS = [
    "La personne est déjà accompagnée par un autre conseiller.",
    "Conseiller absent jusqu'à la fin du mois, merci de réorienter.",
    "La demande relève d'un écrivain public.",
    "La personne souhaite un accompagnement à domicile, que nous ne proposons pas.",
]
CANCEL_REASONS = [
    "La personne a trouvé une aide ailleurs.",
    "La personne ne souhaite plus être accompagnée.",
    "Erreur de conseiller, nouvelle orientation envoyée.",
    "Démarche finalement réalisée en entretien.",
]
FAILURE_REASONS = [
    "La personne ne s'est pas présentée aux rendez-vous proposés.",
    "Personne injoignable après plusieurs relances.",
    "La personne a déménagé hors du département.",
]

# State weights, by minimum age in days for the state to be plausible.
OLD_STATE_WEIGHTS = [  # sent more than EXPIRY_DAYS + 1 days ago
    (ReferralState.ACCEPTED, 36, 0),
    (ReferralState.IN_PROGRESS, 12, 0),
    (ReferralState.COMPLETED, 22, 25),
    (ReferralState.FAILED, 4, 25),
    (ReferralState.DECLINED, 10, 0),
    (ReferralState.EXPIRED, 8, 0),
    (ReferralState.CANCELLED, 8, 0),
]
RECENT_STATE_WEIGHTS = [
    (ReferralState.SENT, 45, 0),
    (ReferralState.ACCEPTED, 30, 0),
    (ReferralState.IN_PROGRESS, 10, 3),
    (ReferralState.DECLINED, 8, 0),
    (ReferralState.CANCELLED, 5, 0),
]


def _ascii_slug(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char if char.isalnum() else "-" for char in text.lower()).strip("-")


def _demo_email(first_name, last_name):
    return f"{_ascii_slug(first_name)}.{_ascii_slug(last_name)}@{DEMO_EMAIL_DOMAIN}"


@dataclass
class _AdvisorInfo:
    advisor: Advisor
    name: str
    themes: frozenset
    points: list = field(default_factory=list)  # (latitude, longitude) of the advisor's places

    def distance_km(self, commune):
        return min(haversine_km(commune.latitude, commune.longitude, *p) for p in self.points)


@transaction.atomic
def demo_load(*, password, seed=46):
    """Loads the demo data; returns a summary dict. Safe to run again: it adds nothing twice."""
    rng = random.Random(seed)
    territory_load(department_code=DEPARTMENT_CODE)
    communes = {
        commune.insee: commune
        for commune in Commune.objects.filter(department__code=DEPARTMENT_CODE)
    }
    password_hash = make_password(password)  # hashed once: hashing is deliberately slow

    social = _social_structures_load(communes)
    mediation, places = _mediation_structures_load(rng, communes)
    users = _users_load(social, password_hash)
    advisors = _advisors_load(rng, mediation, places, password_hash, users)
    # Its own draw, so that the persons and referrals drawn below stay the same.
    _directory_details_load(random.Random(seed + 1), places, advisors, communes)

    social_workers = [users[username] for username, *_rest in SOCIAL_WORKERS]
    already = (
        Person.objects.filter(created_by__in=social_workers).exists()
        or Referral.objects.filter(referrer__in=social_workers).exists()
    )
    created = not already
    if created:
        _persons_and_referrals_load(rng, communes, social_workers, social, advisors)

    referrals = Referral.objects.filter(referrer__in=social_workers)
    return {
        "created_referrals": created,
        "social_structures": len(social),
        "mediation_structures": len(mediation),
        "places": sum(len(structure_places) for structure_places in places.values()),
        "advisors": len(advisors),
        "permanences": Permanence.objects.filter(
            advisor__in=[info.advisor for info in advisors]
        ).count(),
        "users": len(users),
        "persons": Person.objects.filter(created_by__in=social_workers).count(),
        "referrals": referrals.count(),
        "referrals_by_state": dict(Counter(referrals.values_list("state", flat=True))),
        "logins": [
            (username, users[username].get_role_display(), users[username].structure)
            for username in ROLE_LOGINS
        ],
        "password": password,
    }


def _social_structures_load(communes):
    structures = {}
    for name, typology, insee, phone in SOCIAL_STRUCTURES:
        structures[name], _created = Structure.objects.update_or_create(
            name=name,
            defaults={
                "kind": StructureKind.SOCIAL,
                "typology": typology,
                "commune": communes[insee],
                "phone": phone,
                "email": f"accueil.{_ascii_slug(name)}@{DEMO_EMAIL_DOMAIN}",
            },
        )
    return structures


def _mediation_structures_load(rng, communes):
    structures, places = {}, {}
    for spec in MEDIATION_STRUCTURES:
        structure, _created = Structure.objects.update_or_create(
            name=spec.name,
            defaults={
                "kind": StructureKind.MEDIATION,
                "typology": spec.typology,
                "commune": communes[spec.insee],
                "phone": spec.phone,
                "email": f"contact.{_ascii_slug(spec.name)}@{DEMO_EMAIL_DOMAIN}",
            },
        )
        structures[spec.name] = structure
        places[spec.name] = []
        for index, (place_name, address, insee) in enumerate(spec.places):
            commune = communes[insee]
            # The first place of the first structure sits on the commune point (see _advisors_load).
            offset = 0.0 if (index == 0 and spec is MEDIATION_STRUCTURES[0]) else 0.004
            place, _created = Place.objects.update_or_create(
                structure=structure,
                name=place_name,
                defaults={
                    "address": address,
                    "commune": commune,
                    "latitude": round(commune.latitude + rng.uniform(-offset, offset), 6),
                    "longitude": round(commune.longitude + rng.uniform(-offset, offset), 6),
                    "phone": spec.phone if index == 0 else spec.phone[:-2] + f"{10 + index:02d}",
                },
            )
            places[spec.name].append(place)
    return structures, places


def _user_save(username, first_name, last_name, role, structure, password_hash, *, admin=False):
    user, _created = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": _demo_email(first_name, last_name),
            "role": role,
            "structure": structure,
            "phone": structure.phone if structure else "",
            "is_active": True,
            "is_staff": admin,
            "is_superuser": admin,
            "password": password_hash,
        },
    )
    return user


def _users_load(social, password_hash):
    users = {}
    for username, first_name, last_name, structure_name, _weight in SOCIAL_WORKERS:
        users[username] = _user_save(
            username,
            first_name,
            last_name,
            Role.SOCIAL_WORKER,
            social[structure_name],
            password_hash,
        )
    for username, first_name, last_name, role, structure_name in OTHER_LOGINS:
        users[username] = _user_save(
            username,
            first_name,
            last_name,
            role,
            social[structure_name] if structure_name else None,
            password_hash,
            admin=role == Role.ADMINISTRATOR,
        )
    return users


def _advisor_themes(rng):
    """Themes for the 23 advisors: the two core ones for most, the others in rotation."""
    others = OTHER_THEMES[:]
    rng.shuffle(others)
    cursor = 0
    themes = []
    for index in range(ADVISOR_COUNT):
        chosen = set()
        if index == 0:  # `conseiller`: both core themes, always
            chosen.update(CORE_THEMES)
        else:
            if rng.random() < 0.87:
                chosen.add(Service.ADMIN_PROCEDURES)
            if rng.random() < 0.8:
                chosen.add(Service.EVERYDAY_TOOLS)
        extra = rng.randint(1, 4)
        extra = min(extra, 6 - len(chosen))
        for _step in range(extra):
            chosen.add(others[cursor % len(others)])
            cursor += 1
        if len(chosen) < 2:
            chosen.add(rng.choice(CORE_THEMES))
        themes.append([service.value for service in Service if service in chosen])
    return themes


def _advisors_load(rng, mediation, places, password_hash, users):
    themes = _advisor_themes(rng)
    infos = []
    names = iter(enumerate(ADVISOR_NAMES))
    for spec in MEDIATION_STRUCTURES:
        structure = mediation[spec.name]
        structure_places = places[spec.name]
        for _rank in range(spec.advisors):
            index, (username, first_name, last_name) = next(names)
            username = username or f"{_ascii_slug(first_name)}.{_ascii_slug(last_name)}"
            user = _user_save(
                username, first_name, last_name, Role.ADVISOR, structure, password_hash
            )
            users[username] = user
            advisor, _created = Advisor.objects.update_or_create(
                user=user,
                defaults={"structure": structure, "themes": themes[index], "is_active": True},
            )
            if index == 0 or len(structure_places) == 1:
                advisor_places = [structure_places[0]]
            else:
                advisor_places = rng.sample(structure_places, rng.randint(1, 2))
            advisor.places.set(advisor_places)
            weekdays = sorted(rng.sample(range(5), rng.randint(1, 3)))
            for weekday in weekdays:
                start, end = rng.choice(PERMANENCE_SLOTS)
                Permanence.objects.get_or_create(
                    advisor=advisor,
                    place=rng.choice(advisor_places),
                    weekday=weekday,
                    start=start,
                    end=end,
                )
            infos.append(
                _AdvisorInfo(
                    advisor=advisor,
                    name=user.get_full_name(),
                    themes=frozenset(themes[index]),
                    points=[(place.latitude, place.longitude) for place in advisor_places],
                )
            )
    return infos


OPENING_HOURS = [
    "Mo-Fr 09:00-12:00,14:00-17:30",
    "Tu-Sa 09:30-12:30; We 14:00-18:00",
    "Mo,We,Fr 09:00-12:00",
    "Tu,Th 14:00-17:00; Sa 10:00-12:00",
    "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00",
]
LANGUAGE_SETS = [
    ["fr"],
    ["fr"],
    ["fr"],
    ["fr", "en"],
    ["fr", "es"],
    ["fr", "en", "pt"],
    ["fr", "oc"],
]
STALE_ENTRIES = 3  # advisors whose entry was last updated months ago, for the coordinator


def _directory_details_load(rng, places, advisors, communes):
    """Opening hours, accessibility, formats, languages, home visits, remote help, absences."""
    for structure_places in places.values():
        for place in structure_places:
            accessible = rng.random() < 0.8
            Place.objects.filter(pk=place.pk).update(
                opening_hours=rng.choice(OPENING_HOURS),
                specific_support=[SpecificNeed.MOTOR.value] if accessible else [],
                support_formats=[SupportFormat.INDIVIDUAL.value, SupportFormat.WORKSHOP.value],
                services=[service.value for service in Service],
                postal_code=place.commune.postal_codes.split()[0],
            )
    now = timezone.now()
    for index, info in enumerate(advisors):
        advisor = info.advisor
        formats = [SupportFormat.INDIVIDUAL.value]
        if rng.random() < 0.6:
            formats.append(SupportFormat.WORKSHOP.value)
        remote_phone, remote_video = rng.random() < 0.5, rng.random() < 0.25
        if remote_phone or remote_video:
            formats.append(SupportFormat.REMOTE.value)
        specific = rng.sample([n.value for n in SpecificNeed if n != SpecificNeed.MOTOR], 2)
        Advisor.objects.filter(pk=advisor.pk).update(
            support_formats=formats,
            languages=rng.choice(LANGUAGE_SETS),
            specific_needs=specific[: rng.choice([0, 0, 1, 2])],
            remote_phone=remote_phone,
            remote_video=remote_video,
            aidants_connect=index == 0 or rng.random() < 0.4,
            # The "conseiller" login (index 0) has many open referrals: room left for more, so
            # that it is suggested (a full advisor never is).
            capacity=max(rng.choice([10, 12, 15, 15, 20, 25]), 30 if index == 0 else 0),
            updated_at=now - timedelta(days=200 + 30 * index)
            if 0 < index <= STALE_ENTRIES
            else now - timedelta(days=rng.randint(1, 60)),
        )
        if rng.random() < 0.35:  # home visits within 15 km of one of the advisor's places
            near = [c for c in communes.values() if info.distance_km(c) <= 15]
            advisor.home_visit_communes.set(rng.sample(near, min(len(near), rng.randint(3, 8))))
        else:
            advisor.home_visit_communes.clear()
    today = timezone.localdate()
    for info, (start, days) in zip(advisors[5:7], [(3, 12), (-2, 20)], strict=True):
        if not info.advisor.absences.exists():
            Absence.objects.create(
                advisor=info.advisor,
                start=today + timedelta(days=start),
                end=today + timedelta(days=start + days),
                note="Congés",
            )


# --- Persons and referrals --------------------------------------------------------------------


def _moment(rng, day):
    """An aware datetime on `day` (moved off weekends) during office hours, Paris time."""
    if day.weekday() >= 5:
        day -= timedelta(days=day.weekday() - 4)
    minutes = rng.randint(8 * 60 + 30, 17 * 60 + 30)
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def _later(rng, start, max_days, now):
    """A plausible moment 0–max_days after `start` (mostly soon), never in the future."""
    days = int(max_days * rng.random() ** 2)
    moment = _moment(rng, timezone.localtime(start).date() + timedelta(days=days))
    if moment <= start:
        moment = start + timedelta(minutes=rng.randint(20, 240))
    if moment >= now:
        moment = start + (now - start) * rng.uniform(0.2, 0.8)
    return moment


def _social_worker_pick(rng, commune, social_workers, weights_by_user):
    weights = []
    for user in social_workers:
        base, structure = weights_by_user[user.pk]
        if structure.name == CCAS_CAHORS:
            weight = base if commune.pk == structure.commune_id else 0.0
        elif structure.name in DEPARTMENT_WIDE:
            weight = base
        else:
            distance = haversine_km(
                commune.latitude,
                commune.longitude,
                structure.commune.latitude,
                structure.commune.longitude,
            )
            weight = base / (1 + (distance / 12) ** 2)
        weights.append(weight)
    return rng.choices(social_workers, weights=weights)[0]


def _needs_pick(rng):
    count = rng.choices([1, 2, 3], weights=[55, 33, 12])[0]
    pool = dict(NEED_WEIGHTS)
    needs = []
    for _step in range(count):
        need = rng.choices(list(pool), weights=list(pool.values()))[0]
        needs.append(need)
        del pool[need]
    return needs


def _ranked(commune, needs, advisors, ranking_cache):
    """[(distance, advisor info)] of the advisors covering every need, nearest first."""
    key = (commune.pk, tuple(sorted(needs)))
    if key not in ranking_cache:
        ranked = sorted(
            (
                (info.distance_km(commune), info.name, info)
                for info in advisors
                if set(needs) <= info.themes
            ),
            key=lambda item: (item[0], item[1]),
        )
        ranking_cache[key] = [(distance, info) for distance, _name, info in ranked]
    return ranking_cache[key]


def _advisor_pick(rng, commune, needs, advisors, ranking_cache):
    """(advisor info, was_suggested, rank, distance), the advisor covering every need."""
    ranked = _ranked(commune, needs, advisors, ranking_cache)
    while not ranked:  # nobody covers them all: drop the last need drawn
        needs.pop()
        ranked = _ranked(commune, needs, advisors, ranking_cache)
    if len(ranked) > 3 and rng.random() < 0.1:  # chosen by hand, outside the suggestions shown
        distance, info = rng.choice(ranked[3:])
        return info, False, None, distance
    rank = min(rng.choices([1, 2, 3], weights=[70, 20, 10])[0], len(ranked))
    distance, info = ranked[rank - 1]
    return info, True, rank, distance


def _advisor_rank(commune, needs, advisors, ranking_cache, chosen):
    """(advisor info, was_suggested, rank, distance) for an advisor chosen beforehand."""
    ranked = _ranked(commune, needs, advisors, ranking_cache)
    for rank, (distance, info) in enumerate(ranked, start=1):
        if info is chosen:
            return info, rank <= 3, rank if rank <= 3 else None, distance
    return chosen, False, None, chosen.distance_km(commune)


def _state_pick(rng, age_days):
    table = OLD_STATE_WEIGHTS if age_days > EXPIRY_DAYS + 1 else RECENT_STATE_WEIGHTS
    allowed = [(state, weight) for state, weight, min_age in table if age_days >= min_age]
    return rng.choices([state for state, _w in allowed], weights=[w for _s, w in allowed])[0]


def _decline_reason_pick(rng, distance):
    weights = {
        DeclineReason.OUT_OF_AREA: 40 if distance > 20 else 8,
        DeclineReason.NO_CAPACITY: 35,
        DeclineReason.NEED_NOT_COVERED: 12,
        DeclineReason.DUPLICATE: 8,
        DeclineReason.OTHER: 15,
    }
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _sent_at_pick(rng, today, now):
    days_ago = int(365 * rng.random() ** 1.25)  # a little more activity in recent months
    moment = _moment(rng, today - timedelta(days=days_ago))
    if moment >= now:
        moment = now - timedelta(minutes=rng.randint(30, 600))
    return moment


def _persons_and_referrals_load(rng, communes, social_workers, social, advisors):
    now = timezone.now()
    today = timezone.localdate()
    commune_list = sorted(communes.values(), key=lambda commune: commune.insee)
    populations = [commune.population for commune in commune_list]
    weights_by_user = {
        user.pk: (weight, social[structure_name])
        for user, (_u, _f, _l, structure_name, weight) in zip(
            social_workers, SOCIAL_WORKERS, strict=True
        )
    }

    persons = []
    for _index in range(PERSON_COUNT):
        commune = rng.choices(commune_list, weights=populations)[0]
        creator = _social_worker_pick(rng, commune, social_workers, weights_by_user)
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        phone = (
            f"06 00 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"
            if rng.random() < 0.7
            else ""
        )
        email = (
            f"{_ascii_slug(first_name)}.{_ascii_slug(last_name)}@{PERSON_EMAIL_DOMAIN}"
            if rng.random() < 0.3
            else ""
        )
        if phone and rng.random() < 0.7:
            channel = ContactChannel.PHONE
        elif email and rng.random() < 0.8:
            channel = ContactChannel.EMAIL
        else:
            channel = ContactChannel.POST
        persons.append(
            Person(
                first_name=first_name,
                last_name=last_name,
                birth_year=int(rng.triangular(1935, 2005, 1952)),
                commune=commune,
                phone=phone,
                email=email,
                preferred_channel=channel,
                structure_id=creator.structure_id,
                created_by=creator,
            )
        )

    # Referral slots (person index, sent_at, inbox): each person gets a first referral, the next
    # ones go to persons drawn at random, and the last few, sent these past days by the demo
    # social worker to the demo advisor, wait for an answer so both logins have something to do.
    slots = [(index, _sent_at_pick(rng, today, now), False) for index in range(PERSON_COUNT)]
    slots += [
        (rng.randrange(PERSON_COUNT), _sent_at_pick(rng, today, now), False)
        for _ in range(REFERRAL_COUNT - PERSON_COUNT - INBOX_COUNT)
    ]
    demo_social_worker = social_workers[0]
    own = [index for index, person in enumerate(persons) if person.created_by == demo_social_worker]
    for index in rng.sample(own, min(INBOX_COUNT, len(own))):
        sent_at = _moment(rng, today - timedelta(days=rng.randint(0, 6)))
        if sent_at >= now:
            sent_at = now - timedelta(minutes=rng.randint(30, 600))
        slots.append((index, sent_at, True))

    first_sent = {}
    for index, sent_at, _inbox in slots:
        first_sent[index] = min(sent_at, first_sent.get(index, sent_at))
    for index, person in enumerate(persons):
        person.created_at = first_sent[index] - timedelta(minutes=rng.randint(10, 90))
        if rng.random() < 0.2:  # registered at an earlier interview
            person.created_at -= timedelta(days=rng.randint(1, 30))
    _bulk_create_with_pks(Person, persons)
    Consent.objects.bulk_create(
        [
            Consent(
                person=person,
                share_identity=True,
                share_assessment=rng.random() < 0.85,
                method=rng.choices([Consent.Method.ORAL, Consent.Method.SIGNED], weights=[70, 30])[
                    0
                ],
                recorded_by=person.created_by,
                recorded_at=person.created_at,
            )
            for person in persons
        ]
    )

    demo_advisor = advisors[0]
    codes = set(Referral.objects.values_list("code", flat=True))
    ranking_cache = {}
    # A full advisor declines (as one does): each keeps room for the referrals waiting on the
    # board and for a new one, so the demo's suggestions do not depend on the day it is loaded.
    capacity = dict(
        Advisor.objects.filter(pk__in=[info.advisor.pk for info in advisors]).values_list(
            "pk", "capacity"
        )
    )
    room = len(BOARD_WAITING_WORKING_DAYS) + 1
    open_load = Counter()
    referrals, timelines = [], []
    for person_index, sent_at, inbox in sorted(slots, key=lambda slot: slot[1]):
        person = persons[person_index]
        referrer = person.created_by
        if inbox:
            needs = [Service.ADMIN_PROCEDURES, Service.EVERYDAY_TOOLS][: rng.randint(1, 2)]
            info, was_suggested, rank, distance = _advisor_rank(
                person.commune, needs, advisors, ranking_cache, demo_advisor
            )
            state = ReferralState.SENT
        else:
            needs = _needs_pick(rng)
            info, was_suggested, rank, distance = _advisor_pick(
                rng, person.commune, needs, advisors, ranking_cache
            )
            state = _state_pick(rng, (now - sent_at).total_seconds() / 86400)
        full = (
            not inbox
            and state in OPEN_STATES
            and open_load[info.advisor.pk] >= capacity[info.advisor.pk] - room
        )
        if full:
            state = ReferralState.DECLINED
        if state in OPEN_STATES:
            open_load[info.advisor.pk] += 1
        advisor_user = info.advisor.user

        code = referral_code_new()
        while code in codes:  # a collision: draw another
            code = referral_code_new()
        codes.add(code)

        referral = Referral(
            code=code,
            person=person,
            referring_structure_id=person.structure_id,
            referrer=referrer,
            advisor=info.advisor,
            needs=[service.value for service in Service if service in needs],
            state=state,
            was_suggested=was_suggested,
            suggested_rank=rank,
            sent_at=sent_at,
        )
        events = [(referrer, sent_at, "", ReferralState.SENT, "")]
        if state in (
            ReferralState.ACCEPTED,
            ReferralState.IN_PROGRESS,
            ReferralState.COMPLETED,
            ReferralState.FAILED,
        ):
            referral.answered_at = _later(rng, sent_at, 10, now)
            events.append(
                (advisor_user, referral.answered_at, ReferralState.SENT, ReferralState.ACCEPTED, "")
            )
            if state in (ReferralState.IN_PROGRESS, ReferralState.COMPLETED):
                started = _later(rng, referral.answered_at, 14, now)
                events.append(
                    (advisor_user, started, ReferralState.ACCEPTED, ReferralState.IN_PROGRESS, "")
                )
                if state == ReferralState.COMPLETED:
                    done = _later(rng, started, 45, now)
                    events.append((advisor_user, done, ReferralState.IN_PROGRESS, state, ""))
            elif state == ReferralState.FAILED:
                failed_at = _later(rng, referral.answered_at, 30, now)
                events.append(
                    (
                        advisor_user,
                        failed_at,
                        ReferralState.ACCEPTED,
                        state,
                        rng.choice(FAILURE_REASONS),
                    )
                )
        elif state == ReferralState.DECLINED:
            referral.answered_at = _later(rng, sent_at, 10, now)
            referral.decline_reason = (
                DeclineReason.NO_CAPACITY if full else _decline_reason_pick(rng, distance)
            )
            if referral.decline_reason == DeclineReason.OTHER:
                referral.decline_detail = rng.choice(DECLINE_DETAILS)
            events.append(
                (
                    advisor_user,
                    referral.answered_at,
                    ReferralState.SENT,
                    state,
                    referral.get_decline_reason_display(),
                )
            )
        elif state == ReferralState.EXPIRED:
            expiry_day = timezone.localtime(sent_at).date() + timedelta(days=EXPIRY_DAYS)
            expired_at = timezone.make_aware(datetime.combine(expiry_day, time(6, 0)))
            events.append(
                (None, expired_at, ReferralState.SENT, state, "Sans réponse sous 15 jours")
            )
        elif state == ReferralState.CANCELLED:
            cancelled_at = _later(rng, sent_at, 5, now)
            events.append(
                (referrer, cancelled_at, ReferralState.SENT, state, rng.choice(CANCEL_REASONS))
            )
        referrals.append(referral)
        timelines.append(events)

    referrals_waiting = _board_referrals(
        persons, advisors, ranking_cache, codes, demo_social_worker, today, now
    )
    referrals += [referral for referral, _events in referrals_waiting]
    timelines += [events for _referral, events in referrals_waiting]
    _closures_record(referrals, timelines)
    _deadlines_record(referrals, timelines, today, now)
    _assessments_attach(random.Random(rng.getrandbits(32)), referrals, now)
    for referral, events in zip(referrals, timelines, strict=True):
        timeline_check(referral, events)  # the one transition table: no impossible history
    Referral.objects.bulk_create(referrals, batch_size=500)
    pk_by_code = dict(
        Referral.objects.filter(code__in=[r.code for r in referrals]).values_list("code", "pk")
    )
    ReferralEvent.objects.bulk_create(
        [
            ReferralEvent(
                referral_id=pk_by_code[referral.code],
                actor=actor,
                at=at,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
                kind=kind[0] if kind else EventKind.TRANSITION,
            )
            for referral, events in zip(referrals, timelines, strict=True)
            for actor, at, from_state, to_state, reason, *kind in events
        ],
        batch_size=500,
    )


def _working_days_before(day, count):
    """The working day `count` working days before `day`."""
    while count > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def _board_referrals(persons, advisors, ranking_cache, codes, demo_social_worker, today, now):
    """[(referral, events)]: referrals waiting `BOARD_WAITING_WORKING_DAYS` working days for an
    answer, from other structures than the demo social worker's (a draw of their own, so that
    the rest of the demo stays the same)."""
    rng = random.Random(4646)
    made = []
    for waiting in BOARD_WAITING_WORKING_DAYS:
        sent_at = _moment(rng, _working_days_before(today, waiting))
        candidates = [
            person
            for person in persons
            if person.created_by != demo_social_worker
            and person.created_at < sent_at - timedelta(hours=1)
        ]
        person = rng.choice(candidates)
        needs = _needs_pick(rng)
        info, was_suggested, rank, _distance = _advisor_pick(
            rng, person.commune, needs, advisors, ranking_cache
        )
        code = referral_code_new()
        while code in codes:
            code = referral_code_new()
        codes.add(code)
        referral = Referral(
            code=code,
            person=person,
            referring_structure_id=person.structure_id,
            referrer=person.created_by,
            advisor=info.advisor,
            needs=[service.value for service in Service if service in needs],
            state=ReferralState.SENT,
            was_suggested=was_suggested,
            suggested_rank=rank,
            sent_at=sent_at,
        )
        made.append((referral, [(person.created_by, sent_at, "", ReferralState.SENT, "")]))
    return made


def _deadlines_record(referrals, timelines, today, now):
    """The reminders, escalations and first-meeting reminders the deadline sweep
    (`referrals.services.referral_deadlines_apply`, run hourly by beat) would have recorded on
    the working days they fell due, with their events (and, like the rest of the demo's past,
    no notification). A referral past its expiry is left escalated: the sweep run at start-up
    (`load_demo --apply-deadlines`, as `run.py` does) expires it and tells the social worker."""
    days = settings.PASIP_DEADLINES

    def due(start, count, after):
        moment = timezone.make_aware(datetime.combine(add_working_days(start, count), time(7)))
        return max(min(moment, now - timedelta(minutes=1)), after + timedelta(minutes=1))

    for referral, events in zip(referrals, timelines, strict=True):
        if referral.state == ReferralState.SENT:
            sent_day = timezone.localtime(referral.sent_at).date()
            elapsed = working_days_between(sent_day, today)
            if elapsed >= days["reminder"]:
                referral.reminded_at = due(sent_day, days["reminder"], referral.sent_at)
                events.append(
                    (None, referral.reminded_at, referral.state, referral.state, "")
                    + (EventKind.REMINDER,)
                )
            if elapsed >= days["escalation"]:
                referral.escalated_at = due(sent_day, days["escalation"], referral.reminded_at)
                events.append(
                    (None, referral.escalated_at, referral.state, referral.state, "")
                    + (EventKind.ESCALATION,)
                )
        elif referral.state == ReferralState.ACCEPTED:
            accepted_day = timezone.localtime(referral.answered_at).date()
            if working_days_between(accepted_day, today) >= days["first_meeting"]:
                referral.meeting_reminded_at = due(
                    accepted_day, days["first_meeting"], referral.answered_at
                )
                events.append(
                    (None, referral.meeting_reminded_at, referral.state, referral.state, "")
                    + (EventKind.MEETING_REMINDER,)
                )


# How closed referrals ended, as advisors record it (`referrals.services.OUTCOMES`).
COMPLETED_OUTCOMES = [
    (Outcome.SATISFIED, 60),
    (Outcome.PARTIALLY, 25),
    (Outcome.REFERRED_ELSEWHERE, 10),
    (Outcome.NOT_SATISFIED, 5),
]
FAILURE_OUTCOMES = {FAILURE_REASONS[0]: Outcome.NO_SHOW}  # the others: unreachable


def _closures_record(referrals, timelines):
    """The dates and outcome each referral's timeline implies, as the services record them:
    the first meeting when it went under way, the closure of a declined, expired, cancelled,
    completed or failed one, and a completed or failed one's outcome (drawn apart from the
    rest of the demo, which stays the same)."""
    rng = random.Random(46)
    outcomes, weights = zip(*COMPLETED_OUTCOMES, strict=True)
    for referral, events in zip(referrals, timelines, strict=True):
        for _actor, at, _from_state, to_state, reason in events:
            if to_state == ReferralState.IN_PROGRESS:
                referral.first_meeting_at = at
            elif to_state in CLOSED_STATES:
                referral.closed_at = at
                if to_state == ReferralState.COMPLETED:
                    referral.outcome = rng.choices(outcomes, weights)[0]
                elif to_state == ReferralState.FAILED:
                    referral.outcome = FAILURE_OUTCOMES.get(reason, Outcome.UNREACHABLE)


CLOSED_STATES = (
    ReferralState.DECLINED,
    ReferralState.EXPIRED,
    ReferralState.CANCELLED,
    ReferralState.COMPLETED,
    ReferralState.FAILED,
)


def _assessments_attach(rng, referrals, now):
    """Each referral's assessment, validated minutes before it was sent and showing its needs
    (answers drawn, profile computed by the real function); attached, so frozen as after a real
    sending. Half the referrals sent before the assessment came into use have none."""
    version = QuestionnaireVersion.current() or questionnaire_load_file()
    since = now - timedelta(days=ASSESSMENT_SINCE_DAYS)
    assessments = []
    for referral in referrals:
        if referral.sent_at < since and rng.random() < 0.5:
            continue
        validated_at = referral.sent_at - timedelta(minutes=rng.randint(2, 8))
        started_at = max(
            validated_at - timedelta(minutes=rng.randint(6, 15)),
            referral.person.created_at + timedelta(minutes=1),
        )
        referral.assessment = demo_assessment(
            rng,
            version=version,
            person=referral.person,
            created_by=referral.referrer,
            needs=referral.needs,
            started_at=started_at,
            validated_at=validated_at,
        )
        assessments.append(referral.assessment)
    _bulk_create_with_pks(Assessment, assessments)


def _bulk_create_with_pks(model, objects):
    """bulk_create where the database returns the new keys; one save per row elsewhere."""
    if connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(objects, batch_size=500)
    else:
        for obj in objects:
            obj.save()
