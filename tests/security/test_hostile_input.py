"""Every form and import tried with hostile input.

Oversized fields, control characters, HTML and script, SQL fragments, wrong types, wrong
encodings and huge files: the answer is never a 5xx, a refusal says what is wrong in French,
a refused submission stores nothing, and whatever was accepted is shown escaped.
"""

import csv
import io
import json
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import Assessment, QuestionnaireVersion
from assessments.services import questionnaire_load_file
from directory import national
from directory.enums import Service
from directory.models import Advisor, DirectoryImport, Place
from directory.services import directory_import_check
from notifications.models import NotificationPreference
from people.models import Consent, Person
from referrals.models import Referral, ReferralEvent, ReferralMessage, ReferralState
from tests.directory.test_national import csv_file, row
from tests.factories import (
    AdvisorFactory,
    PersonFactory,
    ReferralFactory,
    StructureFactory,
    UserFactory,
    commune,
)

pytestmark = pytest.mark.django_db

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


# --- Person registration -----------------------------------------------------------------------


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


@pytest.mark.parametrize("field", ["first_name", "last_name", "phone", "email"])
@pytest.mark.parametrize("kind", list(TEXTS))
def test_person_registration_page_refuses_or_escapes(client, field, kind):
    user = social_worker_client(client)
    value = TEXTS[kind]
    before = (Person.objects.count(), Consent.objects.count())

    response = client.post(reverse("person_create"), registration(**{field: value}))

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        errors = response.context["form"].errors
        assert list(errors) == [field], errors  # refused for this field, nothing else
        for error in errors[field]:
            french(error)
        assert (Person.objects.count(), Consent.objects.count()) == before
        assert_escaped(response.content.decode(), value)
        return
    assert kind in MARKUP, f"{kind} stored in {field}"
    person = Person.objects.get(created_by=user)
    assert getattr(person, field) == value
    for url in (reverse("person_list"), reverse("person_detail", args=[person.pk])):
        assert_escaped(client.get(url).content.decode(), value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"birth_year": "-1951"},
        {"birth_year": "99999999999999999999999"},
        {"birth_year": "1951.5"},
        {"birth_year": SCRIPT},
        {"commune": "99999999999999999999999"},
        {"commune": SQL},
        {"commune": "-1"},
        {"commune": "Gramat" * 10_000},  # 60,000 characters: over SQLite's LIKE pattern limit
        {"preferred_channel": SCRIPT},
        {"consent_method": "'; DROP TABLE people_person; --"},
        {"share_identity": ""},
        {"first_name": ""},
        {"first_name": "   "},
    ],
    ids=lambda overrides: "-".join(f"{k}={v[:12]}" for k, v in overrides.items()),
)
def test_person_registration_page_refuses_junk_with_a_french_message(client, overrides):
    social_worker_client(client)
    response = client.post(reverse("person_create"), registration(**overrides))
    assert response.status_code == 200
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert Person.objects.count() == 0 and Consent.objects.count() == 0
    assert_escaped(response.content.decode(), SCRIPT)


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


@pytest.mark.parametrize(
    "overrides",
    [
        {"first_name": LONG},
        {"first_name": NUL},
        {"first_name": CONTROLS},
        {"last_name": "Del\u202epech"},
        {"first_name": ["Jo", "sette"]},
        {"first_name": {"$ne": ""}},
        {"first_name": None},
        {"first_name": ...},
        {"birth_year": -5},
        {"birth_year": 10**30},
        {"birth_year": "mil neuf cent"},
        {"birth_year": [1951]},
        {"commune": SQL},
        {"commune": ["46128"]},
        {"commune": {"insee": "46128"}},
        {"email": SCRIPT},
        {"phone": "0" * 500},
        {"preferred_channel": "pigeon"},
        {"share_identity": "peut-être"},
        {"share_identity": False},
        {"consent_method": None},
    ],
    ids=lambda overrides: "-".join(f"{k}={str(v)[:12]}" for k, v in overrides.items()),
)
def test_person_api_refuses_junk_with_a_french_message(overrides):
    user = UserFactory()
    response = api(user).post("/api/v1/persons/", person_json(**overrides), format="json")
    assert_refused_in_french(response)
    assert Person.objects.count() == 0 and Consent.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b'"Josette"', b"\xff\xfe\x00{", b"null", b"{" * 5000],
    ids=["truncated", "list", "string", "utf16", "null", "deep"],
)
def test_person_api_refuses_a_broken_body(body):
    user = UserFactory()
    response = api(user).post("/api/v1/persons/", body, content_type="application/json")
    assert_refused_in_french(response)
    assert Person.objects.count() == 0


@pytest.mark.parametrize("kind", list(MARKUP))
def test_person_api_keeps_markup_as_text_and_ignores_extra_fields(kind):
    user = UserFactory()
    response = api(user).post(
        "/api/v1/persons/",
        person_json(first_name=MARKUP[kind], structure=999, created_by=1, id=77),
        format="json",
    )
    assert response.status_code == 201, response.json()
    person = Person.objects.get()
    assert person.first_name == MARKUP[kind] and person.structure_id == user.structure_id


# --- Assessment --------------------------------------------------------------------------------


@pytest.fixture
def questionnaire():
    if QuestionnaireVersion.current() is None:
        questionnaire_load_file()


@pytest.mark.parametrize(
    "answers",
    [
        [],
        "yes",
        {"has_smartphone": ["yes"]},
        {"has_smartphone": {"nested": {"deep": True}}},
        {"has_smartphone": SCRIPT},
        {"has_smartphone": NUL},
        {"has_smartphone": LONG},
        {"max_travel_km": -5},
        {"max_travel_km": 10**30},
        {"max_travel_km": "1e400"},
        {"max_travel_km": SQL},
        {"transport": [SCRIPT]},
        {"procedure_due_date": "31/02/2026"},
        {"procedure_due_date": NUL},
        {"unknown_question": "yes"},
    ],
    ids=lambda answers: json.dumps(answers)[:30],
)
def test_assessment_api_refuses_junk_answers(questionnaire, answers):
    person = PersonFactory()
    client = api(person.created_by)
    response = client.post(
        "/api/v1/assessments/", {"person": person.pk, "answers": answers}, format="json"
    )
    assert_refused_in_french(response)
    assert Assessment.objects.count() == 0

    draft = client.post("/api/v1/assessments/", {"person": person.pk}, format="json")
    assert draft.status_code == 201
    response = client.patch(
        f"/api/v1/assessments/{draft.json()['id']}/", {"answers": answers}, format="json"
    )
    assert_refused_in_french(response)
    assert Assessment.objects.get().answers == {}


@pytest.mark.parametrize(
    "person", ["abc", -1, 10**30, [1], {"id": 1}, None], ids=lambda value: str(value)[:12]
)
def test_assessment_api_refuses_a_wrong_person(questionnaire, person):
    user = UserFactory()
    response = api(user).post("/api/v1/assessments/", {"person": person}, format="json")
    assert_refused_in_french(response)
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize("kind", list(TEXTS))
def test_assessment_steps_refuse_junk_with_a_french_message(client, questionnaire, kind):
    person = PersonFactory()
    client.force_login(person.created_by)
    created = client.post(reverse("assessment_create", args=[person.pk]))
    assert created.status_code == 302
    assessment = Assessment.objects.get()
    value = TEXTS[kind]
    data = {
        "version": str(assessment.version.number),
        "has_smartphone": value,
        "has_computer": [value, value],
        "internet_home": value,
        "data_enough": value,
    }
    response = client.post(reverse("assessment_step", args=[assessment.pk, 1]), data)
    assert response.status_code in (200, 302)
    html = client.get(reverse("assessment_step", args=[assessment.pk, 1])).content.decode()
    assert_escaped(html, value)
    assert_escaped(response.content.decode(), value)
    if response.status_code == 200:
        for error in page_errors(response) + list(_item_errors(response)):
            french(error)
    assessment.refresh_from_db()
    assert value not in json.dumps(assessment.answers)


def _item_errors(response):
    html = response.content.decode()
    return re.findall(r'class="error"[^>]*>([^<]+)<', html)


# --- Referrals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"step": "send", "needs": [SCRIPT], "advisor": "1"},
        {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": SQL},
        {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": "-1"},
        {"step": "send", "needs": [Service.ADMIN_PROCEDURES.value], "advisor": "9" * 30},
        {"step": "send", "needs": [], "advisor": "1"},
        {"step": "send", "needs": [LONG]},
        {"step": SCRIPT},
        {"step": "assessment", "needs": [NUL]},
        {"step": "\x00"},
    ],
    ids=lambda data: json.dumps(data)[:40],
)
def test_referral_send_page_refuses_junk(client, data):
    person = assessed_person()
    advisor = AdvisorFactory()
    data = {k: (str(advisor.pk) if v == "1" else v) for k, v in data.items()}
    client.force_login(person.created_by)
    response = client.post(reverse("referral_new", args=[person.pk]), data)
    assert response.status_code == 200
    assert Referral.objects.count() == 0
    assert_escaped(response.content.decode(), SCRIPT)
    for error in page_errors(response):
        french(error)


@pytest.mark.parametrize(
    "overrides",
    [
        {"person": "abc"},
        {"person": [1]},
        {"person": 10**30},
        {"needs": Service.ADMIN_PROCEDURES.value},
        {"needs": [{"nested": "object"}]},
        {"needs": [SCRIPT]},
        {"needs": []},
        {"needs": None},
        {"advisor": -1},
        {"advisor": SQL},
        {"advisor": ...},
        {"shared": "peut-être"},
    ],
    ids=lambda overrides: json.dumps(overrides, default=str)[:40],
)
def test_referral_api_refuses_junk(overrides):
    person = assessed_person()
    advisor = AdvisorFactory()
    data = {"person": person.pk, "advisor": advisor.pk, "needs": [Service.ADMIN_PROCEDURES.value]}
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not ...}
    response = api(person.created_by).post("/api/v1/referrals/", data, format="json")
    assert_refused_in_french(response)
    assert Referral.objects.count() == 0


def referral_pages(client, referral, users):
    """The pages that show what was written on a referral, for each side."""
    for user in users:
        client.force_login(user)
        yield client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
        yield client.get(reverse("referral_list")).content.decode()
        yield client.get(reverse("notification_list")).content.decode()


@pytest.mark.parametrize("action", ["decline", "cancel"])
@pytest.mark.parametrize("kind", list(TEXTS))
def test_decline_and_cancel_details_are_refused_or_escaped(client, action, kind):
    referral = ReferralFactory()
    actor = referral.advisor.user if action == "decline" else referral.referrer
    client.force_login(actor)
    value = TEXTS[kind]
    events = ReferralEvent.objects.count()

    response = client.post(
        reverse(f"referral_{action}", args=[referral.pk]), {"reason": "other", "detail": value}
    )

    referral.refresh_from_db()
    refused_on_its_page = action == "cancel" and kind in REFUSED  # the confirmation page
    assert response.status_code == (200 if refused_on_its_page else 302)
    if refused_on_its_page:
        assert_escaped(response.content.decode(), value)
    if kind in REFUSED:
        assert referral.state == ReferralState.SENT
        assert ReferralEvent.objects.count() == events
        errors = page_errors(response)
        assert errors
        for error in errors:
            french(error)
    else:
        assert referral.state != ReferralState.SENT
        assert getattr(referral, f"{action}_detail").strip() == value.strip()
    for html in referral_pages(client, referral, [referral.referrer, referral.advisor.user]):
        assert_escaped(html, value)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("decline", {"reason": SCRIPT}),
        ("decline", {"reason": ""}),
        ("decline", {"reason": "other", "detail": "   "}),
        ("cancel", {"reason": SQL}),
        ("cancel", {"reason": ["other", "other"]}),
        ("accept", {"appointment_at": "2026-13-45T99:99", "appointment_place": "x"}),
        ("accept", {"appointment_place": "9" * 30}),
        ("accept", {"appointment_at": LONG}),
    ],
    ids=lambda value: json.dumps(value)[:30] if isinstance(value, dict) else value,
)
def test_transition_forms_refuse_junk(client, action, data):
    referral = ReferralFactory()
    actor = referral.referrer if action == "cancel" else referral.advisor.user
    client.force_login(actor)
    response = client.post(reverse(f"referral_{action}", args=[referral.pk]), data)
    # A cancellation refused comes back on its confirmation page, with what was typed.
    assert response.status_code == (200 if action == "cancel" else 302)
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    page = response.content if action == "cancel" else client.get(response.url).content
    assert_escaped(page.decode(), SCRIPT)


@pytest.mark.parametrize("outcome", [SCRIPT, "", "completed'--", LONG, "\x00"])
def test_complete_refuses_an_unknown_outcome(client, outcome):
    referral = ReferralFactory(state=ReferralState.IN_PROGRESS)
    client.force_login(referral.advisor.user)
    response = client.post(reverse("referral_complete", args=[referral.pk]), {"outcome": outcome})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.IN_PROGRESS
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("decline", {"reason": "other", "detail": LONG}),
        ("decline", {"reason": "other", "detail": NUL}),
        ("decline", {"reason": ["other"]}),
        ("decline", {"reason": {"nested": 1}}),
        ("decline", {}),
        ("cancel", {"reason": SQL}),
        ("cancel", {"reason": "other", "detail": ["a", "b"]}),
        ("accept", {"appointment_at": "demain", "appointment_place": "x"}),
        ("accept", {"appointment_place": 10**30}),
        ("complete", {"outcome": SCRIPT}),
        ("start", {"first_meeting_at": [1, 2]}),
    ],
    ids=lambda value: json.dumps(value)[:30] if isinstance(value, dict) else value,
)
def test_transition_api_refuses_junk(action, data):
    state = ReferralState.IN_PROGRESS if action == "complete" else ReferralState.SENT
    if action == "start":
        state = ReferralState.ACCEPTED
    referral = ReferralFactory(state=state)
    actor = referral.referrer if action == "cancel" else referral.advisor.user
    response = api(actor).post(f"/api/v1/referrals/{referral.pk}/{action}/", data, format="json")
    assert_refused_in_french(response)
    referral.refresh_from_db()
    assert referral.state == state


@pytest.mark.parametrize("kind", list(TEXTS))
def test_messages_are_refused_or_escaped(client, kind):
    referral = ReferralFactory()
    client.force_login(referral.referrer)
    value = TEXTS[kind]
    response = client.post(reverse("referral_message", args=[referral.pk]), {"body": value})
    assert response.status_code == 302
    if kind in REFUSED:
        assert ReferralMessage.objects.count() == 0
        errors = page_errors(response)
        assert errors
        for error in errors:
            french(error)
    else:
        assert ReferralMessage.objects.get().body == value
    for html in referral_pages(client, referral, [referral.referrer, referral.advisor.user]):
        assert_escaped(html, value)


@pytest.mark.parametrize(
    "body", [{"body": LONG}, {"body": NUL}, {"body": ["a"]}, {"body": {"a": 1}}, {"body": ""}, {}]
)
def test_message_api_refuses_junk(body):
    referral = ReferralFactory()
    response = api(referral.referrer).post(
        f"/api/v1/referrals/{referral.pk}/messages/", body, format="json"
    )
    assert_refused_in_french(response)
    assert ReferralMessage.objects.count() == 0


# --- Consent -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"share_identity": "on", "method": SCRIPT},
        {"share_identity": "on", "method": SQL},
        {"share_identity": "", "method": "oral"},
        {"share_identity": "on", "method": ["oral", "written"]},
        {"share_identity": "on"},
        {"share_identity": NUL, "method": NUL},
    ],
    ids=lambda data: json.dumps(data)[:30],
)
def test_consent_recording_refuses_junk(client, data):
    person = PersonFactory()
    client.force_login(person.created_by)
    before = list(Consent.objects.values_list("pk", "revoked_at"))
    response = client.post(reverse("consent_record", args=[person.pk]), data)
    assert response.status_code == 302
    assert list(Consent.objects.values_list("pk", "revoked_at")) == before
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert_escaped(client.get(response.url).content.decode(), SCRIPT)


# --- Directory: entry forms --------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"capacity": "-5"},
        {"capacity": "9" * 30},
        {"capacity": SCRIPT},
        {"themes": [SCRIPT]},
        {"languages": [SQL]},
        {"home_visit_communes": ["abc"]},
        {"home_visit_communes": ["9" * 30]},
        {"places": [SQL]},
    ],
    ids=lambda overrides: json.dumps(overrides)[:30],
)
def test_advisor_entry_refuses_junk(client, overrides):
    advisor = AdvisorFactory()
    client.force_login(advisor.user)
    before = Advisor.objects.filter(pk=advisor.pk).values().get()
    data = {
        "themes": [Service.ADMIN_PROCEDURES.value],
        "support_formats": ["Accompagnement individuel"],
        "languages": ["fr"],
        "places": [advisor.places.get().pk],
        "capacity": "10",
    }
    data.update(overrides)
    response = client.post(reverse("directory_advisor", args=[advisor.pk]), data)
    assert response.status_code == 200
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert Advisor.objects.filter(pk=advisor.pk).values().get() == before
    assert_escaped(response.content.decode(), SCRIPT)


def place_data(**overrides):
    data = {
        "structure": StructureFactory(mediation=True).pk,
        "name": "Médiathèque de Gramat",
        "address": "1 place de la République",
        "postal_code": "46500",
        "commune": "46128",
        "latitude": "44.78",
        "longitude": "1.72",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("kind", list(TEXTS))
def test_place_form_refuses_or_escapes(client, kind):
    coordinator = UserFactory(coordinator=True)
    client.force_login(coordinator)
    value = TEXTS[kind]
    before = Place.objects.count()
    response = client.post(reverse("directory_place_new"), place_data(name=value, address=value))
    if response.status_code == 200:
        errors = response.context["form"].errors
        assert set(errors) <= {"name", "address"} and errors, errors
        for error in [e for field_errors in errors.values() for e in field_errors]:
            french(error)
        assert Place.objects.count() == before
        assert_escaped(response.content.decode(), value)
    else:
        assert response.status_code == 302 and kind in MARKUP
        assert Place.objects.filter(name=value).exists()
    for url in (reverse("directory_places"), reverse("directory_home")):
        assert_escaped(client.get(url).content.decode(), value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"latitude": "nan", "longitude": "inf"},
        {"latitude": "1e400", "longitude": "1"},
        {"latitude": "-91", "longitude": "1"},
        {"latitude": SQL},
        {"commune": "9" * 30},
        {"accessibility_url": "javascript:alert(1)"},
        {"postal_code": LONG},
    ],
    ids=lambda overrides: json.dumps(overrides)[:30],
)
def test_place_form_refuses_junk(client, overrides):
    client.force_login(UserFactory(coordinator=True))
    before = Place.objects.count()
    response = client.post(reverse("directory_place_new"), place_data(**overrides))
    assert response.status_code == 200
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert Place.objects.count() == before


# --- Directory: national import and export -----------------------------------------------------


def upload(client, content, name="lieux.csv"):
    """Uploads a file as the coordinator, runs the check the worker runs, returns the import."""
    before = Place.objects.count()
    file = SimpleUploadedFile(name, content)
    response = client.post(reverse("directory_imports"), {"file": file})
    assert response.status_code == 302
    created = DirectoryImport.objects.latest("pk")
    directory_import_check(import_id=created.pk)
    created.refresh_from_db()
    assert Place.objects.count() == before  # the check writes no place
    page = client.get(reverse("directory_import", args=[created.pk]))
    assert page.status_code == 200
    created.page = page.content.decode()
    return created


@pytest.fixture
def coordinator(client):
    user = UserFactory(coordinator=True)
    client.force_login(user)
    return user


def assert_file_refused(created, expected):
    assert created.status == DirectoryImport.Status.CHECKED
    assert not created.can_apply
    assert created.file_errors
    for error in created.file_errors:
        french(error)
    assert expected in " ".join(created.file_errors)
    assert expected.split(" ")[0] in created.page


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (csv_file([row(nom="Médiathèque")], bom=False).decode().encode("latin-1"), "UTF-8"),
        (csv_file([row()], bom=False).decode().encode("utf-16"), "UTF-8"),
        (bytes(range(256)) * 64, "UTF-8"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, "UTF-8"),
        (b"\x00" * 2000, "Colonnes"),
        (b"\xef\xbb\xbf", "vide"),
        (b'{"lieux": "pas une liste"}', "JSON"),
        (b"[1, 2, 3]", "JSON"),
        (b"[" * 100_000, "JSON"),
        (b'[{"id": "x"', "JSON"),
        (b"id;nom\n1;" + b"x" * 200_000 + b"\n", "Colonnes"),
        (csv_file([row(nom="x" * 200_000)]), "trop long"),
    ],
    ids=[
        "latin-1",
        "utf-16",
        "binary",
        "png",
        "nul-bytes",
        "bom-only",
        "json-not-list",
        "json-not-objects",
        "json-deep",
        "json-truncated",
        "csv-huge-cell-missing-columns",
        "csv-huge-cell",
    ],
)
def test_an_unreadable_file_is_refused_as_a_whole(client, coordinator, content, expected):
    created = upload(client, content)
    assert_file_refused(created, expected)


def test_an_empty_file_is_refused_at_once(client, coordinator):
    empty = SimpleUploadedFile("lieux.csv", b"")
    response = client.post(reverse("directory_imports"), {"file": empty})
    assert response.status_code == 200
    assert [french(error) for error in page_errors(response)]
    assert DirectoryImport.objects.count() == 0


def test_a_bom_and_utf8_text_are_read(client, coordinator):
    created = upload(client, csv_file([row(nom="Espace numérique — Zoé 👩🏽‍💻")], bom=True))
    assert created.can_apply and created.counts["create"] == 1


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"nom": "Mairie\x00"}, "contrôle"),
        ({"adresse": "1 rue\x1b[2J"}, "contrôle"),
        ({"nom": "x" * 10_000}, "dépasse"),
        ({"latitude": "nan", "longitude": "inf"}, "coordonnées"),
        ({"latitude": "1e400", "longitude": "1"}, "coordonnées"),
        ({"code_postal": SQL}, "code postal"),
        ({"courriels": SCRIPT}, "courriel"),
        ({"fiche_acces_libre": "javascript:alert(1)"}, "adresse web"),
        ({"date_maj": "2026-02-31"}, "date_maj"),
    ],
    ids=lambda value: json.dumps(value)[:30] if isinstance(value, dict) else value,
)
def test_a_bad_row_is_rejected_with_its_reason(client, coordinator, values, reason):
    created = upload(client, csv_file([row(), row(id="lieu-2", **values)]))
    assert not created.can_apply
    [rejected] = [r for r in created.report if r["action"] == national.REJECT]
    assert any(reason in french(error) for error in rejected["errors"]), rejected["errors"]
    assert "\x00" not in created.page and "\x1b" not in created.page


def test_markup_in_an_imported_file_is_shown_escaped(client, coordinator):
    created = upload(
        client, csv_file([row(nom=SCRIPT), row(id=ATTRIBUTE, nom=ATTRIBUTE, code_insee="99999")])
    )
    assert created.counts["create"] == 1
    assert_escaped(created.page, SCRIPT)
    assert_escaped(created.page, ATTRIBUTE)
    assert_escaped(
        client.get(reverse("directory_import", args=[created.pk]) + "?tout=1").content.decode(),
        SCRIPT,
    )


def test_a_json_file_with_wrong_types_is_reported_row_by_row(client, coordinator):
    rows = [
        row(),
        {**row(id="lieu-2"), "nom": {"nested": SCRIPT}, "latitude": [1, 2]},
        {**row(id="lieu-3"), "services": 42, "date_maj": None},
    ]
    created = upload(client, json.dumps(rows).encode(), name="lieux.json")
    assert created.counts["create"] == 1 and created.counts["reject"] == 2
    assert not created.can_apply
    assert_escaped(created.page, SCRIPT)


def test_a_10_mb_file_is_checked_with_a_clear_report(client, coordinator):
    filler = "Bibliothèque " * 1000  # 13 kB of text in an extra column, per row
    rows = [row(id=f"lieu-{n}", source=filler) for n in range(800)]
    content = csv_file(rows)
    assert len(content) > 10_000_000
    created = upload(client, content)
    assert created.file_errors == []
    assert created.counts["create"] == 800 and created.can_apply


def test_a_file_of_bad_rows_is_checked_and_nothing_is_stored(client, coordinator):
    # 50,000 rows take about a minute on SQLite; 2,000 show the same thing in seconds.
    rows = [row(id=f"lieu-{n}", code_postal="4650", code_insee="") for n in range(1_999)]
    created = upload(client, csv_file([row(), *rows]))
    assert created.counts["reject"] == 1_999 and not created.can_apply
    assert Place.objects.count() == 0
    refused = client.post(reverse("directory_import_apply", args=[created.pk]), follow=True)
    for error in page_errors(refused):
        french(error)
    assert Place.objects.count() == 0


FORMULAS = [
    "=cmd|' /C calc'!A0",
    '+HYPERLINK("http://evil.invalid","clic")',
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_csv_export_neutralises_formula_cells(client, coordinator, formula):
    place = Place.objects.create(
        structure=AdvisorFactory().structure,
        name=formula,
        address=formula,
        commune=commune("46128"),
        latitude=44.78,
        longitude=1.72,
        phone="+33 5 65 38 64 00",
    )
    content = client.get(reverse("directory_export_csv")).content.decode("utf-8-sig")
    cells = csv.DictReader(io.StringIO(content, newline=""), delimiter=";")
    exported = next(r for r in cells if r["id"] == f"pasip-{place.pk}")
    for column in ("nom", "adresse"):
        assert exported[column] == "'" + formula  # shown as text by a spreadsheet
    assert exported["telephone"] == "+33 5 65 38 64 00"  # a phone number is not a formula
    assert exported["longitude"] == "1.72"

    # Read back, the neutralised cell is the original text.
    [(_, record)] = [r for r in national.records_read(content) if r[1]["id"] == exported["id"]]
    assert record["nom"] == formula


def test_formula_cells_in_an_imported_file_are_kept_as_text(client, coordinator):
    created = upload(client, csv_file([row(nom=FORMULAS[0])]))
    assert created.can_apply
    assert FORMULAS[0].replace("'", "&#x27;") in created.page or FORMULAS[0] in created.page


# --- Notification preferences, statistics, login -----------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"mode": SCRIPT, "digest_hour": "8"},
        {"mode": "digest", "digest_hour": "25"},
        {"mode": "digest", "digest_hour": "-1"},
        {"mode": "digest", "digest_hour": "9" * 30},
        {"mode": "digest", "digest_hour": SQL},
        {"mode": NUL, "digest_hour": NUL},
        {},
    ],
    ids=lambda data: json.dumps(data)[:30],
)
def test_notification_preferences_refuse_junk(client, data):
    user = UserFactory()
    client.force_login(user)
    before = list(NotificationPreference.objects.values())
    response = client.post(reverse("notification_preferences"), data)
    assert response.status_code == 200
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert list(NotificationPreference.objects.values()) == before
    assert_escaped(response.content.decode(), SCRIPT)

    json_data = dict(data)
    if "digest_hour" in json_data and json_data["digest_hour"].lstrip("-").isdigit():
        json_data["digest_hour"] = int(json_data["digest_hour"])
    response = api(user).put("/api/v1/notifications/preferences/", json_data, format="json")
    assert_refused_in_french(response)
    assert list(NotificationPreference.objects.values()) == before


@pytest.mark.parametrize(
    "query",
    [
        {"du": SCRIPT, "au": ATTRIBUTE},
        {"du": "2026-13", "au": "0000-00"},
        {"du": "9999999-01"},
        {"du": "2026-05", "au": "2026-01"},
        {"annee": SCRIPT},
        {"annee": "9999999", "epci": "200067361", "type": "CCAS"},
        {"annee": NUL},
        {"epci": SQL, "type": SCRIPT, "besoin": ATTRIBUTE},
        {"epci": "9" * 30},
        {"du": NUL, "besoin": "\x1b"},
        {"page": "-1", "tout": LONG},
    ],
    ids=lambda query: json.dumps(query)[:30],
)
def test_statistics_filters_survive_junk(client, query):
    officer = UserFactory(officer=True)
    client.force_login(officer)
    home = client.get(reverse("stats_home"), query)
    assert home.status_code == 200
    assert_escaped(home.content.decode(), SCRIPT)
    assert_escaped(home.content.decode(), ATTRIBUTE)
    for error in page_errors(home):
        french(error)
    tables = client.get("/api/v1/stats/").json()["tables"]
    slugs = [table["slug"] for table in tables if table["slug"] != "territoire"]
    assert slugs
    for name in slugs[:3]:
        page = client.get(reverse("stats_indicator", args=[name]), query)
        assert page.status_code == 200
        assert_escaped(page.content.decode(), SCRIPT)
        exported = client.get(reverse("stats_csv", args=[name]), query)
        assert exported.status_code == 200
        table = api(officer).get(f"/api/v1/stats/{name}/", query)
        assert table.status_code in (200, 400)
        if table.status_code == 400:
            assert_refused_in_french(table)


@pytest.mark.parametrize("slug", [SQL.replace(" ", "-"), "x" * 500, "inconnu"])
def test_an_unknown_statistic_is_a_404(client, slug):
    client.force_login(UserFactory(officer=True))
    assert client.get(f"/statistiques/{slug}/").status_code == 404
    assert client.get(f"/api/v1/stats/{slug}/").status_code == 404


@pytest.mark.parametrize(
    ("username", "password"),
    [
        (LONG, LONG),
        (NUL, "mot de passe"),
        (SCRIPT, ATTRIBUTE),
        (SQL, "' OR '1'='1"),
        ("agent", "\x00"),
        ("", ""),
    ],
    ids=["long", "nul", "markup", "sql", "nul-password", "empty"],
)
def test_login_refuses_junk_in_french(client, username, password):
    UserFactory(username="agent")
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    errors = page_errors(response)
    assert errors
    for error in errors:
        french(error)
    assert_escaped(response.content.decode(), SCRIPT)
    assert_escaped(response.content.decode(), ATTRIBUTE)


# --- Raw requests: wrong encodings, oversized bodies ------------------------------------------


def test_a_form_posted_in_latin_1_is_read_without_an_error(client):
    user = social_worker_client(client)
    body = "&".join(
        f"{key}={value}"
        for key, value in {
            **registration(first_name="Jos%E9phine", last_name="Delpech%00%FF"),
            "commune": "46128",
        }.items()
    )
    response = client.post(
        reverse("person_create"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200  # the NUL byte refuses the last name
    assert list(response.context["form"].errors) == ["last_name"]
    assert not Person.objects.filter(created_by=user).exists()


def test_an_oversized_form_is_refused_with_a_french_page(client):
    referral = ReferralFactory()
    client.force_login(referral.referrer)
    response = client.post(
        reverse("referral_message", args=[referral.pk]), {"body": "x" * 5_000_000}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and 'lang="fr"' in html
    assert ReferralMessage.objects.count() == 0


def test_an_oversized_api_body_is_refused_in_french():
    user = UserFactory()
    body = json.dumps(person_json(first_name="x" * 5_000_000))
    response = api(user).post("/api/v1/persons/", body, content_type="application/json")
    assert_refused_in_french(response)
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/matching/", {"commune": "Z\x00³", "needs": [Service.ADMIN_PROCEDURES.value]}),
        ("/api/v1/persons/", {"commune": "Z\x00³"}),
    ],
    ids=["matching", "person"],
)
def test_a_nul_character_in_a_commune_code_is_refused_in_french(path, body):
    # What the API fuzzing sent once: PostgreSQL refuses to compare with a NUL (a 500 then).
    user = UserFactory()
    response = api(user).post(path, body, format="json")
    assert_refused_in_french(response)
    assert response.status_code == 400 and "commune" in response.json()["errors"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/referrals/?code=LOT-%00",
        "/api/v1/communes/?q=%00",
        "/api/v1/communes/46%00/",
        "/api/v1/referrals/?%00=1",
    ],
)
def test_a_nul_character_in_an_api_address_is_a_400_in_french(url):
    response = api(UserFactory()).get(url)
    assert_refused_in_french(response)
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["Gramat" * 10_000, "x" * 101])
def test_a_commune_search_too_long_is_refused_in_french_before_the_query(query):
    response = api(UserFactory()).get("/api/v1/communes/", {"q": query})
    assert_refused_in_french(response)
    assert api(UserFactory()).get("/api/v1/communes/", {"q": "Gram"}).json()["count"] == 1


INVISIBLE = {
    "zero-width space": "Jo\u200bsette",
    "right-to-left mark": "Delpech\u200f",
    "arabic letter mark": "Jo\u061csette",
    "word joiner": "Jo\u2060sette",
    "byte-order mark": "\ufeffJosette",
    "right-to-left isolate": "Jo\u2067sette\u2069",
}


@pytest.mark.parametrize("value", list(INVISIBLE.values()), ids=list(INVISIBLE))
def test_invisible_and_bidirectional_characters_are_refused_in_names(client, value):
    social_worker_client(client)
    response = client.post(reverse("person_create"), registration(last_name=value))
    assert response.status_code == 200
    for error in response.context["form"].errors["last_name"]:
        french(error)
    assert Person.objects.count() == 0
    response = api(UserFactory()).post(
        "/api/v1/persons/", person_json(first_name=value), format="json"
    )
    assert_refused_in_french(response)
    assert Person.objects.count() == 0


@pytest.mark.parametrize("value", list(INVISIBLE.values()), ids=list(INVISIBLE))
def test_invisible_and_bidirectional_characters_are_refused_in_messages(client, value):
    referral = ReferralFactory()
    client.force_login(referral.referrer)
    response = client.post(reverse("referral_message", args=[referral.pk]), {"body": value})
    assert response.status_code == 302
    assert [french(error) for error in page_errors(response)]
    response = api(referral.referrer).post(
        f"/api/v1/referrals/{referral.pk}/messages/", {"body": value}, format="json"
    )
    assert_refused_in_french(response)
    response = api(referral.advisor.user).post(
        f"/api/v1/referrals/{referral.pk}/decline/",
        {"reason": "other", "detail": value},
        format="json",
    )
    assert_refused_in_french(response)
    assert ReferralMessage.objects.count() == 0
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT
