"""What a referral's slip says, gathered from the referral, the directory, consent and assessment.

Everything the template prints comes from `slip_context`, as plain values; the PDF cache key
is a digest of them, so whatever changes on the slip makes a new version.
"""

import base64
import io
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

import holidays
import qrcode
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from qrcode.image.pil import PilImage

from assessments.models import Assessment
from assessments.wording import as_date, constraint_lines, half_day_label
from directory.enums import Service
from referrals.models import Referral, ReferralState

from . import wording


class Variant:
    NORMAL = "normal"
    LARGE = "large"
    ALL = (NORMAL, LARGE)


# What every slip reads of a referral, loaded with it in one query. The assessment (printed
# only with consent) and the appointment's place (most referrals have none) are read when
# needed: joining them costs more than their own query, measured with bench/slip.py.
SLIP_RELATIONS = (
    "advisor__user",
    "advisor__structure",
    "referrer",
    "referring_structure",
    "person",
)
NEED_LABELS = dict(Service.choices)
PERMANENCES_SHOWN = 3
PERMANENCES_HORIZON_DAYS = 28
QR_MASK_PATTERN = 0


@dataclass(frozen=True)
class Occurrence:
    """One coming permanence: a date, its hours, its place."""

    day: date
    start: object
    end: object
    place: object

    @property
    def day_label(self):
        return french_day(self.day)


def french_day(day, *, year=False):
    """« mardi 1er décembre » (with the year when asked): how a date is said in French."""
    label = dateformat.format(day, "l j F Y" if year else "l j F")
    weekday, number, rest = label.split(" ", 2)
    return f"{weekday} {'1er' if number == '1' else number} {rest}"


@lru_cache(maxsize=512)
def qr_code_data_url(code):
    """The referral code (and nothing else) as a QR code: a PNG of one pixel per module,
    embedded as a data: URL and scaled up without smoothing (cheaper to render than SVG).

    One fixed mask pattern (every one of the eight is valid): choosing the "best" one scores
    all eight in Python, two thirds of the code's cost for no gain on a code this short.
    """
    qr = qrcode.QRCode(
        border=2,
        box_size=1,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        mask_pattern=QR_MASK_PATTERN,
    )
    qr.add_data(code)
    buffer = io.BytesIO()
    qr.make_image(image_factory=PilImage).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@cache
def _public_holidays(year):
    return holidays.France(years=year)


def next_permanences(permanences, *, now, absences=()):
    """The next occurrences of weekly permanences, soonest first, leaving out public holidays
    and the advisor's absences (pairs of first and last day)."""
    today = timezone.localtime(now).date()
    current_time = timezone.localtime(now).time()
    occurrences = []
    for offset in range(PERMANENCES_HORIZON_DAYS):
        day = today + timedelta(days=offset)
        if day in _public_holidays(day.year) or any(a <= day <= b for a, b in absences):
            continue
        for permanence in permanences:
            if permanence.weekday != day.weekday():
                continue
            if offset == 0 and permanence.end <= current_time:
                continue
            occurrences.append(Occurrence(day, permanence.start, permanence.end, permanence.place))
    occurrences.sort(key=lambda occurrence: (occurrence.day, occurrence.start))
    return occurrences[:PERMANENCES_SHOWN]


def _profile(referral):
    """The assessment's needs profile as stored (a dict), or an empty dict: its one column read
    (not the answers), unless the assessment came with the referral."""
    if getattr(referral, "assessment_id", None) is None:
        return {}
    if Referral.assessment.is_cached(referral):
        profile = referral.assessment.profile
    else:
        profile = (
            Assessment.objects.filter(pk=referral.assessment_id)
            .values_list("profile", flat=True)
            .first()
        )
    return profile if isinstance(profile, dict) else {}


def _profile_summary(profile):
    summary = profile.get("summary")
    return summary.strip() if isinstance(summary, str) else ""


def _need_categories(referral, profile):
    """The needs this referral is for: the social worker may have unticked some of the
    assessment's, which the slip then leaves out. The assessment's own needs only for a
    referral that names none."""
    categories = [need for need in referral.needs if isinstance(need, str)]
    if categories:
        return categories
    for need in profile.get("needs") or ():
        category = need.get("category") if isinstance(need, dict) else None
        if isinstance(category, str) and category not in categories:
            categories.append(category)
    return categories


def person_lines(profile):
    """What the assessment says about how the person will be helped, said to the person:
    "vous", one short sentence each (the advisor's page keeps its own lines)."""
    lines = []
    mode = profile.get("support_mode")
    if mode in wording.SUPPORT_FOR_PERSON:
        lines.append(str(wording.SUPPORT_FOR_PERSON[mode]))
    if profile.get("urgent"):
        due = as_date(profile.get("due_date"))
        if due:
            lines.append(
                _("C'est urgent : votre démarche est à faire avant le %(date)s.")
                % {"date": due.strftime("%d/%m/%Y")}
            )
        else:
            lines.append(_("C'est urgent : dites-le à votre conseiller dès le premier contact."))
    constraints = profile.get("constraints")
    if not isinstance(constraints, dict):
        return lines
    if constraints.get("home_visit") is True:
        lines.append(_("Vous avez demandé un rendez-vous chez vous."))
    remote = [
        str(label)
        for key, label in (("remote_phone", _("par téléphone")), ("remote_video", _("en visio")))
        if constraints.get(key) is True
    ]
    if remote:
        lines.append(
            _("Votre conseiller peut aussi vous aider %(how)s.")
            % {"how": wording.enumeration(remote).replace(" et ", " ou ")}
        )
    half_days = [
        _("le %(half_day)s") % {"half_day": half_day_label(code)}
        for code in constraints.get("half_days") or ()
    ]
    if half_days:
        lines.append(
            _("Vous nous avez dit être disponible %(half_days)s.")
            % {"half_days": wording.enumeration(half_days)}
        )
    return lines


def _absences(advisor):
    absences = getattr(advisor, "absences", None)
    if absences is None:
        return []
    return list(absences.values_list("start", "end"))


def _full_address(place):
    commune = place.commune
    postal_code = getattr(place, "postal_code", "") or next(iter(commune.postal_codes.split()), "")
    lines = (
        place.address,
        getattr(place, "address_complement", ""),
        f"{postal_code} {commune.name}",
    )
    return ", ".join(line.strip() for line in lines if line and line.strip())


def _state_sentence(referral):
    sent = timezone.localtime(referral.sent_at).strftime("%d/%m/%Y")
    sentences = {
        ReferralState.SENT: _(
            "Votre demande a été envoyée au conseiller le %(date)s. Il va vous contacter."
        ),
        ReferralState.ACCEPTED: _("Le conseiller a accepté votre demande."),
        ReferralState.IN_PROGRESS: _("Votre accompagnement a commencé."),
    }
    sentence = sentences.get(referral.state)
    if sentence is None:
        return _(
            "Votre orientation est close (%(state)s). Si vous avez encore besoin d'aide, "
            "demandez une nouvelle fiche à votre travailleur social."
        ) % {"state": referral.get_state_display().lower()}
    return sentence % {"date": sent}


def _clock(value):
    """9 h 00, with no-break spaces so that an hour never splits over two lines."""
    return f"{value.hour}\u00a0h\u00a0{value.minute:02d}"


def _consent_facts(consent):
    if consent is None:
        return None
    recorded_by = consent.recorded_by
    return {
        "share_identity": consent.share_identity,
        "share_assessment": consent.share_assessment,
        "recorded_on": timezone.localtime(consent.recorded_at).strftime("%d/%m/%Y"),
        "method": str(consent.get_method_display()).lower(),
        "recorded_by": recorded_by.get_full_name() if recorded_by else "",
    }


def slip_context(referral, *, variant=Variant.NORMAL, now=None):
    """Everything one slip prints, as plain values (their digest is the slip's version).

    Read defensively from the other apps: an assessment, an appointment or permanences may
    be missing. The QR code is left out: it is made from the code alone.
    """
    now = now or timezone.now()
    advisor = referral.advisor
    structure = advisor.structure
    consent = referral.person.active_consent
    share_assessment = bool(consent and consent.share_assessment)
    profile = _profile(referral) if share_assessment else {}
    needs = _need_categories(referral, profile)
    appointment_at = getattr(referral, "appointment_at", None)
    appointment_place = getattr(referral, "appointment_place", None)
    occurrences = []
    if not appointment_at:
        permanences = list(advisor.permanences.select_related("place__commune"))
        if permanences:
            occurrences = next_permanences(permanences, now=now, absences=_absences(advisor))
    if appointment_place:
        places = [appointment_place]
    elif occurrences:
        places = list(dict.fromkeys(occurrence.place for occurrence in occurrences))
    else:
        places = list(advisor.places.select_related("commune"))
    appointment_at = timezone.localtime(appointment_at) if appointment_at else None
    referrer = referral.referrer
    referring_structure = referral.referring_structure
    return {
        "variant": variant,
        "large": variant == Variant.LARGE,
        "referral_pk": referral.pk,
        "code": referral.code,
        "state_sentence": _state_sentence(referral),
        "advisor_name": str(advisor),
        "structure_name": structure.name,
        "structure_phone": structure.phone,
        "places": [
            {
                "name": place.name,
                "address": _full_address(place),
                "phone": getattr(place, "phone", "") or structure.phone,
            }
            for place in places
        ],
        "appointment": (
            {"day": french_day(appointment_at, year=True), "time": _clock(appointment_at)}
            if appointment_at
            else None
        ),
        "occurrences": [
            {
                "day": occurrence.day_label,
                "start": _clock(occurrence.start),
                "end": _clock(occurrence.end),
                "place": occurrence.place.name,
            }
            for occurrence in occurrences
        ],
        "summary": _profile_summary(profile),
        "needs": [
            {
                "label": str(NEED_LABELS.get(need, need)),
                "plain": str(wording.plain_need(need)) or str(NEED_LABELS.get(need, need)).lower(),
            }
            for need in needs
        ],
        "person_lines": [str(line) for line in person_lines(profile)],
        "things_to_bring": wording.things_to_bring(needs),
        "referrer_name": referrer.get_full_name(),
        "referrer_email": referrer.email,
        "referring_structure_name": referring_structure.name,
        "referring_structure_phone": referring_structure.phone,
        "consent": _consent_facts(consent),
        "assessment_page": share_assessment and bool(profile),
        "constraints": [str(line) for line in constraint_lines(profile)],
        "printed_on": timezone.localtime(now).strftime("%d/%m/%Y"),
    }
