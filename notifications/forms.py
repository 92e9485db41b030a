from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationPreference


class PreferenceForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Recevoir les courriels"),
        choices=NotificationPreference.Mode.choices,
        widget=forms.RadioSelect,
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Heure du résumé quotidien"),
        choices=NotificationPreference._meta.get_field("digest_hour").choices,
        coerce=int,
        help_text=_("Le résumé part chaque jour à cette heure, s'il y a du nouveau."),
    )
