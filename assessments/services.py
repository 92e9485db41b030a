"""Every write on an assessment and on the questionnaire: checked here, once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pasip.errors import ApplicationError, Conflict
from people.policies import person_followed_check

from .models import Assessment, QuestionnaireVersion
from .profile import needs_profile_compute, profile_to_json
from .questionnaire import definition_errors
from .signals import assessment_validated

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Person

DATA = Path(__file__).parent / "data"
# The versions shipped with the product, oldest first; the last one is the current one.
QUESTIONNAIRE_FILES = sorted(
    DATA.glob("questionnaire_v*.json"), key=lambda path: int(path.stem.rsplit("v", 1)[1])
)
QUESTIONNAIRE_CURRENT = QUESTIONNAIRE_FILES[-1]


class InvalidAnswers(ApplicationError):
    """Some answers are missing or wrong; `errors` says which, in French, by item key."""

    code = "invalid_answers"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(
            _("Certaines réponses manquent ou ne conviennent pas : rien n'a été perdu.")
        )
        self.errors = errors


class InvalidQuestionnaire(ApplicationError):
    """A questionnaire definition that would break the assessments made on it."""

    code = "invalid_questionnaire"

    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            _("Le questionnaire n'est pas valable : %(errors)s")
            % {"errors": " ".join(str(error) for error in errors)}
        )
        self.errors = errors


def questionnaire_check(definition: dict[str, Any]) -> None:
    """Refuses a definition that would break the assessments (see `definition_errors`)."""
    errors = definition_errors(definition)
    if errors:
        raise InvalidQuestionnaire(errors)


def questionnaire_load(*, definition: dict[str, Any]) -> QuestionnaireVersion:
    """Adds a questionnaire version from its definition; loading it again changes nothing.

    A version already used by an assessment is never rewritten: a reworded or new question
    (or new help text) needs a new version number.
    """
    questionnaire_check(definition)
    number = definition["version"]
    version, created = QuestionnaireVersion.objects.get_or_create(
        number=number, defaults={"definition": definition}
    )
    if not created and version.definition != definition:
        if version.assessments.exists():
            raise Conflict(
                _("La version %(number)s sert déjà à des diagnostics : numérotez la nouvelle.")
                % {"number": number}
            )
        version.definition = definition
        version.save(update_fields=["definition"])
    return version


def questionnaire_load_file(path: str | Path | None = None) -> QuestionnaireVersion:
    """Loads one data file, or with no path every version shipped; returns the last loaded."""
    paths = [path] if path else QUESTIONNAIRE_FILES
    for one in paths:
        try:
            definition = json.loads(Path(one).read_text(encoding="utf-8"))
        except ValueError as error:
            raise InvalidQuestionnaire(
                [_("le fichier n'est pas du JSON lisible (%(error)s).") % {"error": error}]
            ) from error
        version = questionnaire_load(definition=definition)
    return version


def _check_editable(assessment: Assessment) -> None:
    if assessment.is_frozen:
        raise Conflict(
            _(
                "Ce diagnostic est joint à une orientation envoyée : il ne change plus. "
                "Corrigez-le en créant une nouvelle version."
            ),
            code="assessment_frozen",
        )


@transaction.atomic
def assessment_start(
    *, user: User, person: Person, answers: dict[str, Any] | None = None
) -> Assessment:
    """A new draft on the current questionnaire version, with any first answers."""
    person_followed_check(user, person)
    version = QuestionnaireVersion.current()
    if version is None:
        raise ApplicationError(_("Aucun questionnaire n'est chargé."), code="no_questionnaire")
    assessment = Assessment(person=person, created_by=user, version=version)
    cleaned, errors = version.questionnaire.check(answers or {})
    if errors:
        raise InvalidAnswers(errors)
    assessment.answers = cleaned
    assessment.save()
    return assessment


@transaction.atomic
def assessment_answer(
    *, user: User, assessment: Assessment, answers: dict[str, Any], area: str | None = None
) -> Assessment:
    """Saves answers on a draft; with `area`, every question of that step must be answered.

    A validated assessment not yet sent goes back to draft. Nothing is written when an
    answer is wrong, so the draft stays as it was.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    person_followed_check(user, assessment.person)
    _check_editable(assessment)
    questionnaire = assessment.questionnaire
    merged = dict(assessment.answers)
    if area is not None:
        for item in questionnaire.area_items(area):
            merged.pop(item["key"], None)
    merged.update(answers)
    cleaned, errors = questionnaire.check(merged, complete_areas=[area] if area else ())
    if errors:
        raise InvalidAnswers(errors)
    assessment.answers = cleaned
    assessment.status = Assessment.Status.DRAFT
    assessment.profile = None
    assessment.validated_at = None
    assessment.save()
    return assessment


@transaction.atomic
def assessment_validate(*, user: User, assessment: Assessment) -> Assessment:
    """Checks that every question is answered and stores the needs profile."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    person_followed_check(user, assessment.person)
    _check_editable(assessment)
    questionnaire = assessment.questionnaire
    cleaned, errors = questionnaire.check(
        assessment.answers, complete_areas=[area["key"] for area in questionnaire.areas]
    )
    if errors:
        raise InvalidAnswers(errors)
    now = timezone.now()
    profile = needs_profile_compute(
        assessment.version.definition, cleaned, on=timezone.localdate(now)
    )
    assessment.answers = cleaned
    assessment.profile = profile_to_json(profile)
    assessment.status = Assessment.Status.VALIDATED
    assessment.validated_at = now
    assessment.save()
    assessment_validated.send(sender=Assessment, assessment=assessment)
    return assessment


@transaction.atomic
def assessment_correct(*, user: User, assessment: Assessment) -> Assessment:
    """A new draft correcting a frozen assessment, which is kept as it was.

    It starts from the old answers, on the current questionnaire version (answers to
    questions that version no longer has, or no longer valid, are left out). An assessment
    not yet sent with a referral is changed directly, never corrected.
    """
    person_followed_check(user, assessment.person)
    if assessment.person.erased_at:
        raise Conflict(
            _(
                "Les données de cette personne ont été effacées : son diagnostic ne peut plus "
                "être corrigé."
            ),
            code="person_erased",
        )
    if not assessment.is_frozen:
        raise Conflict(
            _(
                "Ce diagnostic n'est joint à aucune orientation envoyée : modifiez-le "
                "directement, sans créer de nouvelle version."
            ),
            code="assessment_not_frozen",
        )
    existing = Assessment.objects.filter(supersedes=assessment).first()
    if existing is not None:
        return existing
    version = QuestionnaireVersion.current()
    questionnaire = version.questionnaire
    kept = {key: value for key, value in assessment.answers.items() if key in questionnaire.items}
    cleaned, _errors = questionnaire.check(kept)
    return Assessment.objects.create(
        person=assessment.person,
        created_by=user,
        version=version,
        answers=cleaned,
        supersedes=assessment,
    )
