from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pasip.validators import validate_printable
from territory.forms import CommuneField

from .models import IDENTITY_CONSENT_REQUIRED, Consent, ContactChannel, validate_birth_year


class PersonRegistrationForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=100, validators=[validate_printable])
    last_name = forms.CharField(label=_("Nom"), max_length=100, validators=[validate_printable])
    birth_year = forms.IntegerField(
        label=_("Année de naissance"),
        help_text=_("L'année seulement, jamais la date complète."),
        validators=[validate_birth_year],
    )
    commune = CommuneField(label=_("Commune de résidence"))
    phone = forms.CharField(
        label=_("Téléphone"), max_length=20, required=False, validators=[validate_printable]
    )
    email = forms.EmailField(label=_("Courriel"), required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Moyen de contact préféré"), choices=ContactChannel.choices
    )
    share_identity = forms.BooleanField(
        label=_(
            "La personne accepte que son identité et ses coordonnées "
            "soient transmises au conseiller"
        ),
        required=False,
    )
    share_assessment = forms.BooleanField(
        label=_("La personne accepte que le détail de ses besoins soit transmis au conseiller"),
        required=False,
    )
    consent_method = forms.ChoiceField(
        label=_("Consentement recueilli"), choices=Consent.Method.choices
    )
    # Shown only with the warning about a probable duplicate (same name and birth year).
    not_duplicate = forms.BooleanField(label=_("Il s'agit d'une autre personne"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("share_identity"):
            self.add_error(
                "share_identity",
                IDENTITY_CONSENT_REQUIRED,
            )
        return cleaned


class ConsentForm(forms.Form):
    share_identity = PersonRegistrationForm.base_fields["share_identity"]
    share_assessment = PersonRegistrationForm.base_fields["share_assessment"]
    method = forms.ChoiceField(label=_("Consentement recueilli"), choices=Consent.Method.choices)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("share_identity"):
            self.add_error("share_identity", IDENTITY_CONSENT_REQUIRED)
        return cleaned


class PersonSearchForm(forms.Form):
    """The list's search, sent by POST and kept in the session: no name in a URL."""

    name = forms.CharField(
        label=_("Nom ou prénom"), max_length=100, required=False, validators=[validate_printable]
    )
    birth_year = forms.IntegerField(
        label=_("Année de naissance"),
        required=False,
        min_value=1900,
        max_value=2100,
        error_messages={
            "invalid": _("Indiquez une année sur quatre chiffres, par exemple 1951."),
            "min_value": _("Indiquez une année à partir de 1900."),
            "max_value": _("Indiquez une année sur quatre chiffres, par exemple 1951."),
        },
    )
    commune = forms.CharField(
        label=_("Commune"),
        max_length=100,
        required=False,
        validators=[validate_printable],
        widget=forms.TextInput(attrs={"list": "communes", "autocomplete": "off"}),
    )

    def criteria(self):
        """The search as plain values, to keep in the session."""
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "birth_year": data["birth_year"],
            "commune": data["commune"].strip().rsplit(" (", 1)[0],
        }


class AccessLogFilterForm(forms.Form):
    """The coordinator's filters on the access log: a person's number, a user, a period."""

    person = forms.IntegerField(
        label=_("N° de la personne"),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("Indiquez le numéro de la personne, en chiffres (par exemple 42)."),
            "min_value": _("Indiquez le numéro de la personne, en chiffres (par exemple 42)."),
        },
    )
    user = forms.ModelChoiceField(
        label=_("Consultée par"),
        queryset=None,
        required=False,
        empty_label=_("Tous les utilisateurs"),
        error_messages={"invalid_choice": _("Cet utilisateur n'apparaît pas dans le journal.")},
    )
    start = forms.DateField(
        label=_("Du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Indiquez une date valide, par exemple 04/12/2026.")},
    )
    end = forms.DateField(
        label=_("Au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Indiquez une date valide, par exemple 04/12/2026.")},
    )

    def __init__(self, *args, accesses, **kwargs):
        from accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(pk__in=accesses.values("user")).order_by(
            "last_name", "first_name", "pk"
        )
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.get_role_display()})"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("La fin de la période doit suivre son début."))
        return cleaned

    def filter(self, accesses):
        data = self.cleaned_data
        if data["person"]:
            accesses = accesses.filter(person_id=data["person"])
        if data["user"]:
            accesses = accesses.filter(user=data["user"])
        zone = timezone.get_current_timezone()
        if data["start"]:
            accesses = accesses.filter(at__gte=datetime.combine(data["start"], time(), zone))
        if data["end"]:
            after = datetime.combine(data["end"] + timedelta(days=1), time(), zone)
            accesses = accesses.filter(at__lt=after)
        return accesses
