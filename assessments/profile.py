"""The needs profile: what an assessment says a person needs, read by matching, slip and stats."""

from dataclasses import asdict, dataclass, field, replace
from datetime import date

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pasip.workdays import Weekday

from .questionnaire import Questionnaire


class SupportMode(models.TextChoices):
    """How the person wishes to be helped: the slip, the statistics and the pages name it so."""

    DO_FOR = "faire_pour", gettext_lazy("Faire pour la personne")  # Aidants Connect
    DO_WITH = "faire_avec", gettext_lazy("Faire avec la personne")
    TEACH = "apprendre", gettext_lazy("Apprendre à faire")  # individually or in a workshop


@dataclass(frozen=True)
class NeedPriority:
    category: str  # a `Service` value of the national standard
    priority: int  # 1 is the highest


@dataclass(frozen=True)
class Constraints:
    max_travel_km: float | None = None  # None: no limit stated
    has_car: bool = False
    uses_bus: bool = False
    home_visit: bool = False
    remote_phone: bool = False
    remote_video: bool = False
    languages: tuple[str, ...] = ("fr",)
    french_level: str = ""
    specific_needs: tuple[str, ...] = ()  # `PriseEnChargeSpecifique` values
    half_days: tuple[str, ...] = ()  # e.g. "mo-am", "tu-pm"


@dataclass(frozen=True)
class NeedsProfile:
    needs: tuple[NeedPriority, ...]
    support_mode: str = SupportMode.DO_WITH
    urgent: bool = False
    due_date: date | None = None
    constraints: Constraints = field(default_factory=Constraints)
    summary: str = ""

    @classmethod
    def from_categories(cls, categories):
        """A profile from a bare checklist of need categories, all of top priority."""
        return cls(needs=tuple(NeedPriority(category, 1) for category in categories))

    @property
    def categories(self):
        return [need.category for need in self.needs]

    @property
    def top_priority_categories(self):
        if not self.needs:
            return []
        top = min(need.priority for need in self.needs)
        return [need.category for need in self.needs if need.priority == top]


def needs_profile_compute(definition, answers, *, on):
    """The needs profile of complete, checked answers to a questionnaire definition.

    Pure: the same definition, answers and day always give the same profile.

    - Points per need category: each answered item adds the points its definition gives to
      its answer (skills: "ne sait pas faire" 2, "fait avec de l'aide" 1, "autonome" 0).
      A category's priority compares its points with the most it could get in this version
      (questions answered "pas concerné" left out): 1 (high) from the first threshold of
      `rules.priority_thresholds` (default 3/4), 2 from the second (default 0.4), 3 below;
      a category with no point is not a need. The thresholds are fixed, so answering "ne sait
      pas faire" where the person was autonomous can only raise a category's priority.
    - Priorities that discriminate (from version 3, when the rules name them), so that a
      person who can do nothing online does not get every category at priority 1:
      the categories chosen in the item `rules.priority_named_item` (what the person comes
      for first) are needs at priority 1, and every other category is then at priority 2 at
      best; with none chosen, the categories of `rules.priority_1_when_named_only` (the means:
      equipment, internet access, safety, understanding) are at priority 2 at best. Both
      depend on what is named, never on the skills, so more "ne sait pas faire" still never
      lowers a priority.
    - Urgency: an item answered with its `urgent_if` value, except a procedure due by a date
      more than `rules.urgent_within_days` (default 30) days after `on`. An urgent assessment
      always puts "Aide aux démarches administratives" at priority 1 (a procedure due soon, or
      rights at risk, comes before anything else).
    - Support mode: what the person wishes; "faire pour" when the situation is urgent and the
      person cannot yet do the basics alone (half the fundamentals' points or more).
    - Constraints: from the items that name the constraint they fill.
    - Summary: one paragraph for the slip, in plain words, without health or other
      sensitive data (specific needs and languages stay in the constraints).
    """
    questionnaire = Questionnaire(definition)
    rules = questionnaire.rules
    points, most = _category_points(questionnaire, answers)
    high, medium = rules.get("priority_thresholds", (0.75, 0.4))
    named_item = rules.get("priority_named_item")
    named = list(answers.get(named_item) or ()) if named_item else []
    second_at_best = set(rules.get("priority_1_when_named_only", ()))
    priorities = {}
    for category, got in points.items():
        if got > 0:
            share = got / most[category]
            priority = 1 if share >= high else 2 if share >= medium else 3
            if named or category in second_at_best:
                priority = max(priority, 2)
            priorities[category] = priority
    for category in named:
        priorities[category] = 1
    due_date = (
        date.fromisoformat(answers["procedure_due_date"])
        if answers.get("procedure_due_date")
        else None
    )
    urgent = _is_urgent(questionnaire, answers, due_date, on)
    if urgent:
        priorities[ADMIN_PROCEDURES] = 1
    needs = tuple(
        NeedPriority(category, priority)
        for category, priority in sorted(priorities.items(), key=lambda item: (item[1], item[0]))
    )
    fundamentals = _area_share(questionnaire, answers, "fundamentals")
    support_mode = {
        "do_for": SupportMode.DO_FOR,
        "learn": SupportMode.TEACH,
    }.get(answers.get("support_wish"), SupportMode.DO_WITH)
    if urgent and fundamentals >= 0.5:
        support_mode = SupportMode.DO_FOR
    constraints = _constraints(questionnaire, answers)
    profile = NeedsProfile(
        needs=needs,
        support_mode=support_mode,
        urgent=urgent,
        due_date=due_date,
        constraints=constraints,
    )
    return replace(profile, summary=_summary(profile, definition.get("categories", {})))


ADMIN_PROCEDURES = "Aide aux démarches administratives"
SKILL_POINTS = {"cannot": 2, "with_help": 1, "autonomous": 0, "not_applicable": 0}


def item_points(questionnaire, item):
    """{category: {answer: points}} for one item."""
    if "needs" in item:
        return item["needs"]
    if item["type"] == "skill" and item.get("category"):
        return {item["category"]: questionnaire.rules.get("skill_points", SKILL_POINTS)}
    return {}


def _category_points(questionnaire, answers, items=None):
    points, most = {}, {}
    for item in items if items is not None else questionnaire.items.values():
        if answers.get(item["key"]) == "not_applicable":
            continue  # a question that does not concern the person weighs nothing
        for category, scale in item_points(questionnaire, item).items():
            most[category] = most.get(category, 0) + max(scale.values(), default=0)
            answer = answers.get(item["key"])
            points[category] = points.get(category, 0) + scale.get(answer, 0)
    return points, most


def _area_share(questionnaire, answers, area_key):
    try:
        items = questionnaire.area_items(area_key)
    except StopIteration:
        return 0
    points, most = _category_points(questionnaire, answers, items)
    total = sum(most.values())
    return sum(points.values()) / total if total else 0


def _is_urgent(questionnaire, answers, due_date, on):
    window = questionnaire.rules.get("urgent_within_days", 30)
    for item in questionnaire.items.values():
        if "urgent_if" not in item or answers.get(item["key"]) != item["urgent_if"]:
            continue
        if item["key"] == "procedure_due" and due_date and (due_date - on).days > window:
            continue
        return True
    return False


def _constraints(questionnaire, answers):
    values = {}
    for item in questionnaire.items.values():
        answer = answers.get(item["key"])
        if answer is None:
            continue
        for choice, name in item.get("constraint_flags", {}).items():
            values[name] = choice in answer
        name = item.get("constraint")
        if name:
            if item["type"] == "yes_no":
                answer = answer == "yes"
            elif item["type"] == "multi":
                answer = tuple(answer)
            values[name] = answer
    if not values.get("languages"):
        values.pop("languages", None)
    return Constraints(**values)


SUPPORT_SENTENCES = {
    SupportMode.DO_FOR: gettext_lazy(
        "La personne a besoin que quelqu'un fasse les démarches avec son accord."
    ),
    SupportMode.DO_WITH: gettext_lazy(
        "La personne souhaite être accompagnée pour faire avec quelqu'un."
    ),
    SupportMode.TEACH: gettext_lazy("La personne souhaite apprendre à faire seule."),
}


def _summary(profile, plain_words):
    sentences = []
    words = [plain_words.get(need.category, need.category.lower()) for need in profile.needs]
    if words:
        sentences.append(_("Besoin d'aide pour %(needs)s.") % {"needs": _enumeration(words)})
    else:
        sentences.append(_("Le diagnostic ne fait pas apparaître de besoin particulier."))
    if profile.urgent:
        if profile.due_date:
            sentences.append(
                _("C'est urgent : une démarche est à faire avant le %(date)s.")
                % {"date": f"{profile.due_date:%d/%m/%Y}"}
            )
        else:
            sentences.append(_("C'est urgent : des droits risquent d'être suspendus."))
    sentences.append(str(SUPPORT_SENTENCES[profile.support_mode]))
    sentences.append(_travel_sentence(profile.constraints))
    remote = [
        label
        for label, ok in (
            (_("par téléphone"), profile.constraints.remote_phone),
            (_("en visio"), profile.constraints.remote_video),
        )
        if ok
    ]
    if remote:
        sentences.append(
            _("Une aide à distance est possible %(how)s.") % {"how": _enumeration(remote)}
        )
    if profile.constraints.half_days:
        days = [_half_day(code) for code in profile.constraints.half_days]
        sentences.append(_("Disponible le %(days)s.") % {"days": _enumeration(days)})
    return " ".join(sentences)


def _half_day(code):
    """A half-day code such as "tu-am" in words: "mardi matin"."""
    moment = _("matin") if code.endswith("am") else _("après-midi")
    weekday = Weekday.from_code(code[:2])
    return f"{weekday.label if weekday is not None else code} {moment}"


def _travel_sentence(constraints):
    if constraints.home_visit:
        return _("Elle a besoin qu'on vienne chez elle.")
    if constraints.max_travel_km == 0:
        return _("Elle ne peut pas se déplacer.")
    means = [
        label
        for label, ok in (
            (_("en voiture"), constraints.has_car),
            (_("en bus"), constraints.uses_bus),
        )
        if ok
    ]
    how = f" {_enumeration(means)}" if means else ""
    if constraints.max_travel_km is None:
        return _("Elle peut se déplacer%(how)s.") % {"how": how}
    return _("Elle peut se déplacer jusqu'à %(km)s km%(how)s.") % {
        "km": f"{constraints.max_travel_km:g}",
        "how": how,
    }


def _enumeration(words):
    words = [str(word) for word in words]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + _(" et ") + words[-1]


def profile_to_json(profile):
    """The profile as stored on the assessment (JSON)."""
    data = asdict(profile)
    data["due_date"] = profile.due_date.isoformat() if profile.due_date else None
    return data


def profile_from_json(data):
    """The `NeedsProfile` back from its stored JSON."""
    constraints = dict(data.get("constraints") or {})
    for name in ("languages", "specific_needs", "half_days"):
        if name in constraints:
            constraints[name] = tuple(constraints[name])
    return NeedsProfile(
        needs=tuple(NeedPriority(**need) for need in data.get("needs", ())),
        support_mode=data.get("support_mode", SupportMode.DO_WITH),
        urgent=data.get("urgent", False),
        due_date=date.fromisoformat(data["due_date"]) if data.get("due_date") else None,
        constraints=Constraints(**constraints),
        summary=data.get("summary", ""),
    )
