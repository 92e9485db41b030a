from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from pasip.errors import ApplicationError
from pasip.permissions import role_required
from pasip.service_calls import service_call
from people.models import Person
from people.services import person_access_log

from . import services
from .models import Assessment
from .profile import needs_profile_compute

FIELD_TYPES = {"skill": "radio", "choice": "radio", "yes_no": "radio", "multi": "checkbox"}


def _visible_assessment(request, pk):
    """The assessment if the user may see it (else a 404); the view of it is logged."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related("version", "person"), pk=pk
    )
    person_access_log(user=request.user, persons=[assessment.person], where=request.get_full_path())
    return assessment


@require_POST
@role_required(Role.SOCIAL_WORKER)
def assessment_create(request, person_pk):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_pk)
    with service_call(request) as call:
        assessment = services.assessment_start(user=request.user, person=person)
    if not call.ok:
        return redirect("referral_new", person_pk=person.pk)
    return redirect("assessment_step", pk=assessment.pk, step=1)


@role_required(Role.SOCIAL_WORKER)
def assessment_resume(request, pk):
    """Back to where the assessment was left: its first unanswered step, or its summary."""
    assessment = _visible_assessment(request, pk)
    missing = assessment.questionnaire.first_incomplete_area(assessment.answers)
    if missing is None or assessment.is_frozen:
        return redirect("assessment_summary", pk=pk)
    return redirect("assessment_step", pk=pk, step=missing + 1)


@role_required(Role.SOCIAL_WORKER)
def assessment_step(request, pk, step):
    """One area of the questionnaire; each step is saved in the draft before the next."""
    assessment = _visible_assessment(request, pk)
    questionnaire = assessment.questionnaire
    if not 1 <= step <= len(questionnaire.areas):
        raise Http404
    if assessment.person.erased_at:  # nothing personal is written again
        return redirect("assessment_summary", pk=pk)
    if assessment.is_frozen:
        messages.error(request, _("Ce diagnostic est joint à une orientation : il ne change plus."))
        return redirect("assessment_summary", pk=pk)
    area = questionnaire.areas[step - 1]
    values, errors = assessment.answers, {}
    if request.method == "POST":
        later = request.POST.get("action") == "later"
        values = _posted_answers(request, area)
        with service_call(request) as call:
            _check_version(request, assessment)
            services.assessment_answer(
                user=request.user,
                assessment=assessment,
                answers=values,
                area=None if later else area["key"],
            )
        if isinstance(call.error, services.InvalidAnswers):
            errors = call.error.errors
        if call.ok:
            if later:
                messages.success(
                    request,
                    _("Diagnostic enregistré en brouillon : reprenez-le quand vous voulez."),
                )
                return redirect("referral_new", person_pk=assessment.person_id)
            if step < len(questionnaire.areas):
                return redirect("assessment_step", pk=pk, step=step + 1)
            return redirect("assessment_summary", pk=pk)
    return render(
        request,
        "assessments/step.html",
        {
            "assessment": assessment,
            "person": assessment.person,
            "area": area,
            "step": step,
            "steps": questionnaire.areas,
            "items": [_item_context(questionnaire, item, values, errors) for item in area["items"]],
            "errors": errors,
            "previous_step": step - 1,
        },
    )


def _posted_answers(request, area):
    answers = {}
    for item in area["items"]:
        if item["type"] == "multi":
            answers[item["key"]] = request.POST.getlist(item["key"])
        else:
            answers[item["key"]] = request.POST.get(item["key"], "")
    return answers


def _check_version(request, assessment):
    posted = request.POST.get("version", "")
    if posted != str(assessment.version.number):
        raise ApplicationError(
            _(
                "Cette page correspond à une autre version du questionnaire (version %(posted)s) "
                "que celle du diagnostic (version %(number)s) : rien n'a été enregistré, "
                "répondez à nouveau aux questions ci-dessous."
            )
            % {"posted": posted or "?", "number": assessment.version.number},
            code="wrong_version",
        )


def _item_context(questionnaire, item, values, errors):
    value = values.get(item["key"])
    if item["type"] == "date" and value and "-" in str(value):
        value = "/".join(reversed(str(value).split("-")))
    selected = value if isinstance(value, list) else [value]
    return {
        **item,
        "input": FIELD_TYPES.get(item["type"], "text"),
        "value": "" if value is None else value,
        "error": errors.get(item["key"]),
        "required": questionnaire.is_required(item, {}) or "show_if" in item,
        "choices": [
            {**choice, "checked": choice["value"] in selected}
            for choice in questionnaire.choices(item)
        ],
    }


@role_required(Role.SOCIAL_WORKER)
def assessment_summary(request, pk):
    """Every answer by area, the needs profile it gives, and validation."""
    assessment = _visible_assessment(request, pk)
    if assessment.person.erased_at:
        # Erased: the answers are gone; only the anonymous needs remain, for the statistics.
        return render(
            request,
            "assessments/summary_erased.html",
            {"assessment": assessment, "profile": assessment.needs_profile},
        )
    questionnaire = assessment.questionnaire
    if request.method == "POST":
        with service_call(request) as call:
            services.assessment_validate(user=request.user, assessment=assessment)
        if call.ok:
            messages.success(request, _("Diagnostic validé."))
            return redirect("referral_new", person_pk=assessment.person_id)
    missing_step = questionnaire.first_incomplete_area(assessment.answers)
    profile = assessment.needs_profile
    if profile is None and missing_step is None:
        profile = needs_profile_compute(
            assessment.version.definition, assessment.answers, on=timezone.localdate()
        )
    areas = [
        {
            "title": area["title"],
            "step": index,
            "answers": [
                (
                    item["label"],
                    questionnaire.answer_label(item, assessment.answers.get(item["key"])),
                )
                for item in area["items"]
                if questionnaire.is_asked(item, assessment.answers)
            ],
        }
        for index, area in enumerate(questionnaire.areas, start=1)
    ]
    return render(
        request,
        "assessments/summary.html",
        {
            "assessment": assessment,
            "person": assessment.person,
            "areas": areas,
            "profile": profile,
            "missing_step": None if missing_step is None else missing_step + 1,
            "history": _history(assessment),
            "correction": Assessment.objects.filter(supersedes=assessment).first(),
        },
    )


def _history(assessment):
    previous, chain = assessment.supersedes, []
    while previous is not None:
        chain.append(previous)
        previous = previous.supersedes
    return chain


@require_POST
@role_required(Role.SOCIAL_WORKER)
def assessment_correct(request, pk):
    assessment = _visible_assessment(request, pk)
    with service_call(request) as call:
        correction = services.assessment_correct(user=request.user, assessment=assessment)
    if not call.ok:
        return redirect("assessment_summary", pk=pk)
    messages.success(
        request, _("Nouvelle version du diagnostic : l'ancienne est conservée telle quelle.")
    )
    return redirect(reverse("assessment_step", kwargs={"pk": correction.pk, "step": 1}))
