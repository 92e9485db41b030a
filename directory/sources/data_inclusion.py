"""data·inclusion: the structures of a département that offer a digital service.

`PASIP_DATA_INCLUSION_URL` is the API's root (e.g. `https://api.data.inclusion.gouv.fr/api/v1`),
`PASIP_DATA_INCLUSION_TOKEN` its bearer token. Two lists are read page by page
(`?page=N&size=…`, answers `{"items", "total", "page", "size", "pages"}`): the structures of the
département (`/structures?code_departement=46`) and its services of the "numerique"
thematic (`/services?code_departement=46&thematiques=numerique`). A structure with at least one
such service is a place; its services' thematics, fees and reception modes say what it offers.
A structure with none is not a place of digital mediation and is left out.
"""

import logging

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from directory import national
from directory.enums import standard_enums
from directory.models import DirectoryImport

from . import MAX_PAGES, SourceError, get_json, schema_text

logger = logging.getLogger(__name__)

KEY = DirectoryImport.Source.DATA_INCLUSION
LABEL = _("data·inclusion")
PAGE_SIZE = 500

# data·inclusion's thematics of the "numerique" category -> the national standard's `Service`.
SERVICES = {
    "numerique--acceder-a-du-materiel": "Accès internet et matériel informatique",
    "numerique--acceder-a-une-connexion-internet": "Accès internet et matériel informatique",
    "numerique--acquerir-un-equipement": "Acquisition de matériel informatique à prix solidaire",
    "numerique--maitriser-les-fondamentaux-du-numerique": (
        "Maîtrise des outils numériques du quotidien"
    ),
    "numerique--prendre-en-main-un-ordinateur": "Maîtrise des outils numériques du quotidien",
    "numerique--prendre-en-main-un-smartphone-ou-une-tablette": (
        "Maîtrise des outils numériques du quotidien"
    ),
    "numerique--acceder-a-des-services-en-ligne": "Aide aux démarches administratives",
    "numerique--realiser-des-demarches-administratives-avec-un-accompagnement": (
        "Aide aux démarches administratives"
    ),
    "numerique--devenir-autonome-dans-les-demarches-administratives": (
        "Aide aux démarches administratives"
    ),
    "numerique--accompagner-les-demarches-de-sante": "Aide aux démarches administratives",
    "numerique--favoriser-mon-insertion-professionnelle": (
        "Insertion professionnelle via le numérique"
    ),
    "numerique--approfondir-ma-culture-numerique": "Compréhension du monde numérique",
    "numerique--creer-avec-le-numerique": "Loisirs et créations numériques",
    "numerique--soutenir-la-parentalite-et-leducation-avec-le-numerique": (
        "Parentalité et éducation avec le numérique"
    ),
}
FEES = {
    "gratuit": "Gratuit",
    "gratuit-sous-conditions": "Gratuit sous condition",
    "pass-numerique": "Gratuit sous condition",
    "payant": "Payant",
    "adhesion": "Payant",
}
REMOTE = "a-distance"


def enabled():
    return bool(settings.PASIP_DATA_INCLUSION_URL)


def _pages(path, params):
    """Every item of a paginated list."""
    root = settings.PASIP_DATA_INCLUSION_URL.rstrip("/")
    headers = {}
    if settings.PASIP_DATA_INCLUSION_TOKEN:
        headers["Authorization"] = f"Bearer {settings.PASIP_DATA_INCLUSION_TOKEN}"
    items, page = [], 1
    while True:
        answer = get_json(
            f"{root}{path}",
            label=LABEL,
            params={**params, "page": page, "size": PAGE_SIZE},
            headers=headers,
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("items"), list):
            raise SourceError(
                _("%(source)s a donné une réponse inattendue (liste « items » absente).")
                % {"source": LABEL}
            )
        items.extend(item for item in answer["items"] if isinstance(item, dict))
        pages = answer.get("pages")
        if not isinstance(pages, int) or page >= pages or not answer["items"]:
            return items
        if page >= MAX_PAGES:
            raise SourceError(
                _("%(source)s annonce plus de %(count)d pages : lecture arrêtée.")
                % {"source": LABEL, "count": MAX_PAGES}
            )
        page += 1


def fetch(department):
    """The national rows of the département's structures that offer a digital service."""
    structures = _pages("/structures", {"code_departement": department})
    services = _pages("/services", {"code_departement": department, "thematiques": "numerique"})
    rows = convert(structures, services)
    logger.info(
        "data·inclusion: %d structures, %d digital services, %d places",
        len(structures),
        len(services),
        len(rows),
    )
    return rows


def _values(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def convert(structures, services):
    """National rows from data·inclusion's structures and services (API v1, or v0's names)."""
    by_structure = {}
    for service in services:
        by_structure.setdefault(str(service.get("structure_id") or ""), []).append(service)
    typologies = set(standard_enums().get("Typologie", []))
    rows = []
    for structure in structures:
        offered = by_structure.get(str(structure.get("id") or ""))
        if not offered:
            continue
        found = {
            "services": [],
            "frais_a_charge": [],
            "modalites_accompagnement": [],
        }
        for service in offered:
            for thematic in _values(service.get("thematiques")):
                found["services"].append(SERVICES.get(thematic))
            for fee in _values(service.get("frais")):
                found["frais_a_charge"].append(FEES.get(fee))
            if REMOTE in _values(service.get("modes_accueil")):
                found["modalites_accompagnement"].append("À distance")
        lists = {
            column: list(dict.fromkeys(value for value in values if value))
            for column, values in found.items()
        }
        typology = schema_text(structure.get("typologie"))
        rows.append(
            {
                "id": schema_text(structure.get("id")),
                "pivot": schema_text(structure.get("siret") or structure.get("rna"))
                or national.UNKNOWN_PIVOT,
                "nom": schema_text(structure.get("nom")),
                "commune": schema_text(structure.get("commune")),
                "code_postal": schema_text(structure.get("code_postal")),
                "code_insee": schema_text(structure.get("code_insee")),
                "adresse": schema_text(structure.get("adresse")),
                "complement_adresse": schema_text(structure.get("complement_adresse")),
                "latitude": schema_text(structure.get("latitude")),
                "longitude": schema_text(structure.get("longitude")),
                "typologie": typology if typology in typologies else "",
                "telephone": schema_text(structure.get("telephone")),
                "courriels": schema_text(structure.get("courriel")),
                "site_web": schema_text(structure.get("site_web")),
                "presentation_resume": schema_text(
                    structure.get("description") or structure.get("presentation_resume")
                ),
                "services": "|".join(lists["services"]),
                "frais_a_charge": "|".join(lists["frais_a_charge"]),
                "modalites_accompagnement": "|".join(lists["modalites_accompagnement"]),
                "fiche_acces_libre": schema_text(
                    structure.get("accessibilite_lieu") or structure.get("accessibilite")
                ),
                "horaires": schema_text(
                    structure.get("horaires_accueil") or structure.get("horaires_ouverture")
                ),
                "date_maj": schema_text(structure.get("date_maj"))[:10],
                "source": f"data·inclusion ({schema_text(structure.get('source'))})"
                if structure.get("source")
                else "data·inclusion",
            }
        )
    return rows
