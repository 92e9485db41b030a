"""The national file of places of digital mediation: reading, checking, applying, writing.

A file (CSV with `;` or `,`, or JSON; UTF-8 with or without BOM) is first *planned*: every row
is checked and said to create, update, leave unchanged or be rejected, with the reasons. Only
a plan with no rejected row is applied, all in one transaction. A place is keyed on the file's
`id`; a carrying structure on its SIRET/RNA (`pivot`). Applying the same file twice changes
nothing; an exported file imports back to the same data. Places absent from a file are left
as they are.

The schema's own rules hold: a structure's `pivot` may be a SIREN alone (9 digits); a phone
number is read as the schema writes it ("+33565386400") and as people write French numbers
("05 65 38 64 00", "+33 5 65…"), stored "05 65 38 64 00", and exported as the schema writes it.

The national file, as downloaded, holds every département: a row whose commune is of another
département than the territory's (by its INSEE code, or its postal code without one) is
counted and ignored, neither checked nor written; a file with no row of the territory is
refused.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pasip.validators import CONTROL_CHARACTERS
from territory.models import Commune, Department

from .enums import StructureKind, standard_enums
from .models import Place, Structure
from .opening_hours import opening_hours_errors

COLUMNS = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "structure_parente",
    "telephone",
    "courriels",
    "site_web",
    "presentation_resume",
    "presentation_detail",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "modalites_acces",
    "modalites_accompagnement",
    "itinerance",
    "fiche_acces_libre",
    "horaires",
    "prise_rdv",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "date_maj",
    "source",
]
REQUIRED = ["id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"]
UNKNOWN_PIVOT = "00000000000000"
FEES = ["Gratuit", "Gratuit sous condition", "Payant"]  # `FraisACharge`
# Multi-valued columns and the enumeration their values come from (None: free values).
MULTI = {
    "typologie": "Typologie",
    "courriels": None,
    "site_web": None,
    "services": "Service",
    "publics_specifiquement_adresses": "PublicSpecifiquementAdresse",
    "prise_en_charge_specifique": "PriseEnChargeSpecifique",
    "frais_a_charge": FEES,
    "modalites_acces": "ModaliteAcces",
    "modalites_accompagnement": "ModaliteAccompagnement",
    "itinerance": "Itinerance",
    "dispositif_programmes_nationaux": "DispositifProgrammeNational",
    "formations_labels": "FormationLabel",
    "autres_formations_labels": None,
}
# Columns kept as they are, for the export, in `Place.standard_extra`.
EXTRA = [
    "typologie",
    "structure_parente",
    "courriels",
    "site_web",
    "presentation_resume",
    "presentation_detail",
    "publics_specifiquement_adresses",
    "frais_a_charge",
    "modalites_acces",
    "itinerance",
    "prise_rdv",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "source",
]
# Place field <- column, for the columns that have a field of their own.
FIELDS = {
    "name": "nom",
    "address": "adresse",
    "address_complement": "complement_adresse",
    "postal_code": "code_postal",
    "phone": "telephone",
    "services": "services",
    "specific_support": "prise_en_charge_specifique",
    "support_formats": "modalites_accompagnement",
    "accessibility_url": "fiche_acces_libre",
    "opening_hours": "horaires",
}


def _column_limits():
    """Each column's longest value: its place field's, so that a row the check accepts always
    fits the database (PostgreSQL refuses a longer value; SQLite would keep it)."""
    limits = {"id": Place._meta.get_field("external_id").max_length}
    for name, column in FIELDS.items():
        max_length = getattr(Place._meta.get_field(name), "max_length", None)
        if max_length:
            limits[column] = max_length
    return limits


MAX_LENGTHS = _column_limits()
URL_COLUMNS = ["fiche_acces_libre", "prise_rdv"]
# The schema's `pivot`: a SIRET (14 digits), or a SIREN alone (9 digits) when the place has no
# establishment number of its own, or an RNA number (W + 9 digits) for an association with neither.
PIVOT_RE = re.compile(r"^(\d{14}|\d{9}|W\d{9})$")
# The schema's `telephone`: the international format, no 0 after the country code, no space
# ("+33180059880"), France and its overseas country codes only.
SCHEMA_PHONE_RE = re.compile(r"^\+(33|590|594|262|596|269|687|689|508|681)\d{6,9}$")
# Overseas départements dial the French ten-digit plan under a country code of their own:
# "05 90 83 00 00" is "+590590830000". Their numbers start so ("0590…", "0690…").
OVERSEAS_PHONE_CODES = {
    "262": ("262", "263", "269", "639", "692", "693"),  # La Réunion, Mayotte
    "590": ("590", "690", "691"),  # Guadeloupe, Saint-Martin, Saint-Barthélemy
    "594": ("594", "694"),  # Guyane
    "596": ("596", "696", "697"),  # Martinique
}
INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
POSTAL_RE = re.compile(r"^\d{5}$")
# A cell a spreadsheet would run as a formula; "+33 5 65…" and "-1.72" are only numbers.
FORMULA_RE = re.compile(r"^'*(?:[=@\t\r]|[+-](?![\d\s.,()]*$))")
# Metropolitan France and the overseas départements: (south, north, west, east).
FRANCE_BOXES = [
    (41.3, 51.2, -5.3, 9.7),
    (15.8, 16.6, -61.9, -61.0),  # Guadeloupe
    (14.3, 14.9, -61.3, -60.8),  # Martinique
    (2.1, 5.8, -54.7, -51.6),  # Guyane
    (-21.4, -20.8, 55.2, 55.9),  # La Réunion
    (-13.1, -12.6, 44.9, 45.4),  # Mayotte
]

# The départements an INSEE code or a postal code may name: metropolitan (Corsica as 2A/2B,
# "20" in postal codes), overseas départements and collectivités (three characters).
DEPARTMENTS = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20]
    + ["2A", "2B"]
    + [str(n) for n in [*range(971, 979), *range(984, 990)]]
)

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
# Rows of another département than the territory's: counted, neither checked nor written.
IGNORED = "ignored"
ACTION_LABELS = {
    CREATE: "à créer",
    UPDATE: "à mettre à jour",
    UNCHANGED: "inchangée",
    REJECT: "rejetée",
}


class FileError(Exception):
    """The file as a whole cannot be read (format, encoding, columns)."""


@dataclass
class RowReport:
    line: int
    id: str
    action: str
    errors: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    name: str = ""

    def as_dict(self):
        # Stored as JSON and shown on a page: no control character from the file gets there.
        return {
            "line": self.line,
            "id": _printable(self.id),
            "name": _printable(self.name),
            "action": self.action,
            "errors": [_printable(str(error)) for error in self.errors],
            "changes": self.changes,
        }


def _printable(text):
    return CONTROL_CHARACTERS.sub("\N{REPLACEMENT CHARACTER}", text)


@dataclass
class Plan:
    rows: list  # RowReport, in file order
    writes: list  # (RowReport, values, existing Place or None), for create and update
    file_errors: list = field(default_factory=list)
    # Rows of other départements, ignored: {département code: number of rows}.
    ignored_by_department: dict = field(default_factory=dict)

    @property
    def ignored(self):
        return sum(self.ignored_by_department.values())

    @property
    def counts(self):
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, REJECT: 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def can_apply(self):
        return not self.file_errors and not self.counts[REJECT]

    def stored_counts(self):
        """The counts an import keeps (JSON): the rows' actions, and the rows of other
        départements ignored, in all and by département."""
        return {
            **self.counts,
            IGNORED: self.ignored,
            "ignored_by_department": self.ignored_by_department,
        }


# --- Reading ----------------------------------------------------------------------------------


def records_read(content):
    """[(line number, {column: text})] from the file's bytes or text, CSV or JSON."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FileError(_("Le fichier n'est pas encodé en UTF-8.")) from error
    content = content.lstrip("\ufeff")
    if content.lstrip()[:1] in ("[", "{"):
        return _json_records(content)
    return _csv_records(content)


def _json_records(content):
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        raise FileError(_("JSON illisible : %(error)s") % {"error": error}) from error
    except RecursionError as error:
        raise FileError(_("JSON illisible : trop de niveaux imbriqués.")) from error
    if isinstance(data, dict):
        data = data.get("data") or data.get("lieux") or []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FileError(_("Le JSON doit être une liste de lieux."))
    columns = set().union(*(item.keys() for item in data)) if data else set(COLUMNS)
    _check_columns(columns)
    return [
        (index, {key: _json_text(value) for key, value in item.items()})
        for index, item in enumerate(data, start=1)
    ]


def _json_text(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    return str(value)


def _csv_records(content):
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=delimiter)
    if not reader.fieldnames:
        raise FileError(_("Le fichier est vide."))
    reader.fieldnames = [name.strip() for name in reader.fieldnames]
    _check_columns(set(reader.fieldnames))
    try:
        return [
            (reader.line_num, {key: _from_csv(value) for key, value in row.items() if key})
            for row in reader
            if any((value or "").strip() for value in row.values() if isinstance(value, str))
        ]
    except csv.Error as error:
        raise FileError(
            _("CSV illisible après la ligne %(line)d : une cellule trop longue ou mal fermée.")
            % {"line": reader.line_num}
        ) from error


def _from_csv(value):
    """A cell as exported: the quote that kept a formula from running is taken off."""
    value = value or ""
    return value[1:] if value.startswith("'") and FORMULA_RE.match(value) else value


def _to_csv(value):
    """A cell a spreadsheet shows as text: a leading quote when it would run as a formula."""
    return "'" + value if isinstance(value, str) and FORMULA_RE.match(value) else value


def _check_columns(columns):
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise FileError(
            _("Colonnes obligatoires manquantes : %(columns)s") % {"columns": ", ".join(missing)}
        )


# --- Phone numbers ----------------------------------------------------------------------------


def stored_phone(text):
    """A phone number as the project stores it, or None for a text that is not one.

    Read as the schema writes it ("+33565386400") and as people write French numbers:
    "05 65 38 64 00", "0565386400", "05.65.38.64.00", "+33 5 65 38 64 00", "+33 (0)5 65…",
    "0033 5 65…". A number of the French plan, overseas départements included, is stored
    "05 65 38 64 00"; one of another country code the schema admits ("+687…") as the schema
    writes it.
    """
    compact = re.sub(r"[\s.\-\u00a0\u202f]", "", text or "").replace("(0)", "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    national = None
    if re.fullmatch(r"0[1-9]\d{8}", compact):
        national = compact
    elif match := re.fullmatch(r"\+33([1-9]\d{8})", compact):
        national = "0" + match[1]
    elif (match := re.fullmatch(r"\+(\d{3})(\d{9})", compact)) and match[2].startswith(
        OVERSEAS_PHONE_CODES.get(match[1], ())
    ):
        national = "0" + match[2]
    elif SCHEMA_PHONE_RE.match(compact):
        return compact
    if national is None:
        return None
    return " ".join(national[i : i + 2] for i in range(0, 10, 2))


def schema_phone(phone):
    """A stored phone number as the schema writes it: "05 65 38 64 00" as "+33565386400",
    "05 90 83 00 00" as "+590590830000". A stored text that is no phone number is written as
    it is (the import names it)."""
    stored = stored_phone(phone)
    if stored is None:
        return phone
    if stored.startswith("+"):
        return stored
    digits = stored.replace(" ", "")[1:]
    code = next(
        (code for code, starts in OVERSEAS_PHONE_CODES.items() if digits.startswith(starts)),
        "33",
    )
    return f"+{code}{digits}"


# --- Checking ---------------------------------------------------------------------------------


class _Context:
    """What the checks need from the database, loaded once per file."""

    def __init__(self):
        self.communes = {c.insee: c for c in Commune.objects.all()}
        self.by_postal_and_name = {}
        for commune in self.communes.values():
            for code in commune.postal_codes.split():
                self.by_postal_and_name[(code, _simple(commune.name))] = commune
        # Places entered here are exported as `pasip-<key>` and found again by it.
        self.places = {
            p.external_id or f"pasip-{p.pk}": p
            for p in Place.objects.select_related("structure", "commune")
        }
        self.structures = {s.pivot: s for s in Structure.objects.exclude(pivot="").order_by("pk")}
        self.enums = standard_enums()
        self.departments = {
            department.code: str(department)
            for department in Department.objects.filter(communes__isnull=False).distinct()
        }
        self.postal_codes = {
            code for commune in self.communes.values() for code in commune.postal_codes.split()
        }

    def other_department(self, row):
        """The département of a row outside the territory, or None for a row of the territory
        (or one too malformed to say: it is checked, and rejected with its reasons).

        Its INSEE code says it; without one, its postal code, unless a commune of the
        territory has it. With no commune loaded, every row is the territory's.
        """
        if not self.departments:
            return None
        insee = (row.get("code_insee") or "").strip().upper()
        if insee:
            department = insee[:3] if insee[:2] in ("97", "98") else insee[:2]
            if not INSEE_RE.match(insee) or department not in DEPARTMENTS:
                return None
            return None if department in self.departments else department
        postal = (row.get("code_postal") or "").strip()
        if not POSTAL_RE.match(postal) or postal in self.postal_codes:
            return None
        if postal[:2] == "20":
            return None if {"2A", "2B"} & set(self.departments) else "20"
        department = postal[:3] if postal[:2] in ("97", "98") else postal[:2]
        if department not in DEPARTMENTS or department in self.departments:
            return None
        return department


def _simple(name):
    return re.sub(r"[^a-z0-9]", "", name.lower().replace("saint", "st"))


def _values(text):
    return [value.strip() for value in (text or "").split("|") if value.strip()]


def _row_values(row, context, errors):
    """The place's values from a row, or None; every problem is appended to `errors`."""
    text = {column: (row.get(column) or "").strip() for column in COLUMNS}
    for column in REQUIRED:
        if not text[column]:
            errors.append(_("« %(column)s » est vide.") % {"column": column})
    for column in COLUMNS:
        if CONTROL_CHARACTERS.search(text[column]):
            errors.append(
                _("« %(column)s » contient des caractères de contrôle.") % {"column": column}
            )
    if text["pivot"] and not PIVOT_RE.match(text["pivot"]):
        errors.append(
            _(
                "pivot « %(value)s » : ni SIRET (14 chiffres), ni SIREN (9 chiffres), "
                "ni RNA (W + 9 chiffres)."
            )
            % {"value": text["pivot"]}
        )
    phone = stored_phone(text["telephone"]) if text["telephone"] else ""
    if phone is None:
        errors.append(
            _(
                "telephone « %(value)s » n'est pas un numéro de téléphone : attendu au format "
                "international, par exemple +33565386400, ou français, 05 65 38 64 00."
            )
            % {"value": text["telephone"]}
        )
    for column, limit in MAX_LENGTHS.items():
        # A phone number is stored in a form of its own, that always fits.
        if column != "telephone" and len(text[column]) > limit:
            errors.append(
                _("« %(column)s » dépasse %(limit)d caractères.")
                % {"column": column, "limit": limit}
            )
    if text["code_postal"] and not POSTAL_RE.match(text["code_postal"]):
        errors.append(_("code postal « %(value)s » invalide.") % {"value": text["code_postal"]})
    commune = _commune(text, context, errors)
    point = _point(text, commune, errors)
    lists = {}
    for column, enum in MULTI.items():
        values = _values(text[column])
        allowed = context.enums.get(enum, []) if isinstance(enum, str) else enum
        if allowed is not None:
            for value in values:
                if value not in allowed:
                    errors.append(
                        _("« %(value)s » n'est pas une valeur connue de %(column)s.")
                        % {"value": value, "column": column}
                    )
        lists[column] = values
    for email in lists["courriels"]:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.append(_("courriel « %(value)s » invalide.") % {"value": email})
    for column in URL_COLUMNS:
        urls = [text[column]] if text[column] else []
        for url in urls + (lists["site_web"] if column == "prise_rdv" else []):
            try:
                URLValidator()(url)
            except ValidationError:
                errors.append(_("adresse web « %(value)s » invalide.") % {"value": url})
    errors.extend(opening_hours_errors(text["horaires"]))
    updated = None
    if text["date_maj"]:
        try:
            updated = date.fromisoformat(text["date_maj"][:10])
        except ValueError:
            errors.append(
                _("date_maj « %(value)s » n'est pas une date ISO.") % {"value": text["date_maj"]}
            )
    if errors:
        return None
    values = {name: lists.get(column, text[column]) for name, column in FIELDS.items()}
    values.update(
        phone=phone,
        commune=commune,
        latitude=point[0],
        longitude=point[1],
        standard_extra={
            column: lists.get(column, text[column])
            for column in EXTRA
            if lists.get(column, text[column])
        },
    )
    return {
        "external_id": text["id"],
        "pivot": text["pivot"],
        "typology": (lists["typologie"] or [""])[0],
        "updated_on": updated,
        "values": values,
    }


def _commune(text, context, errors):
    insee = text["code_insee"]
    if insee:
        if not INSEE_RE.match(insee):
            errors.append(_("code INSEE « %(value)s » invalide.") % {"value": insee})
            return None
        commune = context.communes.get(insee)
        if commune is None:
            errors.append(
                _("code INSEE « %(value)s » : commune inconnue du territoire.") % {"value": insee}
            )
        return commune
    commune = context.by_postal_and_name.get((text["code_postal"], _simple(text["commune"])))
    if commune is None and text["commune"]:
        errors.append(
            _("commune « %(name)s » (%(postal)s) inconnue du territoire ; précisez code_insee.")
            % {"name": text["commune"], "postal": text["code_postal"]}
        )
    return commune


def _point(text, commune, errors):
    latitude, longitude = text["latitude"], text["longitude"]
    if not latitude and not longitude:
        return (commune.latitude, commune.longitude) if commune else (None, None)
    try:
        point = float(latitude.replace(",", ".")), float(longitude.replace(",", "."))
    except ValueError:
        errors.append(_("latitude et longitude doivent être deux nombres."))
        return None, None
    if not in_france(*point):
        errors.append(
            _("coordonnées (%(lat)s, %(lon)s) hors de France.") % {"lat": point[0], "lon": point[1]}
        )
    return point


def in_france(latitude, longitude):
    """Whether a point lies in metropolitan France or an overseas département."""
    return any(s <= latitude <= n and w <= longitude <= e for s, n, w, e in FRANCE_BOXES)


def _changes(place, values, pivot):
    changed = [name for name, value in values.items() if getattr(place, name) != value]
    if pivot != UNKNOWN_PIVOT and place.structure.pivot != pivot:
        changed.append("pivot")
    return changed


def plan(content, *, progress=None):
    """Checks every row and says what applying the file would do. Reads, never writes."""
    try:
        records = records_read(content)
    except FileError as error:
        return Plan(rows=[], writes=[], file_errors=[str(error)])
    context = _Context()
    seen = {}
    rows, writes, ignored = [], [], {}
    for index, (line, row) in enumerate(records, start=1):
        if progress and index > 1 and (index - 1) % 250 == 0:
            progress(index - 1, len(records))
        department = context.other_department(row)
        if department:
            ignored[department] = ignored.get(department, 0) + 1
            continue
        errors = []
        data = _row_values(row, context, errors)
        external_id = (row.get("id") or "").strip()
        if external_id in seen:
            errors.append(
                _("identifiant « %(id)s » en double (déjà ligne %(line)d).")
                % {"id": external_id, "line": seen[external_id]}
            )
        elif external_id:
            seen[external_id] = line
        report = RowReport(line=line, id=external_id, action=REJECT, name=row.get("nom", ""))
        if errors:
            report.errors = errors
        else:
            existing = context.places.get(external_id)
            if existing is None:
                report.action = CREATE
                writes.append((report, data, None))
            else:
                report.changes = _changes(existing, data["values"], data["pivot"])
                report.action = UPDATE if report.changes else UNCHANGED
                if report.changes:
                    writes.append((report, data, existing))
        rows.append(report)
    if progress:
        progress(len(records), len(records))
    file_errors = []
    if ignored and not rows:
        file_errors.append(no_territory_row_message(context.departments, sum(ignored.values())))
    return Plan(
        rows=rows,
        writes=writes,
        file_errors=file_errors,
        ignored_by_department=dict(sorted(ignored.items())),
    )


def french_number(number):
    """1204 as "1 204", the thousands apart by a no-break space."""
    return f"{number:,}".replace(",", "\N{NO-BREAK SPACE}")


def ignored_message(count):
    """What the report says of the rows of other départements, or "" when there was none."""
    if not count:
        return ""
    return ngettext(
        "%(count)s ligne d'un autre département ignorée",
        "%(count)s lignes d'autres départements ignorées",
        count,
    ) % {"count": french_number(count)}


def no_territory_row_message(departments, count):
    """Why a file whose every row is of another département is refused."""
    return ngettext(
        "Aucune ligne du fichier ne concerne le territoire, %(departments)s : sa seule ligne "
        "est d'un autre département. Rien ne peut être importé ; vérifiez que c'est le bon "
        "fichier.",
        "Aucune ligne du fichier ne concerne le territoire, %(departments)s : ses %(count)s "
        "lignes sont d'autres départements. Rien ne peut être importé ; vérifiez que c'est le "
        "bon fichier.",
        count,
    ) % {"departments": ", ".join(sorted(departments.values())), "count": french_number(count)}


# --- Applying ---------------------------------------------------------------------------------


@transaction.atomic
def plan_apply(file_plan):
    """Writes a plan with no rejected row; all or nothing."""
    if not file_plan.can_apply:
        raise ValueError("A plan with rejected rows is never applied.")
    structures = {s.pivot: s for s in Structure.objects.exclude(pivot="").order_by("pk")}
    new_places, updated = [], []
    for _report, data, existing in file_plan.writes:
        structure = _structure(data, existing, structures)
        updated_at = _aware(data["updated_on"])
        if existing is None:
            new_places.append(
                Place(
                    external_id=data["external_id"],
                    structure=structure,
                    updated_at=updated_at,
                    **data["values"],
                )
            )
        else:
            for name, value in data["values"].items():
                setattr(existing, name, value)
            existing.structure = structure
            existing.updated_at = updated_at
            updated.append(existing)
    Place.objects.bulk_create(new_places, batch_size=500)
    Place.objects.bulk_update(
        updated, [*FIELDS, "commune", "latitude", "longitude", "standard_extra", "structure",
                  "updated_at"], batch_size=500
    )  # fmt: skip
    return len(new_places), len(updated)


def _structure(data, existing, structures):
    pivot = data["pivot"]
    if pivot == UNKNOWN_PIVOT:
        if existing is not None:
            return existing.structure
        pivot = ""
    elif pivot in structures:
        return structures[pivot]
    structure = Structure.objects.create(
        name=data["values"]["name"],
        kind=StructureKind.MEDIATION,
        typology=data["typology"][:30],
        pivot=pivot,
        commune=data["values"]["commune"],
    )
    if pivot:
        structures[pivot] = structure
    return structure


def _aware(day):
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


# --- Writing ----------------------------------------------------------------------------------


def place_row(place):
    """One place as a row of the national file, multi-valued columns joined with `|`."""
    extra = place.standard_extra or {}
    row = {column: extra.get(column, "") for column in EXTRA}
    row.update({column: getattr(place, name) for name, column in FIELDS.items()})
    row = {column: "|".join(v) if isinstance(v, list) else v for column, v in row.items()}
    row.update(
        id=place.external_id or f"pasip-{place.pk}",
        pivot=place.structure.pivot or UNKNOWN_PIVOT,
        commune=place.commune.name,
        code_insee=place.commune.insee,
        code_postal=place.postal_code or place.commune.postal_codes.split()[0],
        latitude=repr(place.latitude),
        longitude=repr(place.longitude),
        date_maj=timezone.localdate(place.updated_at).isoformat(),
        telephone=schema_phone(place.phone) if place.phone else "",
    )
    return {column: row.get(column, "") for column in COLUMNS}


def places_for_export():
    return Place.objects.select_related("structure", "commune").order_by("pk")


def export_csv(places, *, delimiter=";"):
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    for place in places:
        writer.writerow({column: _to_csv(value) for column, value in place_row(place).items()})
    return out.getvalue()


def export_json(places):
    return json.dumps([place_row(place) for place in places], ensure_ascii=False, indent=1)
