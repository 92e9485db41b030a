"""Live sources of the directory: clients that fetch places of one département and write them as
the national file of places of digital mediation, so that they are checked and applied exactly
as an uploaded file is (`directory.national`).

Each source is a module with `KEY` (a `DirectoryImport.Source`), `LABEL`, `enabled()` (its URL
setting is set) and `fetch(department)`, which returns the rows of the national schema. A
source that cannot be reached, answers an error or an unreadable answer raises `SourceError`,
whose message is French and says what happened, never what the answer held.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

from directory import national

# A client never reads more pages than this: an answer that keeps saying "next page" is a
# fault of the source, not a reason to loop.
MAX_PAGES = 200


class SourceError(Exception):
    """A source could not give its places; the message is meant for the coordinator."""


def get_json(url, *, label, params=None, headers=None):
    """The JSON answer of a GET on `url` (with `params` in its query), or `SourceError`."""
    if params:
        url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SourceError(
            _("%(source)s : adresse invalide (http ou https attendu).") % {"source": label}
        )
    # S310 below: an http(s) address only, checked above.
    request = urllib.request.Request(  # noqa: S310
        url, headers={"Accept": "application/json", **(headers or {})}
    )
    timeout = settings.PASIP_SOURCES_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as error:
        error.close()
        if error.code in (401, 403):
            raise SourceError(
                _(
                    "%(source)s a refusé l'accès (HTTP %(status)d) : vérifiez le jeton "
                    "d'accès configuré."
                )
                % {"source": label, "status": error.code}
            ) from None
        raise SourceError(
            _("%(source)s a répondu par une erreur (HTTP %(status)d). Réessayez plus tard.")
            % {"source": label, "status": error.code}
        ) from None
    except TimeoutError:
        raise SourceError(_timeout_message(label, timeout)) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise SourceError(_timeout_message(label, timeout)) from None
        raise SourceError(
            _("%(source)s est injoignable (%(reason)s). Réessayez plus tard.")
            % {"source": label, "reason": error.reason}
        ) from None
    except OSError as error:
        raise SourceError(
            _("%(source)s est injoignable (%(reason)s). Réessayez plus tard.")
            % {"source": label, "reason": error.__class__.__name__}
        ) from None
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SourceError(
            _("%(source)s a donné une réponse illisible (JSON attendu).") % {"source": label}
        ) from None


def _timeout_message(label, timeout):
    return _("%(source)s n'a pas répondu dans les %(seconds)s secondes. Réessayez plus tard.") % {
        "source": label,
        "seconds": f"{timeout:g}",
    }


def same_site(url, base):
    """Whether `url` is on the same scheme and host as `base` (a next page elsewhere would
    receive the source's token)."""
    one, other = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return (one.scheme, one.netloc) == (other.scheme, other.netloc)


def row_department(row):
    """The département a row names by its INSEE code, or else its postal code; None when it
    names none that can be read."""
    for column in ("code_insee", "code_postal"):
        code = str(row.get(column) or "").strip().upper()
        if len(code) == 5:
            department = code[:3] if code[:2] in ("97", "98") else code[:2]
            if column == "code_postal" and department == "20":
                return None  # Corsica's postal codes say neither 2A nor 2B
            if department in national.DEPARTMENTS:
                return department
    return None


def national_content(rows, department):
    """The national file (JSON) of `rows`, sorted by identifier so that the same places give
    the same content. A row of another département keeps only what says where it is: the check
    counts it as ignored, and the import does not store the whole country."""
    kept = []
    for row in sorted(rows, key=lambda row: str(row.get("id") or "")):
        other = row_department(row)
        if other is not None and other != department:
            row = {
                **dict.fromkeys(national.REQUIRED, ""),
                **{
                    column: row.get(column, "")
                    for column in ("id", "commune", "code_postal", "code_insee")
                },
            }
        kept.append(row)
    return json.dumps(kept, ensure_ascii=False, indent=1).encode("utf-8")


def schema_text(value):
    """A value of the answer as a cell of the national file: lists joined with `|`."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "|".join(str(item).strip() for item in value if item not in (None, ""))
    return str(value).strip()


def all_sources():
    from . import coop, data_inclusion

    return {source.KEY: source for source in (data_inclusion, coop)}
