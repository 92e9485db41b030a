from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from assessments.models import Assessment
from assessments.wording import constraint_lines
from directory.enums import Service
from directory.models import Advisor
from matching.services import suggestions_for_person
from notifications.services import notifications_mark_read_for_referral, person_channel_explained
from pasip.errors import ApplicationError
from pasip.pagination import KeysFirstPaginator
from pasip.permissions import role_required
from pasip.service_calls import not_allowed_as_403, service_call
from pasip.workdays import working_days_between
from people.models import Person
from people.services import person_access_log

from . import policies, selectors, services, transitions
from .board_filters import board_filtered
from .cancellation import cancellation_preview
from .forms import (
    AcceptForm,
    AppointmentForm,
    CancelForm,
    CodeSearchForm,
    CompleteForm,
    DeclineForm,
    FailForm,
    MessageForm,
    NeedsChoiceForm,
    OutsideForm,
    RerouteForm,
    SendForm,
    StartForm,
)
from .models import OPEN_STATES, Referral, ReferralState

LIST_PAGE_SIZE = 50  # as the API's pages


@role_required(Role.SOCIAL_WORKER)
def referral_new(request, person_pk):
    """Assessment, then suggestions, then sending: each step a POST, nothing personal in the URL.

    The needs come from the person's validated digital-needs assessment (assessments/), which
    is attached to the referral when it is sent.
    """
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_pk)
    person_access_log(user=request.user, persons=[person], where=request.get_full_path())
    step = request.POST.get("step")
    assessment = Assessment.objects.validated_for(person)
    if step in ("send", "assessment") and assessment is None:
        messages.error(request, _("Faites d'abord le diagnostic numérique de la personne."))
        return redirect("referral_new", person_pk=person.pk)
    if step == "send":
        form = SendForm(request.POST, profile=assessment.needs_profile)
        if form.is_valid():
            needs = form.cleaned_data["needs"]
            suggestions = _suggest(person, _profile_for(assessment, needs))
            if not _among(form.cleaned_data["advisor"], suggestions):
                # Picked from the "why not" list: chosen outside the suggestions, so the
                # social worker says why first, as for a pick in the directory.
                return _outside_page(request, person, assessment, "pick")
            with service_call(request):
                return _sent(request, person, assessment, form.cleaned_data, needs)
        return _suggestions_page(request, person, form, assessment, form.data.getlist("needs"))
    if step == "assessment":
        needs = None
        if "choose_needs" in request.POST:  # the needs page: what she kept for this referral
            choice = NeedsChoiceForm(request.POST, profile=assessment.needs_profile)
            if not choice.is_valid():
                return _needs_page(request, person, assessment, choice)
            needs = choice.cleaned_data["needs"]
        return _suggestions_page(
            request, person, SendForm(profile=assessment.needs_profile), assessment, needs
        )
    if step == "needs" and assessment is not None:  # back from the suggestions, needs kept
        choice = NeedsChoiceForm(
            initial={"needs": request.POST.getlist("needs")}, profile=assessment.needs_profile
        )
        return _needs_page(request, person, assessment, choice)
    if step in ("pick", "outside") and assessment is not None:
        return _outside_page(request, person, assessment, step)
    return _needs_page(request, person, assessment)


def _needs_page(request, person, validated, choice=None):
    if choice is None and validated is not None:
        choice = NeedsChoiceForm(profile=validated.needs_profile)
    return render(
        request,
        "referrals/needs.html",
        {
            "person": person,
            "assessment": Assessment.objects.latest_for(person),
            "validated": validated,
            "choice": choice,
        },
    )


def _profile_for(assessment, needs=None):
    """The assessment's needs profile narrowed to the needs kept for this referral (all of
    them by default): the suggestions are ranked on those. The assessment itself is not
    changed."""
    return services.send_profile(assessment, needs)


def _sent(request, person, assessment, cleaned, needs):
    """Sends the referral a send or outside-choice form describes (`outside_reason` when the
    form has one) and goes to its page; raises ApplicationError when the service refuses."""
    referral = services.referral_send(
        user=request.user,
        person=person,
        advisor=cleaned["advisor"],
        needs=needs,
        assessment=assessment,
        shared=cleaned["shared"],
        outside_reason=cleaned.get("outside_reason"),
    )
    messages.success(
        request,
        _("Orientation %(code)s envoyée. Imprimez la fiche de liaison.") % {"code": referral.code},
    )
    return redirect("referral_detail", pk=referral.pk)


def _outside_page(request, person, assessment, step):
    """An advisor picked in the directory (`directory.views.advisor_search`): the social
    worker says why, then sends. What she typed stays on the page when something is wrong."""
    profile = assessment.needs_profile
    needs = [need for need in request.POST.getlist("needs") if need in profile.categories]
    needs = needs or list(profile.categories)
    if step == "pick":
        form = OutsideForm(
            initial={"advisor": request.POST.get("advisor"), "shared": "shared" in request.POST}
        )
    else:
        form = OutsideForm(request.POST)
        if form.is_valid():
            with service_call(request, form=form):
                return _sent(request, person, assessment, form.cleaned_data, needs)
    advisor_pk = str(request.POST.get("advisor", ""))
    advisor = (
        Advisor.objects.filter(is_active=True, user__is_active=True)
        .filter(pk=advisor_pk if advisor_pk.isdigit() else None)
        .select_related("user", "structure__commune")
        .first()
    )
    labels = dict(Service.choices)
    return render(
        request,
        "referrals/outside.html",
        {
            "person": person,
            "form": form,
            "advisor": advisor,
            "needs": needs,
            "need_labels": [labels.get(need, need) for need in needs],
        },
        status=200 if advisor is not None else 400,
    )


def _among(advisor, suggestions):
    """Whether `advisor` is one of the ranked suggestions (not the "why not" list)."""
    return any(suggestion.advisor.pk == advisor.pk for suggestion in suggestions)


def _suggest(person, profile):
    """The one call to matching: the advisors ranked for the assessment's needs profile."""
    return suggestions_for_person(person, profile)


def _suggestions_page(request, person, form, assessment, needs=None):
    profile = _profile_for(assessment, needs)
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
    return selectors.with_consent(
        Referral.objects.visible_to(user).select_related(
            "person__commune",
            "advisor__user",
            "advisor__structure",
            "referring_structure",
            "referrer",
        )
    )


SORTS = {
    # ?tri=…: the order of the list (the newest first unless asked otherwise)
    "": ("-sent_at", "-pk"),
    "urgence": ("-urgent", "sent_at", "pk"),
}


@role_required(Role.SOCIAL_WORKER, Role.ADVISOR)
def referral_list(request):
    """The structure's referrals or the advisor's inbox; an advisor finds one by its code.

    Each row says whether the assessment found the person's situation urgent, and the list
    sorts by urgency (then the longest waiting first). An advisor accepts or declines a
    referral waiting for an answer from its row, by two distinct forms (a decline with its
    reason). A list writes nothing to the access log: opening a referral does.
    """
    referrals = selectors.with_urgency(_visible_referrals(request.user))
    state = request.GET.get("etat")
    if state in ReferralState.values:
        referrals = referrals.filter(state=state)
    search = CodeSearchForm(request.GET or None, department=request.user.department)
    if search.is_valid() and search.cleaned_data["code"]:
        referrals = referrals.filter(code=search.cleaned_data["code"])
    sort = request.GET.get("tri", "")
    if sort not in SORTS:
        sort = ""
    page = KeysFirstPaginator(referrals.order_by(*SORTS[sort]), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for referral in page.object_list:
        can_answer = "accept" in transitions.allowed(user=request.user, referral=referral)
        rows.append(
            (
                referral,
                selectors.disclosure(user=request.user, referral=referral),
                can_answer,
                DeclineForm(auto_id=f"id_%s_{referral.pk}") if can_answer else None,
            )
        )
    return render(
        request,
        "referrals/referral_list.html",
        {
            "rows": rows,
            "page": page,
            "states": ReferralState.choices,
            "state": state,
            "search": search,
            "sort": sort,
        },
    )


@role_required(Role.SOCIAL_WORKER, Role.ADVISOR, Role.COORDINATOR)
def referral_detail(request, pk):
    referral = get_object_or_404(_visible_referrals(request.user), pk=pk)
    return _detail_page(request, referral)


def _detail_page(request, referral, **forms):
    """The referral's page; `forms` replace the empty ones (a form sent back with its
    errors, what was typed kept)."""
    shown = selectors.disclosure(user=request.user, referral=referral)
    # Every opening is logged, a coordinator's included (only escalated ones can be opened).
    person_access_log(user=request.user, persons=[referral.person], where=request.get_full_path())
    notifications_mark_read_for_referral(user=request.user, referral=referral)
    allowed = transitions.allowed(user=request.user, referral=referral)
    actors = policies.actors_of(request.user, referral)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "shown": shown,
            **_assessment_on_page(request.user, referral, shown),
            "timeline": selectors.timeline(referral),
            "allowed": allowed,
            "can_answer": "accept" in allowed,
            "can_write": policies.referral_can_write_message(request.user, referral),
            "can_reroute": policies.referral_can_reroute(request.user, referral),
            "reroutes": referral.reroutes.all(),
            "accept_form": AcceptForm(advisor=referral.advisor),
            "decline_form": DeclineForm(),
            "start_form": StartForm(),
            "complete_form": CompleteForm(),
            "fail_form": FailForm(),
            "cancel_form": CancelForm(),
            "message_form": MessageForm(),
            **_appointment_on_page(request.user, referral),
            # The referring social worker reads how the person will be told of the
            # appointment (no SMS to a landline), so as to say it with the slip.
            "referrer_told": (
                person_channel_explained(referral.person)[1]
                if policies.Actor.REFERRER in actors and referral.state in OPEN_STATES
                else None
            ),
            **forms,
        },
    )


def _appointment_on_page(user, referral):
    """The advisor's appointment section: the form, and how the person will be told."""
    if not policies.referral_can_set_appointment(user, referral):
        return {"can_set_appointment": False}
    appointment = {}
    if referral.appointment_at:
        appointment = {
            "appointment_at": timezone.localtime(referral.appointment_at),
            "appointment_place": referral.appointment_place_id,
        }
    return {
        "can_set_appointment": referral.appointment_stands,
        "person_told": person_channel_explained(referral.person)[1],
        "appointment_form": AppointmentForm(initial=appointment, advisor=referral.advisor),
    }


def _assessment_on_page(user, referral, shown):
    """The assessment's needs profile on the referral's page, as on the slip: only while the
    person's consent shares it, and to a user who may see it (`selectors.disclosure`). The
    social worker who may open the assessment gets a link to it either way."""
    if referral.assessment_id is None:
        return {}
    consents = getattr(referral.person, "active_consents", None)  # see `with_consent`
    consent = referral.person.active_consent if consents is None else next(iter(consents), None)
    shared = shown.assessment and consent is not None and consent.share_assessment
    profile = referral.assessment.profile if shared else None
    return {
        "assessment_profile": profile,
        "assessment_constraints": constraint_lines(profile) if profile else [],
        "assessment_link": Assessment.objects.visible_to(user)
        .filter(pk=referral.assessment_id)
        .exists(),
    }


ACTIONS = {
    # transition: (form, service, message on success)
    "accept": (
        AcceptForm,
        services.referral_accept,
        _("Orientation acceptée. Le travailleur social est prévenu."),
    ),
    "decline": (
        DeclineForm,
        services.referral_decline,
        _("Orientation refusée. Le travailleur social est prévenu."),
    ),
    "start": (StartForm, services.referral_start, _("Premier rendez-vous enregistré.")),
    "complete": (CompleteForm, services.referral_complete, _("Accompagnement terminé.")),
    "fail": (FailForm, services.referral_fail, _("Orientation déclarée non aboutie.")),
    "cancel": (CancelForm, services.referral_cancel, _("Orientation annulée.")),
}


@require_POST
@role_required(Role.SOCIAL_WORKER, Role.ADVISOR, Role.COORDINATOR)
def referral_act(request, pk, name):
    """One transition of the table, by a form on the referral's page."""
    referral = get_object_or_404(_visible_referrals(request.user), pk=pk)
    form_class, service, success = ACTIONS[name]
    with not_allowed_as_403():
        transitions.check_actor(user=request.user, referral=referral, name=name)
    extra = {"advisor": referral.advisor} if form_class is AcceptForm else {}
    form = form_class(request.POST, **extra)
    if form.is_valid():
        # Refused for the dates typed (accept, start): they stay on the page, next to the
        # message; a decision taken meanwhile is a message on the referral's page.
        dated = form if name in ("accept", "start") else None
        with service_call(request, form=dated, conflict_as_message=True) as call:
            service(user=request.user, referral=referral, **form.cleaned_data)
        if call.on_form:
            return _detail_page(request, referral, **{f"{name}_form": form})
        if call.ok:
            messages.success(request, success)
    else:
        _form_errors(request, form)
    return redirect("referral_detail", pk=pk)


@role_required(Role.SOCIAL_WORKER, Role.ADVISOR, Role.COORDINATOR)
def referral_cancel(request, pk):
    """GET: what cancelling will do, and the reason to give; POST: the cancellation itself.

    A reason left out comes back on this page with what was typed, not on the referral's."""
    referral = get_object_or_404(_visible_referrals(request.user), pk=pk)
    with not_allowed_as_403():
        transitions.check_actor(user=request.user, referral=referral, name="cancel")
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_call(request) as call:
            services.referral_cancel(user=request.user, referral=referral, **form.cleaned_data)
        if call.ok:
            messages.success(request, ACTIONS["cancel"][2])
        return redirect("referral_detail", pk=pk)
    if "cancel" not in transitions.allowed(user=request.user, referral=referral):
        messages.error(
            request,
            _("Cette orientation est « %(state)s » : elle ne peut plus être annulée.")
            % {"state": referral.get_state_display().lower()},
        )
        return redirect("referral_detail", pk=pk)
    shown = selectors.disclosure(user=request.user, referral=referral)
    person_access_log(user=request.user, persons=[referral.person], where=request.get_full_path())
    return render(
        request,
        "referrals/cancel_confirm.html",
        {
            "referral": referral,
            "shown": shown,
            "effects": cancellation_preview([referral]),
            "form": form,
        },
    )


@require_POST
@role_required(Role.ADVISOR)
def referral_appointment(request, pk):
    """The advisor adds or moves the appointment of an accepted referral."""
    referral = get_object_or_404(_visible_referrals(request.user), pk=pk)
    _appointment_allowed(request.user, referral)
    form = AppointmentForm(request.POST, advisor=referral.advisor)
    if form.is_valid():
        moved = referral.appointment_at is not None
        # Closed meanwhile (a conflict): no form to show it in, a message on the page.
        with service_call(request, form=form, conflict_as_message=True) as call:
            services.referral_appointment_set(
                user=request.user, referral=referral, **form.cleaned_data
            )
        if call.error and not call.on_form:
            return redirect("referral_detail", pk=pk)
        if call.ok:
            done = _("Rendez-vous déplacé.") if moved else _("Rendez-vous fixé.")
            told = person_channel_explained(referral.person)[1]
            messages.success(request, f"{done} {told}")
            return redirect(reverse("referral_detail", args=[pk]) + "#rendez-vous")
    return _detail_page(request, referral, appointment_form=form)


@require_POST
@role_required(Role.ADVISOR)
def referral_appointment_remove(request, pk):
    referral = get_object_or_404(_visible_referrals(request.user), pk=pk)
    _appointment_allowed(request.user, referral)
    with service_call(request) as call:
        services.referral_appointment_remove(user=request.user, referral=referral)
    if call.ok:
        messages.success(
            request, _("Rendez-vous supprimé : la personne ne recevra plus de rappel.")
        )
    return redirect(reverse("referral_detail", args=[pk]) + "#rendez-vous")


def _appointment_allowed(user, referral):
    """A colleague of the advisor, or the social worker, gets a 403; a closed referral the
    page, with what happened."""
    try:
        with not_allowed_as_403():
            services.appointment_check(user=user, referral=referral)
    except ApplicationError:
        pass  # the service says it again, in the page


@require_POST
@role_required(Role.SOCIAL_WORKER, Role.ADVISOR)
def referral_message(request, pk):
    referral = get_object_or_404(_visible_referrals(request.user), pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        with service_call(request) as call:
            services.referral_message_post(
                user=request.user, referral=referral, body=form.cleaned_data["body"]
            )
        if call.ok:
            messages.success(request, _("Message envoyé."))
    else:
        _form_errors(request, form)
    return redirect(reverse("referral_detail", args=[pk]) + "#historique")


@role_required(Role.SOCIAL_WORKER, Role.COORDINATOR)
def referral_reroute(request, pk):
    """Re-routing: the next suggestions, without the advisors already tried.

    The coordinator re-routes from the board: the person stays pseudonymised, and the new
    referral goes on being followed by the social worker who referred the person.
    """
    coordinator = request.user.is_coordinator
    referral = get_object_or_404(
        Referral.objects.reroutable_by(request.user).select_related("person__commune"), pk=pk
    )
    form = RerouteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_call(request) as call:
            new = services.referral_reroute(
                user=request.user, referral=referral, advisor=form.cleaned_data["advisor"]
            )
        if call.ok:
            messages.success(request, _("Orientation %(code)s envoyée.") % {"code": new.code})
            if coordinator:
                return redirect("coordinator_board")
            return redirect("referral_detail", pk=new.pk)
    if not coordinator:  # the coordinator sees the person pseudonymised
        person_access_log(
            user=request.user, persons=[referral.person], where=request.get_full_path()
        )
    return render(
        request,
        "referrals/reroute.html",
        {
            "referral": referral,
            "form": form,
            "suggestions": services.reroute_suggestions(referral),
            "pseudonymised": coordinator,
        },
    )


BOARD_PAGE_SIZE = 50


@role_required(Role.COORDINATOR)
def coordinator_board(request):
    """The département's referrals that need action, the person pseudonymised: escalated
    first, then stalled or expired, then declined waiting for a re-route, the oldest first
    within each; filtered by state, decline reason, structure and age, a page at a time."""
    form, referrals = board_filtered(request.user, request.GET)
    page = KeysFirstPaginator(referrals, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = []
    for referral in page.object_list:
        rows.append(
            {
                "referral": referral,
                "group": selectors.BoardGroup.LABELS[referral.board_group],
                "age": working_days_between(timezone.localdate(referral.sent_at), today),
                "openable": selectors.BoardGroup.openable(referral.board_group),
                "reroutable": selectors.BoardGroup.reroutable(referral.board_group),
            }
        )
    counts = dict(
        selectors.board_referrals(request.user)
        .order_by()
        .values_list("board_group")
        .annotate(count=Count("pk"))
    )
    return render(
        request,
        "referrals/board.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": [
                (label, counts.get(group, 0))
                for group, label in selectors.BoardGroup.LABELS.items()
                if group != selectors.BoardGroup.OTHER
            ],
        },
    )


def _form_errors(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
