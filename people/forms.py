from django import forms
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
