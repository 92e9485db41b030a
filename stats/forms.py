from django import forms
from django.utils.translation import gettext_lazy as _

from directory.enums import Service, StructureKind
from directory.models import Structure
from territory.models import Epci

from .labels import typology_label
from .selectors import Filters, available_years


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


class FiltersForm(forms.Form):
    annee = forms.TypedChoiceField(label=_("Année"), coerce=int, required=False)
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
        self.years = available_years(department)
        self.fields["annee"].choices = [(year, str(year)) for year in self.years]
        self.fields["annee"].help_text = _("Une année civile : les périodes ne se chevauchent pas.")
        self.fields["epci"].queryset = Epci.objects.of_department(department)
        self.fields["type"].choices = [("", _("Tous les types")), *_referring_types(department)]

    def clean(self):
        data = super().clean()
        chosen = [name for name in ("epci", "type", "besoin") if data.get(name)]
        if len(chosen) > 1:
            raise forms.ValidationError(
                _(
                    "Un seul filtre à la fois parmi l'EPCI, le type de structure et le besoin : "
                    "des tableaux filtrés de deux façons pourraient se soustraire l'un de "
                    "l'autre et révéler de petits nombres (secret statistique)."
                )
            )
        return data

    def filters(self):
        """The valid filters, or none at all (the latest year) when the form is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(
            department=self.department,
            year=data.get("annee") or self.years[0],
            epci=data.get("epci"),
            typology=data.get("type") or "",
            need=data.get("besoin") or "",
        )
