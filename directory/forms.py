from django import forms
from django.utils.translation import gettext_lazy as _

from pasip.validators import validate_printable
from territory.forms import CommuneField
from territory.models import Commune

from . import national
from .enums import Language, Service, SpecificNeed, StructureKind, SupportFormat
from .models import Absence, Permanence, Place, Structure


def _checkboxes(label, choices, **kwargs):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=kwargs.pop("required", False),
        **kwargs,
    )


class _ModelsField(forms.ModelMultipleChoiceField):
    """Ids beyond any database integer are refused like unknown ones (SQLite overflows on them)."""

    def _check_values(self, value):
        for pk in value:
            if str(pk).strip().isdigit() and int(pk) > 2**63 - 1:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class AdvisorForm(forms.Form):
    themes = _checkboxes(
        _("Thématiques (besoins que vous couvrez)"),
        Service.choices,
        required=True,
        error_messages={"required": _("Choisissez au moins une thématique.")},
    )
    support_formats = _checkboxes(_("Formats d'accompagnement"), SupportFormat.choices)
    languages = _checkboxes(_("Langues"), Language.choices)
    specific_needs = _checkboxes(_("Prises en charge spécifiques"), SpecificNeed.choices)
    places = _ModelsField(
        label=_("Lieux où vous recevez"),
        queryset=Place.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    home_visit_communes = _ModelsField(
        label=_("Communes où vous vous déplacez à domicile"),
        queryset=Commune.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Ctrl ou Cmd + clic pour en choisir plusieurs."),
    )
    remote_phone = forms.BooleanField(label=_("Aide à distance par téléphone"), required=False)
    remote_video = forms.BooleanField(label=_("Aide à distance en visio"), required=False)
    aidants_connect = forms.BooleanField(label=_("Habilitation Aidants Connect"), required=False)
    capacity = forms.IntegerField(
        label=_("Capacité déclarée"),
        min_value=0,
        max_value=200,
        help_text=_("Nombre d'accompagnements en cours que vous pouvez suivre."),
    )
    is_active = forms.BooleanField(label=_("Fiche active"), required=False)

    def __init__(self, *args, advisor, can_manage, **kwargs):
        initial = {
            "themes": advisor.themes,
            "support_formats": advisor.support_formats,
            "languages": advisor.languages,
            "specific_needs": advisor.specific_needs,
            "places": advisor.places.all(),
            "home_visit_communes": advisor.home_visit_communes.all(),
            "remote_phone": advisor.remote_phone,
            "remote_video": advisor.remote_video,
            "aidants_connect": advisor.aidants_connect,
            "capacity": advisor.capacity,
            "is_active": advisor.is_active,
        }
        super().__init__(*args, initial=initial, **kwargs)
        places = Place.objects.select_related("commune")
        if not can_manage:
            places = places.filter(structure=advisor.structure)
            del self.fields["is_active"]
        else:
            places = places.filter(structure=advisor.structure) | advisor.places.all()
        self.fields["places"].queryset = places.distinct().order_by("name")
        self.fields["home_visit_communes"].queryset = Commune.objects.filter(
            department_id=advisor.structure.commune.department_id
        ).order_by("name")


class PermanenceForm(forms.ModelForm):
    class Meta:
        model = Permanence
        fields = ["place", "weekday", "start", "end"]
        widgets = {
            "start": forms.TimeInput(attrs={"type": "time"}),
            "end": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, advisor, **kwargs):
        # Shown on one page with the absence form, which also has a start and an end: ids of
        # its own (the names posted stay the same).
        kwargs.setdefault("auto_id", "id_permanence_%s")
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = (
            Place.objects.filter(structure=advisor.structure) | advisor.places.all()
        ).distinct()
        self.fields["place"].label = _("Lieu")
        self.fields["place"].empty_label = _("— Choisir un lieu —")
        weekdays = Permanence.DAYS
        self.fields["weekday"].choices = [("", _("— Choisir un jour —")), *weekdays]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] <= cleaned["start"]:
            self.add_error("end", _("La fin doit suivre le début."))
        return cleaned


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["start", "end", "note"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_absence_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("La fin de l'absence précède son début."))
        return cleaned


class PlaceForm(forms.ModelForm):
    commune = CommuneField(label=_("Commune"))
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Vide : le point de la commune."),
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    services = _checkboxes(_("Services"), Service.choices)
    specific_support = _checkboxes(
        _("Prises en charge spécifiques"),
        SpecificNeed.choices,
        help_text=_("« Handicaps moteurs » : le lieu est accessible en fauteuil."),
    )
    support_formats = _checkboxes(_("Modalités d'accompagnement"), SupportFormat.choices)
    accessibility_url = forms.URLField(
        label=_("Fiche d'accessibilité (adresse web)"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Place
        fields = [
            "structure",
            "name",
            "address",
            "address_complement",
            "postal_code",
            "commune",
            "latitude",
            "longitude",
            "phone",
            "services",
            "specific_support",
            "support_formats",
            "accessibility_url",
            "opening_hours",
        ]

    def __init__(self, *args, can_manage, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "address", "address_complement", "phone"):
            self.fields[name].validators.append(validate_printable)
        if self.instance.pk:
            self.initial["commune"] = str(self.instance.commune)
        if can_manage:
            self.fields["structure"].queryset = Structure.objects.filter(
                kind=StructureKind.MEDIATION
            )
            self.fields["structure"].empty_label = _("— Choisir une structure —")
        else:
            del self.fields["structure"]

    # What the national file's import refuses, the form refuses too: a place entered here is
    # always exported in a file that imports again (directory.national).
    def clean_postal_code(self):
        postal_code = self.cleaned_data["postal_code"].strip()
        if postal_code and not national.POSTAL_RE.match(postal_code):
            raise forms.ValidationError(_("Le code postal a 5 chiffres, par exemple 46500."))
        return postal_code

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return phone
        stored = national.stored_phone(phone)
        if stored is None:
            raise forms.ValidationError(
                _("Ce n'est pas un numéro de téléphone : par exemple 05 65 38 64 00.")
            )
        return stored

    def clean(self):
        cleaned = super().clean()
        commune = cleaned.get("commune")
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if commune and latitude is None and longitude is None:
            cleaned["latitude"], cleaned["longitude"] = commune.latitude, commune.longitude
        elif (latitude is None) != (longitude is None):
            self.add_error("longitude", _("Donnez la latitude et la longitude, ou aucune."))
        elif latitude is not None and not national.in_france(latitude, longitude):
            self.add_error(
                "latitude",
                _("Ce point est hors de France : vérifiez la latitude et la longitude."),
            )
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier national des lieux (CSV ou JSON)"),
        help_text=_("UTF-8, séparateur « ; » ou « , ». Le fichier est d'abord vérifié."),
    )
