from django import forms
from django.utils.translation import gettext_lazy as _

from directory.enums import Service, StructureKind
from directory.models import Structure
from territory.models import Epci

from .selectors import Filters, typology_label


def _referring_types(department):
    """The types of the structures that refer persons (social structures, not the mediation
    places they refer to), each once, by French label."""
    typologies = (
        Structure.objects.filter(commune__department=department, kind=StructureKind.SOCIAL)
        .exclude(typology="")
        .order_by()  # the model's ordering by name would make DISTINCT keep duplicates
        .values_list("typology", flat=True)
        .distinct()
    )
    return sorted(((t, typology_label(t)) for t in typologies), key=lambda choice: choice[1])


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month picker), read as its first day."""

    widget = forms.DateInput(attrs={"type": "month"})
    input_formats = ["%Y-%m"]

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


class FiltersForm(forms.Form):
    du = MonthField(label=_("Du mois"), required=False)
    au = MonthField(label=_("au mois (inclus)"), required=False)
    epci = forms.ModelChoiceField(
        label=_("EPCI"),
        queryset=Epci.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Tout le département"),
    )
    type = forms.ChoiceField(label=_("Type de structure orienteuse"), required=False)
    besoin = forms.ChoiceField(
        label=_("Besoin"),
        required=False,
        choices=[("", _("Tous les besoins")), *Service.choices],
    )

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.fields["epci"].queryset = Epci.objects.filter(department=department)
        self.fields["type"].choices = [("", _("Tous les types")), *_referring_types(department)]

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            raise forms.ValidationError(_("Le premier mois doit précéder le dernier."))
        return data

    def filters(self):
        """The valid filters, or none at all when the form is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(
            department=self.department,
            start=data.get("du"),
            end=data.get("au"),
            epci=data.get("epci"),
            typology=data.get("type") or "",
            need=data.get("besoin") or "",
        )
