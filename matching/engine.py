"""Who is suggested for a needs profile, in which order, and why; who is not, and why not.

The engine (`rank`) is pure and deterministic: it reads snapshots of advisors (`Candidate`),
never the database, so that the same data always gives the same order. `advisors_rank` loads
the candidates near the person's commune (`matching/candidates.py`) and calls it.

Hard conditions, the only ones that leave an advisor out (listed in "why not" with the
reason, the distance, the next permanence and the load): active; not absent today; not full
(open referrals below the capacity); *faire pour* needs an Aidants Connect habilitation; can
reach the person — a suitable place within the person's travel limit (an accessible place for
a motor disability), or home visits in the person's commune, or remote help the person can
use (phone or video, advisors of the same département). An advisor with no place, home visit
or remote help for the person is out of reach.

The needs are not a hard condition: every advisor meeting the hard conditions is suggested,
even one covering only some of the needs, and the sentence says which ones it does not cover
("ne couvre pas : …"). Suggestions are ordered by the needs covered first (each weighted by
1 / its priority, 1 being the highest), then by the score of the other criteria, then by
distance, name and id.

Scored criteria, each between 0 and 1 and shown with its value; the score is their weighted
mean, on 100:

| code | what | 1 means |
| --- | --- | --- |
| `needs` | needs covered, each weighted by 1 / its priority (ranked first) | every need |
| `distance` | straight line from the commune's point to the nearest suitable place | 0 km |
| `next_date` | days to the next permanence the person can attend, over `horizon_days` | today |
| `availability` | that permanence falls in a half-day when the person is available | yes |
| `load` | open referrals / capacity, less `decline_penalty` per recent capacity decline | 0 |
| `specific` | share of the person's specific needs and foreign languages handled | all |
| `format` | offers the format the support mode calls for | yes |
| `continuity` | already helped this person (accepted, in progress or completed referral) | yes |

A home visit scores 1 on distance, remote help `remote_distance_score`; a person who asks for
no specific need or foreign language scores 1 on `specific`. Availability: when the
assessment records the half-days the person is available (met at a place), the next date is
the next permanence in one of them ("…, quand la personne est disponible"); failing one, the
next permanence is said "hors de ses disponibilités" and scores 0 on both criteria. With no
half-day recorded, or for a home visit or remote help (arranged with the person), every
permanence counts and availability scores 1.

Weights and thresholds are in `DEFAULTS`; `settings.PASIP_MATCHING` overrides any key (and
`PASIP_MATCHING["weights"]` any weight). When the person is urgent the next date counts twice.
"""

from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from functools import cached_property

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.profile import NeedsProfile, SupportMode
from directory.enums import SpecificNeed, SupportFormat
from pasip.workdays import Weekday
from territory.models import haversine_km

DEFAULTS = {
    "weights": {  # the needs are not weighted: they come first (see `rank`)
        "distance": 25,
        "next_date": 10,
        "availability": 10,
        "load": 20,
        "specific": 5,
        "format": 5,
        "continuity": 5,
    },
    "default_max_travel_km": 50,  # when the person states no limit
    "why_not_margin_km": 15,  # advisors this far beyond the limit are listed under "why not"
    "why_not_limit": 30,
    "horizon_days": 28,
    "decline_window_days": 30,
    "decline_penalty": 0.25,
    "remote_distance_score": 0.5,
}

LANGUAGE_NEEDS = {SpecificNeed.ENGLISH.value: "en"}


def travel_limit_km(profile, config):
    """The person's travel limit; 0 means the person cannot travel."""
    stated = profile.constraints.max_travel_km
    return config["default_max_travel_km"] if stated is None else stated


def matching_config():
    overrides = settings.PASIP_MATCHING or {}
    config = {**DEFAULTS, **overrides}
    config["weights"] = {**DEFAULTS["weights"], **overrides.get("weights", {})}
    return config


# --- Snapshots read by the engine -------------------------------------------------------------


@dataclass(frozen=True)
class PlaceInfo:
    pk: int
    name: str
    commune: str
    latitude: float
    longitude: float
    accessible: bool = False

    def __str__(self):
        return f"{self.name}, {self.commune}"


@dataclass(frozen=True)
class PermanenceInfo:
    place_pk: int
    weekday: int  # 0 is Monday
    start: time
    end: time


@dataclass(frozen=True)
class Candidate:
    pk: int
    name: str
    structure: str = ""
    is_active: bool = True
    themes: frozenset = frozenset()
    support_formats: frozenset = frozenset()
    languages: frozenset = frozenset({"fr"})
    specific_needs: frozenset = frozenset()
    places: tuple = ()  # PlaceInfo, including the places of the advisor's permanences
    permanences: tuple = ()  # PermanenceInfo
    absences: tuple = ()  # (first day, last day), both included
    serves_at_home: bool = False  # home visits in the person's commune
    remote_phone: bool = False
    remote_video: bool = False
    remote_reach: bool = False  # the person is within the advisor's remote area (département)
    aidants_connect: bool = False
    capacity: int = 15
    open_referrals: int = 0
    capacity_declines: int = 0  # recent declines for lack of capacity
    helped_person: bool = False

    def __str__(self):
        return self.name

    def absent_on(self, day):
        return any(first <= day <= last for first, last in self.absences)

    def absence_end(self, day):
        return max((last for first, last in self.absences if first <= day <= last), default=None)


@dataclass(frozen=True)
class Origin:
    """Where the person lives: the commune's name and point."""

    name: str
    latitude: float
    longitude: float
    insee: str = ""


# --- What the engine returns ------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    value: object  # the raw value (km, days, ratio…), None when not applicable
    display: str  # the value in French
    score: float  # 0 to 1
    weight: float | None  # None for the needs, which come before every weighted criterion


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class Suggestion:
    rank: int
    candidate: Candidate
    score: float  # 0 to 100: the weighted criteria, which order advisors covering as much
    criteria: tuple
    mode: str  # "place", "home" or "remote"
    place: PlaceInfo | None
    distance_km: float | None
    next_date: date | None
    next_permanence: PermanenceInfo | None
    phrases: tuple = ()
    rows: object = field(default=None, repr=False, compare=False)  # AdvisorRows
    needs_score: float = 1.0  # 0 to 1: the needs covered, weighted by priority; ranked first
    uncovered: tuple = ()  # the person's need categories the advisor does not cover

    @property
    def advisor(self):
        """The Advisor row (loaded once for the whole ranking), or the bare Candidate."""
        return self.rows.get(self.candidate.pk) if self.rows else self.candidate

    @property
    def explanation(self):
        return " — ".join(self.phrases)


@dataclass(frozen=True)
class WhyNot:
    candidate: Candidate
    reasons: tuple  # Reason
    distance_km: float | None
    rows: object = field(default=None, repr=False, compare=False)
    next_date: date | None = None  # the advisor's next permanence at any place, absences skipped
    next_permanence: PermanenceInfo | None = None

    advisor = Suggestion.advisor

    @property
    def explanation(self):
        return " ; ".join(reason.message for reason in self.reasons)

    @property
    def distance_display(self):
        if self.distance_km is None:
            return _("aucun lieu à proximité")
        return _("à %(km)s km") % {"km": round(self.distance_km)}

    @property
    def next_permanence_display(self):
        if self.next_permanence is None:
            return _("aucune permanence dans les semaines à venir")
        place = {p.pk: p for p in self.candidate.places}.get(self.next_permanence.place_pk)
        text = _("prochaine permanence le %(date)s %(part)s") % {
            "date": _date_text(self.next_date),
            "part": _time_of_day(self.next_permanence.start, self.next_permanence.end),
        }
        if place is not None:
            text += _(" à %(commune)s") % {"commune": place.commune}
        return text

    @property
    def load_display(self):
        return _load_text(self.candidate)

    @property
    def details(self):
        """Distance, next permanence and load, in one line."""
        parts = [self.distance_display, self.next_permanence_display, self.load_display]
        return " · ".join(part for part in parts if part)


class AdvisorRows:
    """The Advisor rows of a ranking, read in one query the first time one is asked for."""

    def __init__(self, pks):
        self.pks = pks
        self.rows = None

    def get(self, pk):
        if self.rows is None:
            from directory.models import Advisor

            self.rows = Advisor.objects.select_related("user", "structure").in_bulk(self.pks)
        return self.rows[pk]


@dataclass(frozen=True)
class Ranking:
    """Ranked suggestions (iterable like a list of them) and the advisors not suggested."""

    suggestions: tuple
    why_not: tuple = ()
    unmet_needs: tuple = ()  # need categories no advisor within reach covers
    max_travel_km: float | None = None
    origin: Origin | None = None
    criteria_weights: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.suggestions)

    def __len__(self):
        return len(self.suggestions)

    def __getitem__(self, index):
        return self.suggestions[index]


# --- The engine -------------------------------------------------------------------------------


@dataclass
class _Reach:
    """How an advisor can meet the person, whatever the needs."""

    candidate: Candidate
    profile: NeedsProfile
    origin: Origin
    limit_km: float

    @cached_property
    def motor(self):
        return SpecificNeed.MOTOR.value in self.profile.constraints.specific_needs

    @cached_property
    def nearest(self):
        """(distance, place) of the nearest suitable place, or (None, None)."""
        places = [p for p in self.candidate.places if p.accessible or not self.motor]
        if not places:
            return None, None
        return min(
            (
                (
                    haversine_km(
                        self.origin.latitude, self.origin.longitude, p.latitude, p.longitude
                    ),
                    p,
                )
                for p in places
            ),
            key=lambda pair: (pair[0], pair[1].pk),
        )

    @cached_property
    def nearest_any_km(self):
        distances = [
            haversine_km(self.origin.latitude, self.origin.longitude, p.latitude, p.longitude)
            for p in self.candidate.places
        ]
        return min(distances, default=None)

    @cached_property
    def remote_ways(self):
        constraints, candidate = self.profile.constraints, self.candidate
        if not candidate.remote_reach:
            return []
        ways = []
        if constraints.remote_phone and candidate.remote_phone:
            ways.append(_("téléphone"))
        if constraints.remote_video and candidate.remote_video:
            ways.append(_("visio"))
        return ways

    @cached_property
    def mode(self):
        distance, _place = self.nearest
        by_place = (
            not self.profile.constraints.home_visit
            and distance is not None
            and distance <= self.limit_km
        )
        if self.profile.constraints.home_visit and self.candidate.serves_at_home:
            return "home"
        if by_place:
            return "place"
        if self.candidate.serves_at_home:
            return "home"
        if self.remote_ways:
            return "remote"
        return None

    def unreachable_reason(self):
        distance, _place = self.nearest
        if self.profile.constraints.home_visit:
            message = _("Ne se déplace pas à domicile à %(commune)s") % {
                "commune": self.origin.name
            }
        elif self.motor and self.candidate.places and distance is None:
            message = _(
                "Aucun lieu accessible en fauteuil et pas de visite à domicile à %(commune)s"
            ) % {"commune": self.origin.name}
        elif distance is None:
            message = _("Aucun lieu à portée et pas de visite à domicile à %(commune)s") % {
                "commune": self.origin.name
            }
        else:
            message = _("Lieu le plus proche à %(km)s km (limite : %(limit)s km)") % {
                "km": round(distance),
                "limit": round(self.limit_km),
            }
        return Reason("out_of_reach", message)


def _is_full(candidate):
    return candidate.open_referrals >= candidate.capacity


def _hard_failures(reach, profile, today, excluded, *, load=True):
    """Codes of the hard conditions the advisor fails (cheap: messages are built later).

    The needs are not a hard condition: an advisor covering only some of them is suggested,
    after those covering more, and says which ones they do not cover. Without `load`, the
    capacity (the only condition reading the live load) is not checked.
    """
    candidate = reach.candidate
    codes = []
    if candidate.pk in excluded:
        codes.append("excluded")
    if not candidate.is_active:
        codes.append("inactive")
    if candidate.absent_on(today):
        codes.append("absent")
    if load and _is_full(candidate):
        codes.append("full")
    if profile.support_mode == SupportMode.DO_FOR and not candidate.aidants_connect:
        codes.append("no_aidants_connect")
    if reach.mode is None:
        codes.append("out_of_reach")
    return codes


def _reason(code, reach, profile, today):
    candidate = reach.candidate
    if code == "excluded":
        return Reason(code, _("Déjà sollicité pour cette orientation"))
    if code == "inactive":
        return Reason(code, _("Fiche inactive"))
    if code == "absent":
        back = candidate.absence_end(today) + timedelta(days=1)
        return Reason(code, _("Absent, de retour le %(date)s") % {"date": _date_text(back)})
    if code == "full":
        return Reason(code, _("Complet : %(load)s") % {"load": _load_text(candidate)})
    if code == "no_aidants_connect":
        return Reason(
            code, _("Pas d'habilitation Aidants Connect (nécessaire pour faire à la place)")
        )
    return reach.unreachable_reason()


def _half_days(permanence):
    """The half-day codes ("tu-am", "tu-pm") a permanence falls in."""
    day = Weekday(permanence.weekday).code
    codes = []
    if permanence.start < time(13, 0):
        codes.append(f"{day}-am")
    if permanence.end > time(13, 0) or permanence.start >= time(12, 0):
        codes.append(f"{day}-pm")
    return codes


def _attendable(permanence, half_days):
    """Whether the person, available on `half_days` (none stated: any), can attend."""
    return not half_days or any(code in half_days for code in _half_days(permanence))


def _next_permanence(candidate, places_ok, today, horizon, half_days=()):
    """(date, permanence) of the first permanence at an allowed place, absences skipped.

    With `half_days`, only the permanences falling in one of them (when the person is available).
    """
    permanences = [
        p for p in candidate.permanences if p.place_pk in places_ok and _attendable(p, half_days)
    ]
    if not permanences:
        return None, None
    for offset in range(horizon + 1):
        day = today + timedelta(days=offset)
        if candidate.absent_on(day):
            continue
        todays = [p for p in permanences if p.weekday == day.weekday()]
        if todays:
            return day, min(todays, key=lambda p: (p.start, p.place_pk))
    return None, None


def _needs_criterion(candidate, profile, weight):
    needs = {}
    for need in profile.needs:  # a category given twice counts once, at its highest priority
        needs[need.category] = min(need.priority, needs.get(need.category, need.priority))
    total = sum(1 / max(priority, 1) for priority in needs.values())
    covered = [c for c in needs if c in candidate.themes]
    score = sum(1 / max(needs[c], 1) for c in covered) / total if total else 1.0
    display = ngettext(
        "couvre %(covered)d besoin sur %(total)d",
        "couvre %(covered)d besoins sur %(total)d",
        len(covered),
    ) % {"covered": len(covered), "total": len(needs)}
    uncovered = tuple(c for c in needs if c not in candidate.themes)
    if uncovered and covered:
        display += _(", ne couvre pas : %(needs)s") % {"needs": ", ".join(uncovered)}
    elif uncovered:
        display = _("ne couvre pas : %(needs)s") % {"needs": ", ".join(uncovered)}
    return (
        Criterion("needs", _("Besoins couverts"), len(covered), display, score, weight),
        uncovered,
    )


def _specific_criterion(candidate, profile, weight):
    constraints = profile.constraints
    asked = [need for need in constraints.specific_needs if need != SpecificNeed.MOTOR.value]
    languages = [lang for lang in constraints.languages if lang != "fr"]
    handled = [
        need
        for need in asked
        if need in candidate.specific_needs or LANGUAGE_NEEDS.get(need) in candidate.languages
    ]
    spoken = [lang for lang in languages if lang in candidate.languages]
    count = len(asked) + len(languages)
    if not count:
        return Criterion("specific", _("Besoins spécifiques et langues"), None, "", 1.0, weight)
    done = len(handled) + len(spoken)
    display = _("besoins spécifiques et langues : %(done)d sur %(count)d") % {
        "done": done,
        "count": count,
    }
    return Criterion(
        "specific", _("Besoins spécifiques et langues"), done, display, done / count, weight
    )


def _format_criterion(candidate, profile, mode, weight):
    if mode == "remote":
        wanted = {SupportFormat.REMOTE.value}
    elif profile.support_mode == SupportMode.TEACH:
        wanted = {SupportFormat.INDIVIDUAL.value, SupportFormat.WORKSHOP.value}
    else:
        wanted = {SupportFormat.INDIVIDUAL.value}
    offered = sorted(wanted & candidate.support_formats)
    if not candidate.support_formats:
        return Criterion("format", _("Format"), None, _("formats non renseignés"), 0.5, weight)
    if offered:
        return Criterion("format", _("Format"), offered[0], offered[0].lower(), 1.0, weight)
    return Criterion(
        "format", _("Format"), None, _("pas de %(f)s") % {"f": sorted(wanted)[0].lower()}, 0, weight
    )


def _load_text(candidate):
    return ngettext(
        "%(open)d accompagnement en cours sur %(capacity)d",
        "%(open)d accompagnements en cours sur %(capacity)d",
        candidate.open_referrals,
    ) % {"open": candidate.open_referrals, "capacity": candidate.capacity}


def _load_criterion(candidate, config, weight):
    capacity, open_count = candidate.capacity, candidate.open_referrals
    base = max(0.0, 1 - open_count / capacity) if capacity else 0.0
    score = max(0.0, base - config["decline_penalty"] * candidate.capacity_declines)
    display = _load_text(candidate)
    if candidate.capacity_declines:
        display += ngettext(
            " (%(n)d refus faute de place ce mois-ci)",
            " (%(n)d refus faute de place ce mois-ci)",
            candidate.capacity_declines,
        ) % {"n": candidate.capacity_declines}
    return Criterion("load", _("Charge"), open_count, display, score, weight)


def _date_text(day):
    return formats.date_format(day, "l j F").lower()


def _time_of_day(start, end):
    if end <= time(13, 0):
        return _("matin")
    if start >= time(12, 0):
        return _("après-midi")
    return _("journée")


def _score(candidate, reach, profile, today, config):
    """(score on 100, criteria, suggestion fields) of an advisor meeting every hard condition.

    The score is the weighted mean of every criterion but the needs, which `rank` puts first.
    """
    weights = dict(config["weights"])
    if profile.urgent:
        weights["next_date"] = weights.get("next_date", 0) * 2
    mode = reach.mode
    distance, place = reach.nearest
    horizon = config["horizon_days"]
    limit = reach.limit_km
    # The person comes to a permanence only when met at a place: a home visit or remote help
    # is arranged with the person.
    half_days = tuple(profile.constraints.half_days) if mode == "place" else ()

    if mode == "place":
        places_ok = {
            p.pk
            for p in candidate.places
            if (p.accessible or not reach.motor)
            and haversine_km(reach.origin.latitude, reach.origin.longitude, p.latitude, p.longitude)
            <= limit
        }
        distance_score = max(0.0, 1 - distance / limit) if limit else 0.0
        distance_text = _("%(km)s km") % {"km": round(distance)}
    elif mode == "home":
        places_ok = {p.pk for p in candidate.places}
        distance_score = 1.0
        distance_text = _("se déplace à domicile à %(commune)s") % {"commune": reach.origin.name}
    else:
        places_ok = set()
        distance_score = config["remote_distance_score"]
        distance_text = _("à distance (%(ways)s)") % {"ways": ", ".join(reach.remote_ways)}
    # The next date is the next permanence the person can attend; failing one, the next
    # permanence at all is said, "hors de ses disponibilités", and scores nothing.
    next_day, permanence = _next_permanence(candidate, places_ok, today, horizon, half_days)
    attendable = next_day is not None
    if half_days and not attendable:
        next_day, permanence = _next_permanence(candidate, places_ok, today, horizon)
    if next_day is None:
        date_score = 0.0
        date_text = _("aucune permanence dans les %(weeks)d semaines") % {"weeks": horizon // 7}
    else:
        date_score = 1 - (next_day - today).days / (horizon + 1) if attendable else 0.0
        place_of = {p.pk: p for p in candidate.places}[permanence.place_pk]
        date_text = _("permanence à %(commune)s le %(day)s %(part)s") % {
            "commune": place_of.commune,
            "day": Weekday(permanence.weekday).label,
            "part": _time_of_day(permanence.start, permanence.end),
        }
        if half_days:
            date_text += (
                _(", quand la personne est disponible")
                if attendable
                else _(", hors de ses disponibilités")
            )
        if (next_day - today).days >= 7:
            date_text += _(" (à partir du %(date)s)") % {"date": _date_text(next_day)}
    if not half_days:
        availability = Criterion(
            "availability", _("Disponibilités"), None, "", 1.0, weights.get("availability", 0)
        )
    else:
        availability = Criterion(
            "availability",
            _("Disponibilités"),
            attendable,
            _("permanence quand la personne est disponible")
            if attendable
            else _("aucune permanence quand la personne est disponible"),
            1.0 if attendable else 0.0,
            weights.get("availability", 0),
        )

    needs, uncovered = _needs_criterion(candidate, profile, None)
    criteria = (
        needs,
        Criterion(
            "distance",
            _("Distance"),
            round(distance, 1) if mode == "place" else None,
            distance_text,
            distance_score,
            weights.get("distance", 0),
        ),
        Criterion(
            "next_date",
            _("Prochaine permanence"),
            next_day,
            date_text,
            date_score,
            weights.get("next_date", 0),
        ),
        availability,
        _load_criterion(candidate, config, weights.get("load", 0)),
        _specific_criterion(candidate, profile, weights.get("specific", 0)),
        _format_criterion(candidate, profile, mode, weights.get("format", 0)),
        Criterion(
            "continuity",
            _("Continuité"),
            candidate.helped_person,
            _("a déjà accompagné cette personne") if candidate.helped_person else "",
            1.0 if candidate.helped_person else 0.0,
            weights.get("continuity", 0),
        ),
    )
    weighted = [c for c in criteria if c.weight is not None]
    total_weight = sum(c.weight for c in weighted)
    score = 100 * sum(c.weight * c.score for c in weighted) / total_weight if total_weight else 0
    by_code = {c.code: c for c in criteria}
    phrases = [distance_text, date_text, by_code["load"].display, by_code["needs"].display]
    phrases += [
        by_code[code].display for code in ("specific", "continuity") if by_code[code].display
    ]
    if profile.support_mode == SupportMode.DO_FOR:
        phrases.append(_("habilité Aidants Connect"))
    return (
        score,
        criteria,
        {
            "mode": mode,
            "place": place if mode == "place" else None,
            "distance_km": distance,
            "next_date": next_day,
            "next_permanence": permanence,
            "phrases": tuple(phrases),
            "needs_score": needs.score,
            "uncovered": uncovered,
        },
    )


def _why_not(candidate, reach, failures, distance, profile, today, config):
    every_place = {p.pk for p in candidate.places}
    next_day, permanence = _next_permanence(candidate, every_place, today, config["horizon_days"])
    return WhyNot(
        candidate,
        tuple(_reason(code, reach, profile, today) for code in failures),
        distance,
        next_date=next_day,
        next_permanence=permanence,
    )


def suggestible(*, profile, origin, candidates, today, config=None, exclude=()):
    """The keys of the candidates meeting every hard condition but the capacity.

    Those are the only advisors whose live load matters: `rank` suggests the ones among them
    that are not full.
    """
    config = config or matching_config()
    limit = travel_limit_km(profile, config)
    excluded = set(exclude)
    return {
        c.pk
        for c in candidates
        if not _hard_failures(
            _Reach(c, profile, origin, limit), profile, today, excluded, load=False
        )
    }


def rank(*, profile, origin, candidates, today, config=None, exclude=()):
    """The ranking of `candidates` for a person with `profile` living at `origin`. Pure.

    Advisors meeting every hard condition are suggested, ordered by the needs they cover
    (each weighted by 1 / its priority), then by the score of the other criteria, then by
    distance, name and id. The others are listed under "why not", nearest first.
    """
    config = config or matching_config()
    limit = travel_limit_km(profile, config)
    excluded = set(exclude)
    scored, why_not = [], []
    reachable_themes = set()
    for candidate in sorted(candidates, key=lambda c: c.pk):
        reach = _Reach(candidate, profile, origin, limit)
        failures = _hard_failures(reach, profile, today, excluded)
        available = candidate.is_active and not candidate.absent_on(today) and reach.mode
        if available:
            reachable_themes |= candidate.themes
        if failures:
            why_not.append((reach.nearest_any_km, candidate, reach, failures))
            continue
        score, criteria, fields = _score(candidate, reach, profile, today, config)
        scored.append((score, candidate, criteria, fields))

    far = float("inf")
    scored.sort(
        key=lambda item: (
            -round(item[3]["needs_score"], 9),
            -round(item[0], 9),
            item[3]["distance_km"] if item[3]["distance_km"] is not None else far,
            item[1].name,
            item[1].pk,
        )
    )
    suggestions = tuple(
        Suggestion(
            rank=index,
            candidate=candidate,
            score=round(score, 1),
            criteria=criteria,
            **fields,
        )
        for index, (score, candidate, criteria, fields) in enumerate(scored, start=1)
    )
    why_not.sort(
        key=lambda item: (item[0] if item[0] is not None else far, item[1].name, item[1].pk)
    )
    why_not = [
        _why_not(candidate, reach, failures, distance, profile, today, config)
        for distance, candidate, reach, failures in why_not[: config["why_not_limit"]]
    ]
    unmet = tuple(
        need for need in dict.fromkeys(profile.categories) if need not in reachable_themes
    )
    return Ranking(
        suggestions=suggestions,
        why_not=tuple(why_not),
        unmet_needs=unmet,
        max_travel_km=limit,
        origin=origin,
        criteria_weights=dict(config["weights"]),
    )


# --- Entry points reading the database --------------------------------------------------------


def advisors_rank(*, profile, commune, exclude=(), person=None, today=None):
    """The ranking for `profile` from `commune`, with Advisor rows attached. Reads only.

    With a `person`, their history counts (an advisor who helped them, one who declined them
    for lack of room). The needs no advisor within reach covers (`Ranking.unmet_needs`) are
    recorded by the sending of a referral, not here.
    """
    from .candidates import candidates_load, live_load

    config = matching_config()
    today = today or timezone.localdate()
    exclude = [getattr(a, "pk", a) for a in exclude]
    candidates = candidates_load(commune=commune, profile=profile, config=config, today=today)
    origin = Origin(commune.name, commune.latitude, commune.longitude, commune.insee)
    eligible = suggestible(
        profile=profile, origin=origin, candidates=candidates, today=today, config=config,
        exclude=exclude,
    )  # fmt: skip
    load = live_load(pks=sorted(eligible), person=person, config=config)
    candidates = [
        replace(c, open_referrals=load[c.pk][0], capacity_declines=load[c.pk][1],
                helped_person=load[c.pk][2])
        if c.pk in load else c
        for c in candidates
    ]  # fmt: skip
    ranking = rank(
        profile=profile,
        origin=origin,
        candidates=candidates,
        today=today,
        config=config,
        exclude=exclude,
    )
    pks = [s.candidate.pk for s in ranking.suggestions] + [w.candidate.pk for w in ranking.why_not]
    rows = AdvisorRows(pks)
    # The load of the advisors left out for another reason, shown beside the reason.
    unread = sorted({w.candidate.pk for w in ranking.why_not} - set(eligible))
    unread_load = live_load(pks=unread, person=person, config=config)
    why_not = tuple(
        replace(
            w,
            rows=rows,
            candidate=replace(w.candidate, open_referrals=unread_load.get(w.candidate.pk, (0,))[0])
            if w.candidate.pk in unread
            else w.candidate,
        )
        for w in ranking.why_not
    )
    ranking = replace(
        ranking,
        suggestions=tuple(replace(s, rows=rows) for s in ranking.suggestions),
        why_not=why_not,
    )
    return ranking


def advisors_suggest(*, needs, commune, person=None):
    """The ranking for a bare list of need categories, all of top priority (no constraint)."""
    return advisors_rank(
        profile=NeedsProfile.from_categories(needs), commune=commune, person=person
    )
