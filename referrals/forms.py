from django import forms
from django.utils.translation import gettext_lazy as _

from directory.enums import Service
from directory.models import Advisor

from .models import DeclineReason


class NeedsForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label=_("Besoins de la personne"),
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un besoin.")},
    )


class SendForm(NeedsForm):
    advisor = forms.ModelChoiceField(
        label=_("Conseiller"),
        queryset=Advisor.objects.filter(is_active=True),
        error_messages={
            "required": _("Choisissez un conseiller."),
            "invalid_choice": _("Ce conseiller n'est pas disponible."),
        },
    )


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
