"""Shared by the hostile-input tests (tests/security/test_hostile_*.py).

Every form and import tried with hostile input. Oversized fields, control characters, HTML and
script, SQL fragments, wrong types, wrong encodings and huge files: the answer is never a 5xx, a
refusal says what is wrong in French, a refused submission stores nothing, and whatever was
accepted is shown escaped.
"""

import re

from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from assessments.models import QuestionnaireVersion
from assessments.services import questionnaire_load_file
from tests.factories import (
    PersonFactory,
    UserFactory,
)

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE referrals_referral; --"
LONG = "x" * 10_000
NUL = "Jo\x00sette"
CONTROLS = "Jo\x1b[31msette\u202e"
EMOJI = "Zoé 👩🏽‍💻 Noe\u0308l"  # an emoji sequence and a combining diaeresis

TEXTS = {
    "script": SCRIPT,
    "attribute": ATTRIBUTE,
    "sql": SQL,
    "long": LONG,
    "nul": NUL,
    "controls": CONTROLS,
    "emoji": EMOJI,
}
# Values that are harmless once escaped: accepted as text wherever text is free.
MARKUP = {"script": SCRIPT, "attribute": ATTRIBUTE, "sql": SQL, "emoji": EMOJI}
# Values that no text field may store: refused with a message.
REFUSED = {"long": LONG, "nul": NUL, "controls": CONTROLS}

ENGLISH = re.compile(
    r"\b(this field|ensure this|enter a|is required|is not|not a valid|must be|may not|"
    r"expected a|invalid|parse error|codec|please|are not allowed|select a|no such)\b",
    re.IGNORECASE,
)
QUOTED = re.compile(r"«[^»]*»|'[^']*'|\"[^\"]*\"")


def french(text):
    """A message a French reader understands: not English, not empty."""
    text = str(text)
    assert text.strip(), "empty message"
    assert not ENGLISH.search(QUOTED.sub("", text)), f"message in English: {text!r}"
    assert "ErrorDetail" not in text, f"message not rendered: {text!r}"
    return text


def api_messages(data):
    """Every message string of a JSON error body."""
    if isinstance(data, dict):
        return [m for value in data.values() for m in api_messages(value)]
    if isinstance(data, list):
        return [m for value in data for m in api_messages(value)]
    return [str(data)]


def assert_refused_in_french(response):
    assert response.status_code in (400, 403, 404, 409), (response.status_code, response.content)
    body = response.json()
    assert "detail" in body
    for message in api_messages({"detail": body["detail"], "errors": body.get("errors", {})}):
        french(message)


def page_errors(response):
    """The form errors and the flash messages of an HTML answer."""
    errors = []
    context = response.context
    if context is not None:
        for name in ("form", "consent_form"):
            form = context.get(name)
            if form is not None and hasattr(form, "errors"):
                errors += [e for field_errors in form.errors.values() for e in field_errors]
    errors += [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    return errors


def assert_escaped(html, value):
    """The value never appears raw in the page (its escaped form may)."""
    if "<" in value or '"' in value:
        assert value not in html, f"unescaped {value!r}"
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html


def social_worker_client(client, user=None):
    user = user or UserFactory()
    client.force_login(user)
    return user


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def assessed_person(**fields):
    from assessments.services import assessment_start, assessment_validate
    from tests.assessments.answers import JOSETTE

    if QuestionnaireVersion.current() is None:
        questionnaire_load_file()
    person = PersonFactory(**fields)
    assessment = assessment_start(user=person.created_by, person=person, answers=JOSETTE)
    assessment_validate(user=person.created_by, assessment=assessment)
    return person


def registration(**overrides):
    data = {
        "first_name": "Josette",
        "last_name": "Delpech",
        "birth_year": "1951",
        "commune": "46128",
        "phone": "06 12 34 56 78",
        "email": "josette@exemple.invalid",
        "preferred_channel": "phone",
        "share_identity": "on",
        "consent_method": "oral",
    }
    data.update(overrides)
    return data


def person_json(**overrides):
    data = {
        "first_name": "Josette",
        "last_name": "Delpech",
        "birth_year": 1951,
        "commune": "46128",
        "phone": "06 12 34 56 78",
        "email": "josette@exemple.invalid",
        "preferred_channel": "phone",
        "share_identity": True,
        "share_assessment": False,
        "consent_method": "oral",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


INVISIBLE = {
    "zero-width space": "Jo\u200bsette",
    "right-to-left mark": "Delpech\u200f",
    "arabic letter mark": "Jo\u061csette",
    "word joiner": "Jo\u2060sette",
    "byte-order mark": "\ufeffJosette",
    "right-to-left isolate": "Jo\u2067sette\u2069",
}
