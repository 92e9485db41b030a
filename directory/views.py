"""Directory pages: an advisor keeps their own entry; the coordinator manages every entry."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from pasip.permissions import role_required
from pasip.service_calls import service_call
from people.models import Person
from people.services import person_access_log
from territory.models import Commune

from . import national, policies, services
from .enums import Service
from .forms import AbsenceForm, AdvisorForm, ImportForm, PermanenceForm, PlaceForm
from .models import Absence, Advisor, DirectoryImport, Permanence, Place

MANAGERS = policies.DIRECTORY_MANAGERS
STALE_AFTER = timedelta(days=180)  # an entry not updated for six months is flagged


def _editable_advisors(user):
    advisors = Advisor.objects.select_related("user", "structure__commune")
    return policies.editable_advisors(user, advisors)


def _editable_places(user):
    places = Place.objects.select_related("commune", "structure")
    return policies.editable_places(user, places)


@role_required(Role.ADVISOR)
def my_entry(request):
    advisor = Advisor.objects.filter(user=request.user).first()
    if advisor is None:
        raise Http404(_("Aucune fiche de conseiller n'est liée à votre compte."))
    return redirect("directory_advisor", pk=advisor.pk)


@role_required(*MANAGERS)
def directory_home(request):
    advisors = Advisor.objects.select_related("user", "structure").order_by(
        "updated_at", "user__last_name"
    )
    return render(
        request,
        "directory/home.html",
        {
            "advisors": advisors,
            "stale_before": timezone.now() - STALE_AFTER,
            "place_count": Place.objects.count(),
        },
    )


@role_required(Role.ADVISOR, *MANAGERS)
def advisor_edit(request, pk):
    """One advisor's entry, permanences and absences; another advisor's entry is a 404."""
    advisor = get_object_or_404(_editable_advisors(request.user), pk=pk)
    can_manage = policies.can_manage_directory(request.user)
    form = AdvisorForm(request.POST or None, advisor=advisor, can_manage=can_manage)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        with service_call(request) as call:
            services.advisor_update(
                user=request.user,
                advisor=advisor,
                home_visit_communes=data.pop("home_visit_communes"),
                places=list(data.pop("places")),
                **data,
            )
        if call.ok:
            messages.success(request, _("Fiche enregistrée."))
            return redirect("directory_advisor", pk=advisor.pk)
    return render(
        request,
        "directory/advisor_form.html",
        {
            "advisor": advisor,
            "form": form,
            "permanence_form": PermanenceForm(advisor=advisor),
            "absence_form": AbsenceForm(),
            "permanences": advisor.permanences.select_related("place__commune"),
            "absences": advisor.absences.filter(end__gte=timezone.localdate()),
            "is_own": advisor.user_id == request.user.pk,
        },
    )


@require_POST
@role_required(Role.ADVISOR, *MANAGERS)
def permanence_add(request, pk):
    advisor = get_object_or_404(_editable_advisors(request.user), pk=pk)
    form = PermanenceForm(request.POST, advisor=advisor)
    if form.is_valid():
        services.permanence_add(user=request.user, advisor=advisor, **form.cleaned_data)
        messages.success(request, _("Permanence ajoutée."))
    else:
        _form_errors(request, form)
    return redirect("directory_advisor", pk=advisor.pk)


@require_POST
@role_required(Role.ADVISOR, *MANAGERS)
def permanence_remove(request, pk):
    permanence = get_object_or_404(
        Permanence.objects.filter(advisor__in=_editable_advisors(request.user)), pk=pk
    )
    services.permanence_remove(user=request.user, permanence=permanence)
    messages.success(request, _("Permanence supprimée."))
    return redirect("directory_advisor", pk=permanence.advisor_id)


@require_POST
@role_required(Role.ADVISOR, *MANAGERS)
def absence_add(request, pk):
    advisor = get_object_or_404(_editable_advisors(request.user), pk=pk)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        services.absence_add(user=request.user, advisor=advisor, **form.cleaned_data)
        messages.success(request, _("Absence enregistrée : vous ne serez pas suggéré(e) pendant."))
    else:
        _form_errors(request, form)
    return redirect("directory_advisor", pk=advisor.pk)


@require_POST
@role_required(Role.ADVISOR, *MANAGERS)
def absence_remove(request, pk):
    absence = get_object_or_404(
        Absence.objects.filter(advisor__in=_editable_advisors(request.user)), pk=pk
    )
    services.absence_remove(user=request.user, absence=absence)
    messages.success(request, _("Absence supprimée."))
    return redirect("directory_advisor", pk=absence.advisor_id)


def _form_errors(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@role_required(Role.ADVISOR, *MANAGERS)
def place_list(request):
    return render(
        request,
        "directory/place_list.html",
        {"places": _editable_places(request.user).order_by("commune__name", "name")[:500]},
    )


@role_required(Role.ADVISOR, *MANAGERS)
def place_edit(request, pk=None):
    """A place of the advisor's structure, or any place for the coordinator."""
    can_manage = policies.can_manage_directory(request.user)
    if pk:
        place = get_object_or_404(_editable_places(request.user), pk=pk)
    elif can_manage:
        place = Place()
    elif request.user.structure_id:
        place = Place(structure_id=request.user.structure_id)
    else:
        raise Http404
    form = PlaceForm(request.POST or None, instance=place, can_manage=can_manage)
    if request.method == "POST" and form.is_valid():
        with service_call(request) as call:
            services.place_save(user=request.user, place=form.save(commit=False))
        if call.ok:
            messages.success(request, _("Lieu enregistré."))
            return redirect("directory_places")
    communes = Commune.objects.only("name", "postal_codes")
    return render(
        request, "directory/place_form.html", {"form": form, "place": place, "communes": communes}
    )


@role_required(*MANAGERS)
def import_list(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        created = services.directory_import_create(
            user=request.user, filename=upload.name, content=upload.read()
        )
        if created.queued is False:  # the broker refused: saved, published again later
            messages.warning(request, services.IMPORT_DEFERRED_MESSAGE)
        return redirect("directory_import", pk=created.pk)
    return render(
        request,
        "directory/import_list.html",
        {"form": form, "imports": DirectoryImport.objects.defer("content", "report")[:20]},
    )


@role_required(*MANAGERS)
def import_detail(request, pk):
    upload = get_object_or_404(DirectoryImport.objects.defer("content"), pk=pk)
    rows = upload.report
    if request.GET.get("tout") != "1":
        rows = [row for row in rows if row["action"] != national.UNCHANGED][:1000]
    response = render(
        request,
        "directory/import_detail.html",
        {
            "upload": upload,
            "rows": rows,
            "labels": national.ACTION_LABELS,
            "ignored": national.ignored_message(upload.counts.get(national.IGNORED, 0)),
        },
    )
    if upload.is_running:
        response["Refresh"] = "2"  # the page follows the worker's progress
    return response


@require_POST
@role_required(*MANAGERS)
def import_apply(request, pk):
    return _import_step(request, pk, services.directory_import_apply_request)


@require_POST
@role_required(*MANAGERS)
def import_recheck(request, pk):
    return _import_step(request, pk, services.directory_import_recheck)


def _import_step(request, pk, service):
    """Asks the worker for an import's next step (apply, check again); back to its page."""
    upload = get_object_or_404(DirectoryImport.objects.defer("content"), pk=pk)
    with service_call(request):
        upload = service(user=request.user, upload=upload)
        if upload.queued is False:
            messages.warning(request, services.IMPORT_DEFERRED_MESSAGE)
    return redirect("directory_import", pk=upload.pk)


@role_required(*MANAGERS)
def export(request, fmt):
    places = national.places_for_export()
    day = timezone.localdate().isoformat()
    if fmt == "json":
        response = HttpResponse(national.export_json(places), content_type="application/json")
    else:
        response = HttpResponse(national.export_csv(places), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="lieux-mediation-{day}.{fmt}"'
    return response


class AdvisorSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Nom du conseiller ou de sa structure"), max_length=100, required=False
    )
    commune = forms.CharField(
        label=gettext_lazy("Commune"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Celle de la structure, d'un lieu ou des visites à domicile."),
    )
    theme = forms.ChoiceField(
        label=gettext_lazy("Thématique"),
        choices=[("", gettext_lazy("Toutes")), *Service.choices],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choisissez une thématique de la liste.")},
    )


SEARCH_PAGE_SIZE = 25


@role_required(Role.SOCIAL_WORKER, Role.ADVISOR, *MANAGERS)
def advisor_search(request):
    """The directory read-only: every active advisor, found by name, structure, commune or
    theme. Reached from a referral's suggestions (`?personne=`), a social worker picks one of
    them for the person, outside the suggestions (`referrals.views.referral_new`)."""
    form = AdvisorSearchForm(request.GET or None)
    person, needs = None, []
    if request.GET.get("personne") and request.user.is_social_worker:
        pk = request.GET["personne"]
        person = get_object_or_404(
            Person.objects.visible_to(request.user), pk=pk if pk.isdigit() else None
        )
        person_access_log(user=request.user, persons=[person], where=request.path)
        needs = [need for need in request.GET.getlist("besoins") if need in Service.values]
    advisors = (
        Advisor.objects.filter(is_active=True, user__is_active=True)
        .select_related("user", "structure__commune")
        .prefetch_related("places__commune")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    theme = ""
    if form.is_valid():
        for word in form.cleaned_data["q"].split():
            advisors = advisors.filter(
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(structure__name__icontains=word)
            )
        commune = form.cleaned_data["commune"].strip()
        if commune:
            matching = Advisor.objects.filter(
                Q(structure__commune__name__icontains=commune)
                | Q(places__commune__name__icontains=commune)
                | Q(home_visit_communes__name__icontains=commune)
            )
            advisors = advisors.filter(pk__in=matching.values("pk"))
        theme = form.cleaned_data["theme"]
    rows = list(advisors)
    if theme:  # themes are a JSON list: read here, the same on every database
        rows = [advisor for advisor in rows if theme in advisor.themes]
    labels = dict(Service.choices)
    page = Paginator(rows, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    for advisor in page.object_list:
        advisor.theme_labels = [labels.get(t, t) for t in advisor.themes]
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "page": page,
            "person": person,
            "needs": needs,
            "need_labels": [labels[need] for need in needs],
        },
    )
