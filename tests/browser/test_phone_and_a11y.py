"""The twelve main pages on a phone (390 × 844), in Chromium, logged in as each demo role.

On each: no horizontal scroll (a wide table scrolls in its own frame, a labelled region the
keyboard reaches), no duplicate id, no aria-describedby or aria-labelledby naming a
missing id, no label reading "(facultatif) (facultatif)", no option or label "---------", no
serious axe-core violation; the statistics' maps have a visible title. The footer's pages pass
axe-core on a phone and on a desktop.
"""

from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from assessments.models import Assessment
from people.models import Person
from referrals.models import Referral, ReferralState
from stats.services import stats_refresh
from tests.browser.chromium import chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
PHONE = {"width": 390, "height": 844}

CHECKS = """() => {
  const ids = [...document.querySelectorAll('[id]')].map(element => element.id);
  const duplicates = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
  const dangling = [];
  for (const attribute of ['aria-describedby', 'aria-labelledby']) {
    for (const element of document.querySelectorAll(`[${attribute}]`)) {
      for (const id of element.getAttribute(attribute).split(/\\s+/)) {
        if (id && !document.getElementById(id)) dangling.push(`${attribute}=${id}`);
      }
    }
  }
  const texts = [...document.querySelectorAll('label, option, legend')]
    .map(element => element.textContent.replace(/\\s+/g, ' ').trim());
  const wide = [...document.querySelectorAll('body *')]
    .filter(element => element.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(element => !element.closest('.scroll'))
    .slice(0, 5)
    .map(element => `${element.tagName.toLowerCase()}.${element.className}`);
  const unnamedRegions = [...document.querySelectorAll('main table')]
    .filter(table => table.scrollWidth > table.parentElement.clientWidth + 1)
    .filter(table => {
      const box = table.parentElement;
      const labelledBy = document.getElementById(box.getAttribute('aria-labelledby') || '');
      const named = (labelledBy && labelledBy.textContent.trim()) || box.getAttribute('aria-label');
      return !(box.classList.contains('scroll') && box.getAttribute('role') === 'region'
               && box.tabIndex === 0 && named);
    })
    .map(table => table.querySelector('caption')?.textContent || table.className);
  return {
    unnamedRegions,
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide,
    duplicates,
    dangling,
    doubleOptional: texts.filter(text => /\\(facultatif\\)\\s*\\(facultatif\\)/.test(text)),
    dashes: texts.filter(text => text.includes('---------')),
  };
}"""


def check_phone_page(page, where):
    found = page.evaluate(CHECKS)
    assert found["scrollWidth"] <= found["innerWidth"], (where, found["wide"])
    assert not found["unnamedRegions"], (where, found["unnamedRegions"])
    assert not found["duplicates"], (where, found["duplicates"])
    assert not found["dangling"], (where, found["dangling"])
    assert not found["doubleOptional"], (where, found["doubleOptional"])
    assert not found["dashes"], (where, found["dashes"])
    # Every help text under a field is what the field's aria-describedby names.
    for help_id in page.locator(".field .help[id]").evaluate_all("els => els.map(e => e.id)"):
        assert page.locator(f'[aria-describedby~="{help_id}"]').count() == 1, (where, help_id)


def assert_accessible(page, where):
    violations = AXE.run(page).response["violations"]
    serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{where}: {serious}"


def log_in_demo(page, username):
    page.goto("/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(settings.PASIP_DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/connexion/" not in url)


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/")


@pytest.fixture
def phone(live_server, territory):
    with chromium_page(live_server.url, viewport=PHONE, has_touch=True) as page:
        yield page


def test_the_twelve_main_pages_fit_a_phone_and_link_their_help_texts(phone):
    page = phone
    call_command("load_demo", "--apply-deadlines", stdout=StringIO())
    stats_refresh()
    social_worker = User.objects.get(username="travailleur.social")
    referral = (
        Referral.objects.filter(referrer=social_worker, state=ReferralState.SENT)
        .exclude(assessment=None)
        .select_related("person")
        .order_by("-sent_at")
        .first()
    )
    person = referral.person
    seen = []
    # No inline style nor script may be refused by the Content-Security-Policy (style-src
    # 'self'): Chromium reports each refusal on the console.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def visit(url, where):
        page.goto(url)
        check_phone_page(page, where)
        assert_accessible(page, where)
        seen.append(where)

    visit("/connexion/", "connexion")
    log_in_demo(page, "travailleur.social")
    visit("/personnes/", "liste des personnes")
    visit(f"/personnes/{person.pk}/", "fiche de la personne")
    visit("/personnes/nouvelle/", "nouvelle personne")
    visit(f"/diagnostics/{referral.assessment_id}/recapitulatif/", "synthèse du diagnostic")
    visit(f"/orientations/{referral.pk}/", "fiche de l'orientation")
    # The slip's print page: its inline stylesheet allowed by its hash, and applied.
    page.goto(reverse("referral_slip_preview", args=[referral.pk]))
    assert page.locator(".toolbar").evaluate("e => getComputedStyle(e).display") != "inline"
    # The suggestions: from the person's validated assessment.
    validated = Assessment.objects.validated_for(person)
    assert validated is not None
    page.goto(f"/personnes/{person.pk}/orienter/")
    page.get_by_role("button", name="Voir les conseillers").click()
    page.wait_for_load_state()
    check_phone_page(page, "suggestions")
    assert_accessible(page, "suggestions")
    seen.append("suggestions")
    # A new assessment for a new person: each of its steps.
    newcomer = Person.objects.create(
        first_name="Josette",
        last_name="Delpech",
        birth_year=1951,
        commune=person.commune,
        structure=social_worker.structure,
        created_by=social_worker,
    )
    page.goto(f"/personnes/{newcomer.pk}/orienter/")
    page.get_by_role("button", name="Commencer le diagnostic").click()
    page.wait_for_url("**/etape/1/")
    draft = Assessment.objects.get(person=newcomer)
    for step in range(1, len(draft.questionnaire.areas) + 1):
        visit(f"/diagnostics/{draft.pk}/etape/{step}/", f"diagnostic, étape {step}")
    log_out(page)

    log_in_demo(page, "conseiller")
    visit("/orientations/", "orientations reçues")
    # Its table is wider than a phone: it scrolls in its own labelled frame, whole words kept.
    region = page.get_by_role("region", name="Orientations, les plus récentes d'abord")
    assert region.is_visible() and region.get_attribute("tabindex") == "0"
    assert page.locator("th", has_text="Personne").bounding_box()["width"] > 60
    visit(f"/orientations/{referral.pk}/", "orientation reçue")
    log_out(page)

    log_in_demo(page, "coordination")
    visit("/coordination/", "tableau de coordination")
    escalated = page.locator(".board-counts li", has_text="Signalée, sans réponse").inner_text()
    assert not escalated.endswith(": 0"), escalated
    visit("/annuaire/", "annuaire")
    visit("/statistiques/", "statistiques")
    # Each map has a title one can see, not only one for screen readers.
    figures = page.locator("figure:has(svg.carte)")
    assert figures.count() == 3
    for index in range(figures.count()):
        caption = figures.nth(index).locator("figcaption")
        assert caption.is_visible() and caption.inner_text().strip()
    log_out(page)

    log_in_demo(page, "pilotage")
    visit("/statistiques/", "statistiques (pilotage)")
    assert len(seen) >= 12 + 7
    assert refused == []


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}])
def test_the_footer_pages_pass_axe_on_a_phone_and_a_desktop(live_server, territory, viewport):
    with chromium_page(live_server.url, viewport=viewport) as page:
        page.goto("/connexion/")
        footer = page.get_by_role("contentinfo")
        for name, title in (
            ("Mentions légales", "Mentions légales"),
            ("Politique de confidentialité", "Politique de confidentialité"),
            ("Accessibilité : partiellement conforme", "Déclaration d'accessibilité"),
            ("Aide et contact", "Aide et contact"),
        ):
            page.goto("/connexion/")
            footer.get_by_role("link", name=name).click()
            page.wait_for_load_state()
            assert page.locator("h1").inner_text() == title
            check_phone_page(page, name)
            assert_accessible(page, name)
