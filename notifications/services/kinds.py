"""The kinds of notification (their label, their channels) and what each one says: the
in-app summary, the e-mail rendered from its templates, the links it carries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from territory.services import department_served

if TYPE_CHECKING:
    from referrals.models import Referral


@dataclass(frozen=True)
class NotificationKind:
    label: str
    email: bool = True
    in_app: bool = True
    # (kind, *, referral, context) -> the in-app summary: what happened, in words, with the
    # agents' names and the codes, never the person's data.
    summary: Callable[..., str] | None = None


KINDS: dict[str, NotificationKind] = {}


def register_kind(
    name: str,
    *,
    label: str | Promise,
    email: bool = True,
    in_app: bool = True,
    summary: Callable[..., str] | None = None,
) -> None:
    KINDS[name] = NotificationKind(label=label, email=email, in_app=in_app, summary=summary)


register_kind("digest", label=gettext_lazy("Résumé quotidien"), in_app=False)


def kind_of(name: str) -> NotificationKind:
    return KINDS.get(name) or NotificationKind(label=name.replace("_", " ").capitalize())


def notification_summary(kind: str, *, referral: Referral | None, context: dict[str, Any]) -> str:
    """What happened, in words, for the in-app list: said by the app that registered the kind
    (`register_kind(..., summary=...)`; the referrals' kinds in `referrals.notices`)."""
    registered = KINDS.get(kind)
    if referral is None or registered is None or registered.summary is None:
        return ""
    return registered.summary(kind, referral=referral, context=context)


def email_render(kind: str, *, subject: str, url: str, context: dict[str, Any]) -> tuple[str, str]:
    recipient = context.get("recipient")
    department = getattr(recipient, "department", None) or department_served()
    context = {
        **context,
        "subject": subject,
        "url": url,
        "site_url": site_url("/"),
        "department": department,
    }
    text = render_to_string(f"notifications/email/{kind}.txt", context)
    html = select_template(
        [f"notifications/email/{kind}.html", "notifications/email/layout.html"]
    ).render({**context, "text": text})
    return text, html


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def referral_url(referral: Referral) -> str:
    return site_url(reverse("referral_detail", args=[referral.pk]))
