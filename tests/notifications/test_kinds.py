"""Every kind of notification the code writes is registered, with its French label."""

import ast
from pathlib import Path

from django.conf import settings

from notifications.services import KINDS, kind_of

SOURCE_DIRS = [
    "accounts",
    "assessments",
    "directory",
    "notifications",
    "people",
    "pasip",
    "referrals",
    "slips",
    "stats",
    "territory",
    "worker",
]
EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications" / "email"


def _kinds(expression):
    """The kinds a `kind=` argument can take: literals, or a choice between literals."""
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return {expression.value}
    if isinstance(expression, ast.IfExp):
        return _kinds(expression.body) | _kinds(expression.orelse)
    raise AssertionError(f"kind not written as a literal: {ast.unparse(expression)}")


def kinds_written():
    """Each kind passed to `notify()` anywhere in the application's code, with where."""
    found = {}
    for folder in SOURCE_DIRS:
        for path in sorted((Path(settings.BASE_DIR) / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name != "notify":
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "kind":
                        for kind in _kinds(keyword.value):
                            found.setdefault(kind, f"{path.name}:{node.lineno}")
    return found


def test_every_kind_written_or_templated_has_a_registered_french_label():
    written = kinds_written()
    # The code found is the code that notifies: the sending, the answers, the expiry…
    assert {"referral_sent", "referral_answered", "referral_expired", "digest"} <= set(written)
    templated = {path.stem for path in EMAIL_TEMPLATES.glob("*.txt")}
    for kind in set(written) | templated:
        where = written.get(kind, f"templates/notifications/email/{kind}.txt")
        assert kind in KINDS, f"{kind} ({where}) is not registered in notifications.services"
        label = str(kind_of(kind).label)
        english = kind.replace("_", " ").capitalize()
        assert label != english, f"{kind} ({where}) has no French label"


def test_every_kind_sent_by_e_mail_has_its_template():
    for kind, channels in KINDS.items():
        if channels.email:
            assert (EMAIL_TEMPLATES / f"{kind}.txt").exists(), kind


def test_an_expired_referral_is_labelled_in_french():
    assert str(kind_of("referral_expired").label) == "Orientation expirée"
