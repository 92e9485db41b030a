"""Validators shared by the forms and the API."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The demo accounts' password, public in the README: refused as anyone's password, and at login
# outside the development and test settings (accounts.backends.PasswordBackend).
DEMO_PASSWORD = "demo-pasip-2026"  # noqa: S105 (public by design, refused everywhere else)

# C0 controls but tab and line breaks, DEL; the bidirectional marks, embeddings, overrides and
# isolates that reorder or disguise text (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069);
# the invisible characters that make two equal-looking names differ (zero-width space U+200B,
# word joiner and invisible operators U+2060–U+2064, U+180E, the byte-order mark U+FEFF). The
# zero-width joiners U+200C and U+200D stay: emoji sequences and several scripts need them.
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def validate_printable(value):
    """A name, an address or a phone number typed by a person holds no control character."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("Ce texte contient des caractères invisibles ou de contrôle : retapez-le."),
            code="control_characters",
        )


class NotDemoPasswordValidator:
    """A password validator (AUTH_PASSWORD_VALIDATORS): nobody may choose the demo's password."""

    def validate(self, password, user=None):
        if password == DEMO_PASSWORD:
            raise ValidationError(
                _("Ce mot de passe est public (démonstration) : choisissez-en un autre."),
                code="password_demo",
            )

    def get_help_text(self):
        return _("Votre mot de passe ne peut pas être celui de la démonstration.")
