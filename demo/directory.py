"""The demo's directory for the Lot (46): social and mediation structures and their places, the
demo logins, the advisors with their themes and permanences, and the details of their entries.

Every name, address, phone number and e-mail here is invented; e-mails use the reserved `.invalid`
top-level domain. Idempotent: structures, places and users are keyed on their names and usernames.
"""

from dataclasses import dataclass, field
from datetime import time, timedelta

from django.utils import timezone

from accounts.models import Role, User
from directory.enums import Service, SpecificNeed, StructureKind, SupportFormat
from directory.models import Absence, Advisor, Permanence, Place, Structure
from territory.models import haversine_km

from .constants import (
    DEPARTMENT_COUNCIL,
    LOT_NUMERIQUE,
    SOCIAL_STRUCTURES,
    SOCIAL_WORKERS,
    ascii_slug,
)

DEMO_EMAIL_DOMAIN = "demo.pasip.invalid"

# --- Mediation structures ---------------------------------------------------------------------


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

# --- Advisors and logins ----------------------------------------------------------------------

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

# (username, first name, last name, role, structure name or None)
OTHER_LOGINS = [
    ("coordination", "Mathilde", "Rességuier", Role.COORDINATOR, LOT_NUMERIQUE),
    ("pilotage", "Bruno", "Carrié", Role.OFFICER, DEPARTMENT_COUNCIL),
    ("admin", "Alexandre", "Valette", Role.ADMINISTRATOR, None),
]

ROLE_LOGINS = ["travailleur.social", "conseiller", "coordination", "pilotage", "admin"]

CORE_THEMES = [Service.ADMIN_PROCEDURES, Service.EVERYDAY_TOOLS]
OTHER_THEMES = [service for service in Service if service not in CORE_THEMES]

PERMANENCE_SLOTS = [
    (time(9, 0), time(12, 0)),
    (time(9, 30), time(12, 30)),
    (time(14, 0), time(17, 0)),
    (time(13, 30), time(17, 30)),
    (time(10, 0), time(16, 0)),
]


def _demo_email(first_name, last_name):
    return f"{ascii_slug(first_name)}.{ascii_slug(last_name)}@{DEMO_EMAIL_DOMAIN}"


@dataclass
class _AdvisorInfo:
    advisor: Advisor
    name: str
    themes: frozenset
    points: list = field(default_factory=list)  # (latitude, longitude) of the advisor's places

    def distance_km(self, commune):
        return min(haversine_km(commune.latitude, commune.longitude, *p) for p in self.points)


def social_structures_load(communes):
    structures = {}
    for name, typology, insee, phone in SOCIAL_STRUCTURES:
        structures[name], _created = Structure.objects.update_or_create(
            name=name,
            defaults={
                "kind": StructureKind.SOCIAL,
                "typology": typology,
                "commune": communes[insee],
                "phone": phone,
                "email": f"accueil.{ascii_slug(name)}@{DEMO_EMAIL_DOMAIN}",
            },
        )
    return structures


def mediation_structures_load(rng, communes):
    structures, places = {}, {}
    for spec in MEDIATION_STRUCTURES:
        structure, _created = Structure.objects.update_or_create(
            name=spec.name,
            defaults={
                "kind": StructureKind.MEDIATION,
                "typology": spec.typology,
                "commune": communes[spec.insee],
                "phone": spec.phone,
                "email": f"contact.{ascii_slug(spec.name)}@{DEMO_EMAIL_DOMAIN}",
            },
        )
        structures[spec.name] = structure
        places[spec.name] = []
        for index, (place_name, address, insee) in enumerate(spec.places):
            commune = communes[insee]
            # The first place of the first structure sits on the commune point (see advisors_load).
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


def users_load(social, password_hash):
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


def advisors_load(rng, mediation, places, password_hash, users):
    themes = _advisor_themes(rng)
    infos = []
    names = iter(enumerate(ADVISOR_NAMES))
    for spec in MEDIATION_STRUCTURES:
        structure = mediation[spec.name]
        structure_places = places[spec.name]
        for _rank in range(spec.advisors):
            index, (username, first_name, last_name) = next(names)
            username = username or f"{ascii_slug(first_name)}.{ascii_slug(last_name)}"
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


def directory_details_load(rng, places, advisors, communes):
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
