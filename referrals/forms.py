from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from directory.enums import Service
from directory.models import Advisor, Place
from pasip.validators import validate_printable

from .codes import referral_code_typed
from .models import OUTCOMES, OUTSIDE_REASON_MAX, CancelReason, DeclineReason, Outcome


def needs_from_profile(needs, profile):
    """The needs a referral is sent for: those given, or else every need of the assessment's
    profile; a need the assessment did not find is refused (ValidationError on `needs`)."""
    if not needs:
        if not profile.categories:
            raise ValidationError(
                {
                    "needs": _(
                        "Le diagnostic de la personne ne fait apparaître aucun besoin : "
                        "corrigez-le avant d'orienter."
                    )
                }
            )
        return list(profile.categories)
    outside = [need for need in needs if need not in profile.categories]
    if outside:
        raise ValidationError(
            {
                "needs": _(
                    "Ces besoins ne ressortent pas du diagnostic de la personne : %(needs)s. "
                    "Choisissez parmi ceux du diagnostic, ou corrigez-le."
                )
                % {"needs": ", ".join(outside)}
            }
        )
    return list(needs)


class NeedsForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label=_("Besoins de la personne"),
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un besoin.")},
    )


def _shared_field():
    """The box sending a referral to the advisor's structure's shared inbox (send and
    outside-choice forms alike)."""
    return forms.BooleanField(
        label=_("Envoyer à la boîte partagée de sa structure"),
        required=False,
        help_text=_(
            "Tout conseiller de la même structure pourra répondre ; celui qui accepte "
            "suit la personne."
        ),
    )


class SendForm(NeedsForm):
    """Sending a referral with the person's validated assessment (its needs profile)."""

    advisor = forms.ModelChoiceField(
        label=_("Conseiller"),
        queryset=Advisor.objects.filter(is_active=True),
        error_messages={
            "required": _("Choisissez un conseiller."),
            "invalid_choice": _("Ce conseiller n'est pas disponible."),
        },
    )
    shared = _shared_field()

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile = profile

    def clean_needs(self):
        try:
            return needs_from_profile(self.cleaned_data["needs"], self.profile)
        except ValidationError as error:
            raise ValidationError(error.message_dict["needs"]) from error


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motif du refus"),
        choices=[("", _("— choisir —")), *DeclineReason.choices],
        error_messages={"required": _("Choisissez un motif de refus.")},
    )
    detail = forms.CharField(
        label=_("Précision"),
        max_length=500,
        required=False,
        validators=[validate_printable],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Obligatoire si vous choisissez « Autre ». "
            "N'écrivez pas de données de santé ni d'autres données sensibles."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == DeclineReason.OTHER and not cleaned.get("detail", "").strip():
            self.add_error("detail", _("Précisez le motif lorsque vous choisissez « Autre »."))
        return cleaned


SENSITIVE_WARNING = _("N'écrivez pas de données de santé ni d'autres données sensibles.")


class AcceptForm(forms.Form):
    appointment_at = forms.DateTimeField(
        label=_("Rendez-vous proposé (facultatif)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    appointment_place = forms.ModelChoiceField(
        label=_("Lieu du rendez-vous"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=_("— Choisir un lieu —"),
    )

    def __init__(self, *args, advisor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if advisor is not None:
            self.fields["appointment_place"].queryset = advisor.places.all()


class StartForm(forms.Form):
    first_meeting_at = forms.DateTimeField(
        label=_("Date du premier rendez-vous"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Laissez vide pour aujourd'hui."),
    )
    earlier_than_planned = forms.BooleanField(
        label=_("Le premier rendez-vous a eu lieu plus tôt que prévu"),
        required=False,
        help_text=_("À cocher seulement s'il a eu lieu avant le jour du rendez-vous fixé."),
    )


class AppointmentForm(forms.Form):
    """Adding or moving the appointment of an accepted referral."""

    appointment_at = forms.DateTimeField(
        label=_("Date et heure du rendez-vous"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Indiquez la date et l'heure du rendez-vous."),
            "invalid": _("Date ou heure illisible : choisissez-les dans le calendrier."),
        },
    )
    appointment_place = forms.ModelChoiceField(
        label=_("Lieu du rendez-vous"),
        queryset=Place.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choisissez un de vos lieux.")},
    )

    def __init__(self, *args, advisor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_place"].queryset = advisor.places.all()


class NeedsChoiceForm(forms.Form):
    """The needs of the assessment this referral is for: the social worker may untick some."""

    needs = forms.MultipleChoiceField(
        label=_("Besoins couverts par cette orientation"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Gardez au moins un besoin pour cette orientation."),
            "invalid_choice": _("Ce besoin ne ressort pas du diagnostic de la personne."),
        },
        help_text=_(
            "Décochez les besoins que cette orientation ne doit pas couvrir ; le diagnostic, "
            "lui, reste tel qu'il a été validé."
        ),
    )

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Service.choices)
        self.fields["needs"].choices = [
            (need, labels.get(need, need)) for need in profile.categories
        ]
        self.fields["needs"].initial = list(profile.categories)


class OutsideForm(forms.Form):
    """Sending to an advisor picked in the directory, outside the suggestions."""

    advisor = forms.ModelChoiceField(
        queryset=Advisor.objects.filter(is_active=True, user__is_active=True),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choisissez un conseiller dans l'annuaire."),
            "invalid_choice": _("Ce conseiller n'est plus actif : choisissez-en un autre."),
        },
    )
    outside_reason = forms.CharField(
        label=_("Pourquoi ce conseiller plutôt qu'un conseiller suggéré ?"),
        max_length=OUTSIDE_REASON_MAX,
        validators=[validate_printable],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire, %(max)s caractères au plus. ") % {"max": OUTSIDE_REASON_MAX}
        + SENSITIVE_WARNING,
        error_messages={
            "required": _("Dites pourquoi vous choisissez ce conseiller hors des suggestions."),
            "max_length": _("La raison tient en %(limit_value)d caractères au plus."),
        },
    )
    shared = _shared_field()


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Issue de l'accompagnement"),
        choices=[(value, Outcome(value).label) for value in OUTCOMES["complete"]],
        error_messages={"required": _("Choisissez l'issue de l'accompagnement.")},
    )


class FailForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Pourquoi l'accompagnement n'a pas eu lieu"),
        choices=[(value, Outcome(value).label) for value in OUTCOMES["fail"]],
        error_messages={"required": _("Choisissez l'issue de l'accompagnement.")},
    )


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motif d'annulation"),
        choices=[("", _("— choisir —")), *CancelReason.choices],
        error_messages={"required": _("Choisissez un motif d'annulation.")},
    )
    detail = forms.CharField(
        label=_("Précision"),
        max_length=500,
        required=False,
        validators=[validate_printable],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire si vous choisissez « Autre ». ") + SENSITIVE_WARNING,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == CancelReason.OTHER and not cleaned.get("detail", "").strip():
            self.add_error("detail", _("Précisez le motif lorsque vous choisissez « Autre »."))
        return cleaned


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=1000,
        validators=[validate_printable],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=SENSITIVE_WARNING,
        error_messages={"required": _("Le message est vide.")},
    )


class RerouteForm(forms.Form):
    advisor = forms.ModelChoiceField(
        label=_("Nouveau conseiller"),
        queryset=Advisor.objects.filter(is_active=True),
        empty_label=_("— Choisir un conseiller —"),
        error_messages={
            "required": _("Choisissez un conseiller."),
            "invalid_choice": _("Ce conseiller n'est pas disponible."),
        },
    )


class CodeSearchForm(forms.Form):
    code = forms.CharField(label=_("Code de l'orientation"), max_length=12, required=False)

    def __init__(self, *args, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department

    def clean_code(self):
        return referral_code_typed(self.cleaned_data["code"], self.department)
