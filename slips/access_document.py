"""The right of access as a document the person can read: everything `people.services.person_export`
holds (the JSON export, for machines), said in words, in French, as a PDF made by WeasyPrint
with the slip's fonts (nothing fetched from outside while rendering)."""

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from people.policies import person_followed_check
from referrals.models import EventKind, Outcome, ReferralState

from .rendering import PDF_VARIANT, _font_urls, font_configuration, local_url_fetcher

TEMPLATE = "people/access_document.html"


def _when(value, *, time=True):
    if value is None:
        return ""
    local = timezone.localtime(value)
    return local.strftime("%d/%m/%Y à %H h %M" if time else "%d/%m/%Y")


def _name(user):
    """A user as the person knows them: their name (the login only when there is none)."""
    return user.get_full_name() or str(user)


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _answers(assessment):
    """(question, answer) for each answer kept, in the questionnaire's order."""
    answers = assessment.answers or {}
    questionnaire = assessment.questionnaire
    lines, seen = [], set()
    for area in questionnaire.areas:
        for item in area["items"]:
            key = item["key"]
            if key in answers:
                seen.add(key)
                lines.append((item["label"], questionnaire.answer_label(item, answers[key])))
    lines.extend((key, str(value)) for key, value in answers.items() if key not in seen)
    return lines


def access_document_context(*, user, person):
    """What the document says, checked as the JSON export is (the referring structure only)."""
    person_followed_check(user, person)
    consents = person.consents.select_related("recorded_by", "revoked_by").order_by("recorded_at")
    referrals = person.referrals.select_related("advisor__user", "advisor__structure").order_by(
        "sent_at"
    )
    return {
        "person": person,
        "today": _when(timezone.now(), time=False),
        "created_at": _when(person.created_at, time=False),
        "consents": [
            {
                "recorded_at": _when(consent.recorded_at),
                "recorded_by": consent.recorded_by.get_full_name(),
                "method": consent.get_method_display(),
                "share_identity": consent.share_identity,
                "share_assessment": consent.share_assessment,
                "revoked_at": _when(consent.revoked_at),
                "revoked_by": consent.revoked_by.get_full_name() if consent.revoked_by else "",
            }
            for consent in consents
        ],
        "assessments": [
            {
                "created_at": _when(assessment.created_at),
                "status": assessment.get_status_display(),
                "answers": _answers(assessment),
            }
            for assessment in person.assessments.select_related("version").order_by("created_at")
        ],
        "referrals": [
            {
                "code": referral.code,
                "needs": list(referral.needs),
                "advisor": str(referral.advisor),
                "structure": str(referral.advisor.structure),
                "state": referral.get_state_display(),
                "sent_at": _when(referral.sent_at),
                "closed_at": _when(referral.closed_at),
                "outcome": _label(Outcome, referral.outcome) if referral.outcome else "",
                "events": [
                    {
                        "at": _when(event.at),
                        "kind": _label(EventKind, event.kind),
                        "from": _label(ReferralState, event.from_state) if event.from_state else "",
                        "to": _label(ReferralState, event.to_state),
                        "reason": event.reason,
                    }
                    for event in referral.events.all()
                ],
                "messages": [
                    {"at": _when(message.at), "author": _name(message.author), "body": message.body}
                    for message in referral.messages.select_related("author")
                ],
            }
            for referral in referrals
        ],
        "accesses": [
            {"at": _when(access.at), "by": _name(access.user), "where": access.where}
            for access in person.accesses.select_related("user")
        ],
    }


def access_document_pdf(*, user, person):
    """The document as a tagged PDF, in French."""
    context = access_document_context(user=user, person=person)
    with translation.override("fr"):
        html = render_to_string(TEMPLATE, {**context, "fonts": _font_urls(for_pdf=True)})
    return HTML(string=html, url_fetcher=local_url_fetcher).write_pdf(
        font_config=font_configuration(), pdf_variant=PDF_VARIANT
    )
