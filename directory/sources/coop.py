"""La Coop de la médiation numérique: its places of activity ("lieux d'activité").

`PASIP_COOP_URL` is the API's root (e.g. `https://coop-numerique.anct.gouv.fr/api/v1`),
`PASIP_COOP_TOKEN` the API client's `id:secret`, sent as a bearer token. `/lieux-activite`
answers the places already in the national schema, for all of France: a list, or a page
`{"data": [...], "links": {"next": …}}` whose next page is followed (on the same host only).
The rows of other départements are counted and ignored by the check, as in a national file.
Only the schema's columns are kept: the mediators named with a place (`aidants`) are not.
"""

import logging
import urllib.parse

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from directory import national
from directory.models import DirectoryImport

from . import MAX_PAGES, SourceError, get_json, row_department, same_site, schema_text

logger = logging.getLogger(__name__)

KEY = DirectoryImport.Source.COOP
LABEL = _("La Coop de la médiation numérique")
PATH = "/lieux-activite"


def enabled():
    return bool(settings.PASIP_COOP_URL)


def fetch(department):
    """The national rows of La Coop's places (those of other départements too, to be counted)."""
    url = settings.PASIP_COOP_URL.rstrip("/") + PATH
    headers = {}
    if settings.PASIP_COOP_TOKEN:
        headers["Authorization"] = f"Bearer {settings.PASIP_COOP_TOKEN}"
    places, pages = [], 0
    while url:
        pages += 1
        if pages > MAX_PAGES:
            raise SourceError(
                _("%(source)s annonce plus de %(count)d pages : lecture arrêtée.")
                % {"source": LABEL, "count": MAX_PAGES}
            )
        answer = get_json(url, label=LABEL, headers=headers)
        next_url = None
        if isinstance(answer, dict):
            next_url = (answer.get("links") or {}).get("next") or None
            answer = answer.get("data")
        if not isinstance(answer, list):
            raise SourceError(
                _("%(source)s a donné une réponse inattendue (liste de lieux attendue).")
                % {"source": LABEL}
            )
        places.extend(place for place in answer if isinstance(place, dict))
        if next_url:
            next_url = urllib.parse.urljoin(url, next_url)
            if not same_site(next_url, settings.PASIP_COOP_URL):
                raise SourceError(
                    _("%(source)s renvoie la page suivante vers un autre site : lecture arrêtée.")
                    % {"source": LABEL}
                )
        url = next_url
    rows = convert(places)
    logger.info(
        "La Coop: %d places, %d of the département",
        len(rows),
        sum(1 for row in rows if row_department(row) == department),
    )
    return rows


def convert(places):
    """National rows: the schema's columns of each place, lists joined with `|`."""
    return [
        {column: schema_text(place.get(column)) for column in national.COLUMNS if column in place}
        for place in places
    ]
