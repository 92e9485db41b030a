"""The assessment in Chromium with the keyboard alone: left in the middle, resumed, validated.

Each step, the error state and the summary are checked with axe-core: no serious or critical
violation. The time taken to answer the whole questionnaire is printed (`-s` shows it).
"""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe

from assessments.models import Assessment
from assessments.services import questionnaire_load_file
from tests.assessments.answers import DEFINITION, JOSETTE
from tests.browser.chromium import chromium_page, log_in
from tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


@pytest.fixture
def page(live_server, territory):
    """A tablet held in landscape, with touch."""
    with chromium_page(
        live_server.url, viewport={"width": 1024, "height": 768}, has_touch=True
    ) as page:
        yield page


def assert_accessible(page, where):
    violations = AXE.run(page).response["violations"]
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{where}: {serious}"


def tab_to(page, selector):
    """Presses Tab until the focused element matches `selector`."""
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus")


def answer_with_keyboard(page, item, value):
    name = f'input[name="{item["key"]}"]'
    if item["type"] in ("number", "date"):
        tab_to(page, name)
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
    elif item["type"] == "multi":
        for one in value:
            tab_to(page, f'{name}[value="{one}"]')
            if not page.evaluate("() => document.activeElement.checked"):
                page.keyboard.press("Space")
    else:
        tab_to(page, name)  # the group's checked radio, or its first one
        values = page.eval_on_selector_all(name, "inputs => inputs.map(i => i.value)")
        current = page.evaluate("() => document.activeElement.value")
        moves = values.index(value) - values.index(current)
        if moves == 0:
            page.keyboard.press("Space")
        for _ in range(abs(moves)):
            page.keyboard.press("ArrowRight" if moves > 0 else "ArrowLeft")


def answer_step(page, area, answers):
    for item in area["items"]:
        if item["key"] in answers:
            answer_with_keyboard(page, item, answers[item["key"]])
    tab_to(page, 'button[value="next"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_an_assessment_with_the_keyboard_alone(page, capsys):
    questionnaire_load_file()  # the flush of an earlier transactional test removed it
    person = PersonFactory(first_name="Josette", last_name="Delpech")
    user = person.created_by
    log_in(page, user)
    page.goto(f"/personnes/{person.pk}/orienter/")
    assert_accessible(page, "page du diagnostic")

    started = time.perf_counter()
    checking = 0.0
    tab_to(page, "main button")
    assert page.evaluate("() => document.activeElement.textContent") == "Commencer le diagnostic"
    page.keyboard.press("Enter")
    page.wait_for_url("**/etape/1/")
    areas = DEFINITION["areas"]
    mark = time.perf_counter()
    assert_accessible(page, "étape 1")  # as first shown, before any error
    checking += time.perf_counter() - mark

    # A missing answer: the step comes back with the question named, nothing lost.
    answers = {k: v for k, v in JOSETTE.items() if k != "internet_home"}
    answer_step(page, areas[0], answers)
    assert page.get_by_role("alert").filter(has_text="Choisissez une réponse.").is_visible()
    assert page.locator('input[name="has_smartphone"][value="yes"]').is_checked()
    mark = time.perf_counter()
    assert_accessible(page, "étape 1 avec une erreur")
    checking += time.perf_counter() - mark
    answer_step(page, areas[0], JOSETTE)

    for step, area in enumerate(areas[1:3], start=2):
        assert page.get_by_role("heading", level=1).inner_text().startswith(f"Étape {step} sur 8")
        mark = time.perf_counter()
        assert_accessible(page, f"étape {step}")
        checking += time.perf_counter() - mark
        answer_step(page, area, JOSETTE)

    # Leaving in the middle (after step 3), then coming back to the person.
    page.goto("/personnes/")
    page.goto(f"/personnes/{person.pk}/orienter/")
    tab_to(page, "a.button")
    assert page.evaluate("() => document.activeElement.textContent") == "Reprendre le diagnostic"
    page.keyboard.press("Enter")
    page.wait_for_url("**/etape/4/")
    assessment = Assessment.objects.get()
    assert assessment.answers["franceconnect"] == "cannot"

    for step, area in enumerate(areas[3:], start=4):
        assert (
            page.get_by_role("heading", level=1)
            .inner_text()
            .startswith(f"Étape {step} sur 8 : {area['title']}")
        )
        mark = time.perf_counter()
        assert_accessible(page, f"étape {step}")
        checking += time.perf_counter() - mark
        answer_step(page, area, JOSETTE)

    page.wait_for_url("**/recapitulatif/")
    assert page.get_by_text("Besoin d'aide pour faire ses démarches administratives").is_visible()
    mark = time.perf_counter()
    assert_accessible(page, "récapitulatif")
    checking += time.perf_counter() - mark
    tab_to(page, "main form button")
    assert page.evaluate("() => document.activeElement.textContent") == "Valider le diagnostic"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/personnes/{person.pk}/orienter/")
    elapsed = time.perf_counter() - started - checking

    assert page.get_by_text("Diagnostic validé le").is_visible()
    assessment.refresh_from_db()
    assert assessment.is_validated
    assert assessment.needs_profile.top_priority_categories == [
        "Aide aux démarches administratives"
    ]
    assert assessment.answers["max_travel_km"] == 15
    assert assessment.answers["half_days"] == ["tu-am", "th-pm"]
    assert_accessible(page, "diagnostic validé")
    with capsys.disabled():
        print(f"\nDiagnostic complet au clavier : {elapsed:.1f} s (hors contrôles axe-core)")
