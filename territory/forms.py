from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Commune

COMMUNE_UNKNOWN = _("Commune inconnue : choisissez-la dans la liste proposée.")


class CommuneField(forms.CharField):
    """A commune typed by name or INSEE code (with a datalist), resolved to a Commune."""

    default_error_messages = {
        "unknown": COMMUNE_UNKNOWN,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "communes", "autocomplete": "off"})
        )
        # The longest commune name has 45 characters: a longer text is refused before any query
        # (SQLite refuses a LIKE pattern over 50,000 bytes: a server error else).
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        text = value.strip()
        # The datalist offers "Name (postal code)"; an INSEE code or a bare name also works.
        # Several départements have a commune of the same name: the postal code tells which.
        name, _sep, postal = text.rpartition(" (")
        name, postal = (name, postal.rstrip(")").strip()) if name else (text, "")
        same_name = Commune.objects.filter(name__iexact=name).order_by("insee")
        commune = (
            Commune.objects.filter(insee=text).first()
            or (postal and same_name.filter(postal_codes__contains=postal).first())
            or same_name.first()
        )
        if commune is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return commune
