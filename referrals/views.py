from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from assessments.models import Assessment
from directory.matching import advisors_suggest
from pasip.errors import ApplicationError
from pasip.permissions import role_required
from people.models import Person

from . import services
from .forms import DeclineForm, SendForm
from .models import Referral, ReferralState


@role_required(Role.SOCIAL_WORKER)
def referral_new(request, person_pk):
    """Assessment, then suggestions, then sending: each step a POST, nothing personal in the URL.

    The needs come from the person's validated digital-needs assessment (assessments/), which
    is attached to the referral when it is sent.
    """
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_pk)
    step = request.POST.get("step")
    assessment = Assessment.objects.validated_for(person)
    if step in ("send", "assessment") and assessment is None:
        messages.error(request, _("Faites d'abord le diagnostic numérique de la personne."))
        return redirect("referral_new", person_pk=person.pk)
    if step == "send":
        form = SendForm(request.POST)
        if form.is_valid():
            needs = form.cleaned_data["needs"]
            try:
                referral = services.referral_send(
                    user=request.user,
                    person=person,
                    advisor=form.cleaned_data["advisor"],
                    needs=needs,
                    suggestions=_suggest(person, assessment.needs_profile),
                    assessment=assessment,
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("Orientation %(code)s envoyée. Imprimez la fiche de liaison.")
                    % {"code": referral.code},
                )
                return redirect("referral_detail", pk=referral.pk)
        return _suggestions_page(request, person, form, assessment)
    if step == "assessment":
        return _suggestions_page(request, person, SendForm(), assessment)
    return render(
        request,
        "referrals/needs.html",
        {
            "person": person,
            "assessment": Assessment.objects.latest_for(person),
            "validated": assessment,
        },
    )


def _suggest(person, profile):
    """The one call to matching: nearest advisors covering the top-priority needs."""
    return advisors_suggest(needs=profile.top_priority_categories, commune=person.commune)


def _suggestions_page(request, person, form, assessment):
    profile = assessment.needs_profile
    return render(
        request,
        "referrals/suggestions.html",
        {
            "person": person,
            "form": form,
            "needs": profile.categories,
            "profile": profile,
            "assessment": assessment,
            "suggestions": _suggest(person, profile),
        },
    )


def _visible_referrals(user):
    return Referral.objects.visible_to(user).select_related(
        "person__commune", "advisor__user", "advisor__structure", "referring_structure"
    )


@role_required(Role.SOCIAL_WORKER, Role.ADVISOR)
def referral_list(request):
    referrals = _visible_referrals(request.user)
    state = request.GET.get("etat")
    if state in ReferralState.values:
        referrals = referrals.filter(state=state)
    return render(
        request,
        "referrals/referral_list.html",
        {"referrals": referrals[:200], "states": ReferralState.choices, "state": state},
    )


@role_required(Role.SOCIAL_WORKER, Role.ADVISOR)
def referral_detail(request, pk):
    referral = get_object_or_404(_visible_referrals(request.user), pk=pk)
    can_answer = (
        request.user.is_advisor
        and referral.advisor.user_id == request.user.pk
        and referral.state == ReferralState.SENT
    )
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "events": referral.events.select_related("actor"),
            "can_answer": can_answer,
            "decline_form": DeclineForm(),
        },
    )


@require_POST
@role_required(Role.ADVISOR)
def referral_accept(request, pk):
    referral = get_object_or_404(_visible_referrals(request.user), pk=pk)
    try:
        services.referral_accept(user=request.user, referral=referral)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Orientation acceptée. Le travailleur social est prévenu."))
    return redirect("referral_detail", pk=pk)


@require_POST
@role_required(Role.ADVISOR)
def referral_decline(request, pk):
    referral = get_object_or_404(_visible_referrals(request.user), pk=pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.referral_decline(user=request.user, referral=referral, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Orientation refusée. Le travailleur social est prévenu."))
            return redirect("referral_detail", pk=pk)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("referral_detail", pk=pk)
