import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# The public-holiday calendars of the `holidays` package that are not the national one, by the
# départements they apply to: Alsace-Moselle and the overseas départements.
HOLIDAY_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}
HOLIDAY_SUBDIVISION_CHOICES = [
    ("57", _("Moselle")),
    ("6AE", _("Alsace")),
    ("971", _("Guadeloupe")),
    ("972", _("Martinique")),
    ("973", _("Guyane")),
    ("974", _("La Réunion")),
    ("976", _("Mayotte")),
]
# The INSEE's "type de nom en clair": how « Département … » leads to the name.
LIAISONS = {0: "de ", 1: "d'", 2: "du ", 3: "de la ", 4: "des ", 5: "de l'", 6: "des "}
DEADLINE_KEYS = ("reminder", "escalation", "expiry", "first_meeting")


class Department(models.Model):
    """A département served by the installation. Its settings left empty take the national
    defaults (`settings.PASIP_DEADLINES`, `PASIP_STATS_MIN_COUNT`, the holiday calendar of its
    code)."""

    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    liaison = models.PositiveSmallIntegerField(
        _("article du nom (INSEE)"),
        choices=[(key, f"Département {value}…") for key, value in LIAISONS.items()],
        default=0,
    )
    partner = models.CharField(
        _("partenaire nommé dans les pieds de page"),
        max_length=100,
        blank=True,
        help_text=_("Par exemple le hub de l'inclusion numérique du territoire."),
    )
    code_prefix = models.CharField(
        _("préfixe des codes d'orientation"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]{2,5}$", _("De 2 à 5 lettres ou chiffres."))],
        help_text=_("Vide : le code du département."),
    )
    deadline_reminder = models.PositiveSmallIntegerField(
        _("relance du conseiller (jours ouvrés)"), null=True, blank=True
    )
    deadline_escalation = models.PositiveSmallIntegerField(
        _("alerte de la coordination (jours ouvrés)"), null=True, blank=True
    )
    deadline_expiry = models.PositiveSmallIntegerField(
        _("expiration (jours ouvrés)"), null=True, blank=True
    )
    deadline_first_meeting = models.PositiveSmallIntegerField(
        _("premier rendez-vous attendu (jours ouvrés)"), null=True, blank=True
    )
    stats_min_count = models.PositiveSmallIntegerField(
        _("seuil de publication des statistiques"), null=True, blank=True
    )
    holiday_subdivision = models.CharField(
        _("calendrier des jours fériés"),
        max_length=3,
        blank=True,
        choices=HOLIDAY_SUBDIVISION_CHOICES,
        help_text=_("Vide : celui du code du département (national, Alsace-Moselle, outre-mer)."),
    )

    class Meta:
        verbose_name = _("département")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def of_name(self) -> str:
        """« du Lot », « de l'Aveyron », « de la Haute-Garonne »."""
        return LIAISONS.get(self.liaison, "de ") + self.name

    @property
    def referral_prefix(self) -> str:
        return self.code_prefix or self.code

    @property
    def holidays(self) -> str | None:
        """The `holidays` package's subdivision of France for this département, None for the
        national calendar."""
        return self.holiday_subdivision or HOLIDAY_SUBDIVISIONS.get(self.code)

    def deadlines(self) -> dict[str, int]:
        """Working days before reminder, escalation, expiry and the expected first meeting."""
        national = settings.PASIP_DEADLINES
        own = {key: getattr(self, f"deadline_{key}") for key in DEADLINE_KEYS}
        return {key: own[key] if own[key] is not None else national[key] for key in DEADLINE_KEYS}

    def clean(self):
        days = self.deadlines()
        if not days["reminder"] < days["escalation"] < days["expiry"]:
            raise ValidationError(
                _(
                    "La relance doit précéder l'alerte, et l'alerte l'expiration "
                    "(jours ouvrés : %(d)s)."
                )
                % {"d": f"{days['reminder']}, {days['escalation']}, {days['expiry']}"}
            )

    def stats_threshold(self) -> int:
        if self.stats_min_count is not None:
            return self.stats_min_count
        return settings.PASIP_STATS_MIN_COUNT


class EpciQuerySet(models.QuerySet):
    def of_department(self, department):
        """The EPCIs holding communes of `department`, whichever département they are filed
        under (an EPCI straddling two départements belongs to one of them)."""
        return self.filter(communes__department=department).distinct()


class Epci(models.Model):
    code = models.CharField(_("SIREN"), max_length=9, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="epcis")

    objects = EpciQuerySet.as_manager()

    class Meta:
        verbose_name = _("EPCI")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    insee = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    population = models.PositiveIntegerField(_("population municipale (source INSEE)"))
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, related_name="communes")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="communes")
    latitude = models.FloatField()
    longitude = models.FloatField()
    postal_codes = models.CharField(_("codes postaux"), max_length=50)

    class Meta:
        verbose_name = _("commune")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.postal_codes.split()[0]})"

    def distance_km(self, latitude, longitude):
        return haversine_km(self.latitude, self.longitude, latitude, longitude)


def haversine_km(lat1, lon1, lat2, lon2):
    """Straight-line distance on the Earth's surface, in kilometres."""
    earth_radius_km = 6371.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = math.radians(lat2 - lat1)
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * earth_radius_km * math.asin(math.sqrt(a))
