"""The kinds of notification (their label, their channels) and what each one says: the
in-app summary, the e-mail rendered from its templates, the links it carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from accounts.models import User
    from referrals.models import Referral


@dataclass(frozen=True)
class NotificationKind:
    label: str
    email: bool = True
    in_app: bool = True


KINDS: dict[str, NotificationKind] = {}


def register_kind(
    name: str, *, label: str | Promise, email: bool = True, in_app: bool = True
) -> None:
    KINDS[name] = NotificationKind(label=label, email=email, in_app=in_app)


register_kind("referral_sent", label=gettext_lazy("Nouvelle orientation"))
register_kind("referral_answered", label=gettext_lazy("Réponse à une orientation"))
register_kind("referral_expired", label=gettext_lazy("Orientation expirée"))
register_kind("referral_message", label=gettext_lazy("Message sur une orientation"))
register_kind("referral_reminder", label=gettext_lazy("Relance d'une orientation"))
register_kind("referral_escalated", label=gettext_lazy("Orientation signalée"))
register_kind("referral_rerouted", label=gettext_lazy("Orientation réorientée par le coordinateur"))
register_kind("meeting_reminder", label=gettext_lazy("Premier rendez-vous à fixer"))
register_kind("referral_appointment", label=gettext_lazy("Rendez-vous d'une orientation"))
register_kind("digest", label=gettext_lazy("Résumé quotidien"), in_app=False)


def kind_of(name: str) -> NotificationKind:
    return KINDS.get(name) or NotificationKind(label=name.replace("_", " ").capitalize())


def _agent(user: User | None) -> str:
    """An agent as the in-app list names them: their name and structure (never a person's)."""
    if user is None:
        return _("Le délai de réponse")
    name = user.get_full_name() or user.username
    if user.is_coordinator:
        return _("%(name)s (coordination)") % {"name": name}
    structure = getattr(user, "structure", None)
    return f"{name} ({structure})" if structure else name


def notification_summary(kind: str, *, referral: Referral | None, context: dict[str, Any]) -> str:
    """What happened, in words, from the event just recorded on the referral (its actor, the
    state it reached, its reason): the agents' names, the codes, never the person's data."""
    if referral is None:
        return ""
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
        if state == "accepted":
            text = _("%(who)s a accepté l'orientation %(code)s.") % values
            if referral.appointment_at:
                when = timezone.localtime(referral.appointment_at)
                text += " " + _("Rendez-vous proposé le %(day)s à %(hour)s.") % {
                    "day": when.strftime("%d/%m/%Y"),
                    "hour": when.strftime("%H h %M"),
                }
            return text
        sentences = {
            "declined": _("%(who)s a refusé l'orientation %(code)s. Motif : %(reason)s."),
            "in_progress": _(
                "%(who)s a enregistré le premier rendez-vous de l'orientation %(code)s : "
                "l'accompagnement a commencé."
            ),
            "completed": _(
                "%(who)s a terminé l'accompagnement de l'orientation %(code)s. Issue : %(reason)s."
            ),
            "failed": _(
                "%(who)s a déclaré l'orientation %(code)s non aboutie. Issue : %(reason)s."
            ),
            "cancelled": _("%(who)s a annulé l'orientation %(code)s. Motif : %(reason)s."),
        }
        if state in sentences:
            return sentences[state] % values
    if kind in ("referral_answered", "referral_expired") and referral.state == "expired":
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


def email_render(kind: str, *, subject: str, url: str, context: dict[str, Any]) -> tuple[str, str]:
    context = {**context, "subject": subject, "url": url, "site_url": site_url("/")}
    text = render_to_string(f"notifications/email/{kind}.txt", context)
    html = select_template(
        [f"notifications/email/{kind}.html", "notifications/email/layout.html"]
    ).render({**context, "text": text})
    return text, html


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def referral_url(referral: Referral) -> str:
    return site_url(reverse("referral_detail", args=[referral.pk]))
