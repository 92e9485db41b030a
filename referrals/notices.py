"""The referrals' kinds of notification and what each says in the in-app list, registered with
the notifications (`notifications.services.register_kind`) when the app loads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.services import register_kind

from .models import ReferralState

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Referral


KINDS = {
    "referral_sent": gettext_lazy("Nouvelle orientation"),
    "referral_answered": gettext_lazy("Réponse à une orientation"),
    "referral_expired": gettext_lazy("Orientation expirée"),
    "referral_message": gettext_lazy("Message sur une orientation"),
    "referral_reminder": gettext_lazy("Relance d'une orientation"),
    "referral_escalated": gettext_lazy("Orientation signalée"),
    "referral_rerouted": gettext_lazy("Orientation réorientée par le coordinateur"),
    "meeting_reminder": gettext_lazy("Premier rendez-vous à fixer"),
    "referral_appointment": gettext_lazy("Rendez-vous d'une orientation"),
}


def kinds_register() -> None:
    for kind, label in KINDS.items():
        register_kind(kind, label=label, summary=referral_summary)


def _agent(user: User | None) -> str:
    """An agent as the in-app list names them: their name and structure (never a person's)."""
    if user is None:
        return _("Le délai de réponse")
    name = user.get_full_name() or user.username
    if user.is_coordinator:
        return _("%(name)s (coordination)") % {"name": name}
    structure = getattr(user, "structure", None)
    return f"{name} ({structure})" if structure else name


def referral_summary(kind: str, *, referral: Referral, context: dict[str, Any]) -> str:
    """What happened, in words, from the event just recorded on the referral (its actor, the
    state it reached, its reason): the agents' names, the codes, never the person's data."""
    code = referral.code
    advisor = f"{referral.advisor} ({referral.advisor.structure})"
    event = referral.events.select_related("actor").order_by("-pk").first()
    who = _agent(event.actor if event else None)
    if kind == "referral_sent":
        sender = _agent(event.actor if event and event.actor else referral.referrer)
        if referral.shared:
            return _(
                "%(who)s a adressé l'orientation %(code)s à la boîte partagée de votre structure."
            ) % {"who": sender, "code": code}
        return _("%(who)s vous a adressé l'orientation %(code)s.") % {"who": sender, "code": code}
    if kind == "referral_answered" and event is not None and event.actor is not None:
        state, reason = event.to_state, event.reason
        values = {"who": who, "code": code, "reason": reason}
        if state == ReferralState.ACCEPTED:
            text = _("%(who)s a accepté l'orientation %(code)s.") % values
            if referral.appointment_at:
                when = timezone.localtime(referral.appointment_at)
                text += " " + _("Rendez-vous proposé le %(day)s à %(hour)s.") % {
                    "day": when.strftime("%d/%m/%Y"),
                    "hour": when.strftime("%H h %M"),
                }
            return text
        sentences = {
            ReferralState.DECLINED: _(
                "%(who)s a refusé l'orientation %(code)s. Motif : %(reason)s."
            ),
            ReferralState.IN_PROGRESS: _(
                "%(who)s a enregistré le premier rendez-vous de l'orientation %(code)s : "
                "l'accompagnement a commencé."
            ),
            ReferralState.COMPLETED: _(
                "%(who)s a terminé l'accompagnement de l'orientation %(code)s. Issue : %(reason)s."
            ),
            ReferralState.FAILED: _(
                "%(who)s a déclaré l'orientation %(code)s non aboutie. Issue : %(reason)s."
            ),
            ReferralState.CANCELLED: _(
                "%(who)s a annulé l'orientation %(code)s. Motif : %(reason)s."
            ),
        }
        if state in sentences:
            return sentences[state] % values
    if (
        kind in ("referral_answered", "referral_expired")
        and referral.state == ReferralState.EXPIRED
    ):
        return _(
            "L'orientation %(code)s a expiré : %(advisor)s n'a pas répondu dans le délai. "
            "Vous pouvez la réorienter."
        ) % {"code": code, "advisor": advisor}
    if kind == "referral_answered":
        return _("L'orientation %(code)s est maintenant : %(state)s.") % {
            "code": code,
            "state": referral.get_state_display().lower(),
        }
    if kind == "referral_message":
        message = referral.messages.select_related("author").order_by("-pk").first()
        author = _agent(message.author) if message else _("Votre correspondant")
        return _("%(who)s a écrit un message sur l'orientation %(code)s.") % {
            "who": author,
            "code": code,
        }
    if kind == "referral_reminder":
        return _(
            "L'orientation %(code)s attend toujours votre réponse : acceptez-la ou refusez-la."
        ) % {"code": code}
    if kind == "meeting_reminder":
        return _(
            "L'orientation %(code)s est acceptée, mais son premier rendez-vous n'est pas "
            "encore enregistré."
        ) % {"code": code}
    if kind == "referral_escalated":
        return _(
            "L'orientation %(code)s, adressée à %(advisor)s, est restée sans réponse : "
            "elle vous est signalée."
        ) % {"code": code, "advisor": advisor}
    if kind == "referral_rerouted":
        previous = context.get("previous")
        return _(
            "%(who)s a réorienté l'orientation %(old)s vers %(advisor)s : "
            "nouvelle orientation %(code)s."
        ) % {
            "who": who,
            "old": previous.code if previous else "—",
            "advisor": advisor,
            "code": code,
        }
    return ""
