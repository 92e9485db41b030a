import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from pasip.errors import ApplicationError
from pasip.permissions import role_required
from referrals.cancellation import cancellation_preview
from referrals.models import Referral
from territory.models import Commune

from . import services
from .access_document import access_document_pdf
from .forms import ConsentForm, PersonRegistrationForm
from .models import Person, PersonAccess
from .services import person_access_log, person_register


@role_required(Role.SOCIAL_WORKER)
def person_list(request):
    persons = (
        Person.objects.visible_to(request.user)
        .select_related("commune")
        .order_by("last_name", "first_name")
    )
    person_access_log(user=request.user, persons=persons, where=request.get_full_path())
    return render(request, "people/person_list.html", {"persons": persons})


@role_required(Role.SOCIAL_WORKER)
def person_create(request):
    form = PersonRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_register(user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Personne enregistrée, consentement recueilli."))
            return redirect("referral_new", person_pk=person.pk)
    communes = Commune.objects.only("name", "postal_codes")
    return render(request, "people/person_form.html", {"form": form, "communes": communes})


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
    try:
        services.consent_revoke(user=request.user, person=person, where=request.get_full_path())
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Consentement retiré : les orientations en cours sont annulées."),
        )
    return redirect("person_detail", pk=pk)


def _open_referrals_effects(person):
    return cancellation_preview(
        Referral.objects.open().filter(person=person).select_related("advisor__user")
    )


@require_POST
@role_required(Role.SOCIAL_WORKER)
def consent_record(request, pk):
    person = _person(request, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(user=request.user, person=person, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
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
def person_access_document(request, pk):
    """The right of access for the person: everything the JSON export holds, in words (PDF)."""
    person = _person(request, pk)
    try:
        pdf = access_document_pdf(user=request.user, person=person)
    except ApplicationError as error:
        raise PermissionDenied(error.message) from error
    person_access_log(user=request.user, persons=[person], where=request.get_full_path())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="donnees-personne-{person.pk}.pdf"'
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
    try:
        services.person_erase(user=request.user, person=person)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("person_detail", pk=pk)
    messages.success(request, _("Données de la personne effacées."))
    return redirect("person_list")


@role_required(Role.COORDINATOR)
def access_log(request):
    """Who saw which person's data, when, from where: read-only, for the coordinator."""
    accesses = PersonAccess.objects.filter(
        person__commune__department=request.user.department
    ).select_related("user", "person__commune")[:500]
    return render(request, "people/access_log.html", {"accesses": accesses})
