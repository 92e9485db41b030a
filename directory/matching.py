"""Which advisors can help with a set of needs, nearest first.

Thin for now: an advisor is suggested when active and covering every need; the ranking is the
straight-line distance from the person's commune point to the advisor's nearest place, then the
advisor's name so that the order is the same for the same data.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Advisor, Place


@dataclass(frozen=True)
class Suggestion:
    rank: int
    advisor: Advisor
    place: Place | None
    distance_km: float | None

    @property
    def explanation(self):
        if self.place is None:
            return _("Aucun lieu renseigné — couvre tous les besoins demandés")
        return _("%(km)s km — %(place)s — couvre tous les besoins demandés") % {
            "km": round(self.distance_km),
            "place": self.place,
        }


def advisors_suggest(*, needs, commune):
    candidates = (
        Advisor.objects.filter(is_active=True)
        .select_related("user", "structure")
        .prefetch_related("places__commune")
    )
    ranked = []
    for advisor in candidates:
        if not advisor.covers(needs):
            continue
        place, distance = advisor.nearest_place(commune.latitude, commune.longitude)
        ranked.append(
            (
                distance if distance is not None else float("inf"),
                str(advisor),
                advisor,
                place,
                distance,
            )
        )
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [
        Suggestion(rank=index, advisor=advisor, place=place, distance_km=distance)
        for index, (_sort, _name, advisor, place, distance) in enumerate(ranked, start=1)
    ]
