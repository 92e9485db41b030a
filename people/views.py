from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import Role
from pasip.errors import ApplicationError
from pasip.permissions import role_required
from territory.models import Commune

from .forms import PersonRegistrationForm
from .models import Person
from .services import person_register


@role_required(Role.SOCIAL_WORKER)
def person_list(request):
    persons = (
        Person.objects.visible_to(request.user)
        .select_related("commune")
        .order_by("last_name", "first_name")
    )
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
