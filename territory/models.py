import math

from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("département")

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    code = models.CharField(_("SIREN"), max_length=9, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="epcis")

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
