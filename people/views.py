import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from pasip.permissions import role_required
from pasip.service_calls import service_call
from territory.models import Commune

from . import services
from .forms import AccessLogFilterForm, ConsentForm, PersonRegistrationForm, PersonSearchForm
from .models import Person, PersonAccess
from .search import (
    persons_search,
    probable_duplicates,
    referral_state_label,
    with_last_referral,
)
from .services import person_access_log, person_register
from .signals import erasure_effects_asked

SEARCH_SESSION_KEY = "person_search"
PERSONS_PAGE_SIZE = 25


@role_required(Role.SOCIAL_WORKER)
def person_list(request):
    """The structure's persons, searched by name, birth year or commune, a page at a time.

    The search is sent by POST and kept in the session, so that no name ever reaches a URL
    (the pages' links carry only the page number). A list writes nothing to the access log:
    only a person opened (their page, export, slip…) does.
    """
    criteria = request.session.get(SEARCH_SESSION_KEY) or {}
    form = PersonSearchForm(initial=criteria)
    if request.method == "POST":
        if "reset" in request.POST:
            request.session.pop(SEARCH_SESSION_KEY, None)
            return redirect("person_list")
        form = PersonSearchForm(request.POST)
        if form.is_valid():
            request.session[SEARCH_SESSION_KEY] = form.criteria()
            return redirect("person_list")
    searching = any(criteria.values())
    persons = with_last_referral(persons_search(request.user, **criteria))
    page = Paginator(persons, PERSONS_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for person in page.object_list:
        person.last_referral_label = referral_state_label(person.last_referral_state)
    return render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "page": page,
            "persons": page.object_list,
            "searching": searching,
            "communes": Commune.objects.only("name", "postal_codes"),
        },
    )


@role_required(Role.SOCIAL_WORKER)
def person_create(request):
    """Registration; a probable duplicate (same name and birth year among the structure's
    persons) is shown first, and registered only once the user says it is someone else."""
    form = PersonRegistrationForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        not_duplicate = data.pop("not_duplicate")
        if not not_duplicate:
            duplicates = probable_duplicates(
                request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_year=data["birth_year"],
            )
        if not duplicates:
            with service_call(request) as call:
                person = person_register(user=request.user, **data)
            if call.ok:
                messages.success(request, _("Personne enregistrée, consentement recueilli."))
                return redirect("referral_new", person_pk=person.pk)
    communes = Commune.objects.only("name", "postal_codes")
    return render(
        request,
        "people/person_form.html",
        {"form": form, "communes": communes, "duplicates": duplicates},
    )


def _person(request, pk):
    return get_object_or_404(
        Person.objects.visible_to(request.user).select_related("commune"), pk=pk
    )


@role_required(Role.SOCIAL_WORKER)
def person_detail(request, pk):
    """The person, their consent and referrals; revocation, export and erasure from here."""
    person = _person(request, pk)
    person_access_log(user=request.user, persons=[person], where=request.get_full_path())
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "consent": person.active_consent,
            "consents": person.consents.select_related("recorded_by", "revoked_by").order_by(
                "-recorded_at"
            ),
            "referrals": person.referrals.select_related("advisor__user"),
            "consent_form": ConsentForm(),
        },
    )


@role_required(Role.SOCIAL_WORKER)
def consent_revoke(request, pk):
    """GET: what the withdrawal will do, to confirm; POST: the withdrawal itself."""
    person = _person(request, pk)
    consent = person.active_consent
    if request.method != "POST":
        if consent is None:
            messages.error(request, _("Aucun consentement en cours : il n'y a rien à retirer."))
            return redirect("person_detail", pk=pk)
        person_access_log(user=request.user, persons=[person], where=request.get_full_path())
        return render(
            request,
            "people/consent_revoke_confirm.html",
            {"person": person, "consent": consent, "effects": _open_referrals_effects(person)},
        )
    with service_call(request) as call:
        services.consent_revoke(user=request.user, person=person, where=request.get_full_path())
    if call.ok:
        messages.success(
            request,
            _("Consentement retiré : les orientations en cours sont annulées."),
        )
    return redirect("person_detail", pk=pk)


def _open_referrals_effects(person):
    """What withdrawing the consent or erasing will do, said by the apps it reaches."""
    answers = erasure_effects_asked.send(sender=Person, person=person)
    return [effect for _receiver, effects in answers for effect in effects]


@require_POST
@role_required(Role.SOCIAL_WORKER)
def consent_record(request, pk):
    person = _person(request, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        with service_call(request) as call:
            services.consent_record(user=request.user, person=person, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("Consentement enregistré."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("person_detail", pk=pk)


@role_required(Role.SOCIAL_WORKER)
def person_export(request, pk):
    """The right of access for machines: everything held about the person, as a JSON file
    (`person_access_document` says the same in words, for the person)."""
    person = _person(request, pk)
    data = services.person_export(user=request.user, person=person)
    person_access_log(user=request.user, persons=[person], where=request.get_full_path())
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="personne-{person.pk}.json"'
    return response


@role_required(Role.SOCIAL_WORKER)
def person_erase(request, pk):
    """GET: what the erasure will do, to confirm; POST: the erasure itself (definitive)."""
    person = _person(request, pk)
    if request.method != "POST":
        person_access_log(user=request.user, persons=[person], where=request.get_full_path())
        return render(
            request,
            "people/person_erase_confirm.html",
            {"person": person, "effects": _open_referrals_effects(person)},
        )
    with service_call(request) as call:
        services.person_erase(user=request.user, person=person)
    if not call.ok:
        return redirect("person_detail", pk=pk)
    messages.success(request, _("Données de la personne effacées."))
    return redirect("person_list")


ACCESS_LOG_PAGE_SIZE = 50


@role_required(Role.COORDINATOR)
def access_log(request):
    """Who saw which person's data, when, from where: read-only, for the coordinator, filtered
    by person number, user and period (none of them personal data of a person, in the URL)."""
    accesses = PersonAccess.objects.filter(person__commune__department=request.user.department)
    form = AccessLogFilterForm(request.GET or None, accesses=accesses)
    if form.is_bound and form.is_valid():
        accesses = form.filter(accesses)
    elif form.is_bound:
        accesses = accesses.none()
    page = Paginator(
        accesses.select_related("user", "person__commune").order_by("-at", "-pk"),
        ACCESS_LOG_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "people/access_log.html", {"form": form, "page": page})
