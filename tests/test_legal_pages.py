"""The footer's four pages: public, in French, with real content; and on every page."""

import re

import pytest
from django.urls import reverse

from tests.factories import PersonFactory, UserFactory, consented_referral

FOOTER_LINKS = {
    "/mentions-legales/": "Mentions légales",
    "/confidentialite/": "Politique de confidentialité",
    "/accessibilite/": "Accessibilité : partiellement conforme",
    "/aide/": "Aide et contact",
}


def footer_links(html):
    footers = re.findall(r"<footer\b.*?</footer>", html, flags=re.S)
    assert len(footers) == 1, "one footer per page"
    return {
        href: re.sub(r"\s+", " ", text).strip()
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', footers[0], flags=re.S)
    }


def assert_footer(response):
    html = response.content.decode()
    links = footer_links(html)
    for href, text in FOOTER_LINKS.items():
        assert links.get(href) == text, (response.request["PATH_INFO"], links)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/mentions-legales/",
            ["Département du Lot", "Directeur de la publication", "Hébergement", "Cookies"],
        ),
        (
            "/confidentialite/",
            [
                "Responsable du traitement",
                "Département du Lot",
                "dpo@lot.fr",
                "mission d'intérêt public",
                "24 mois après la clôture de sa dernière orientation",
                "12 mois, puis suppression automatique",
                "retirer votre consentement",
                "CNIL",
                "3 place de Fontenoy",
            ],
        ),
        (
            "/accessibilite/",
            [
                "RGAA",
                "version 4.1",
                "partiellement conforme",
                "Non-conformités connues",
                "accessibilite.numerique@lot.fr",
                "Défenseur des droits",
                "Libre réponse 71120",
            ],
        ),
        ("/aide/", ["Premiers pas", "Qui contacter", "pasip-numerique@lot.fr"]),
    ],
)
def test_legal_pages_open_without_login_in_french(client, url, expected):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    for text in expected:
        assert text in html, text
    assert "lorem" not in html.lower()
    assert_footer(response)


@pytest.mark.django_db
def test_privacy_policy_states_the_periods_the_retention_jobs_use(client, settings):
    settings.PASIP_RETENTION_MONTHS = 36
    settings.PASIP_ACCESS_LOG_MONTHS = 6

    html = client.get(reverse("privacy")).content.decode()

    assert "36 mois après la clôture de sa dernière orientation" in html
    assert "6 mois, puis suppression automatique" in html
    assert "24 mois" not in html


def pages_of_each_role():
    """(user or None, url): the pages of the product as each role opens them."""
    referral = consented_referral(profile={"categories": {}, "summary": ""})
    person = referral.person
    social_worker = person.created_by
    advisor = referral.advisor.user
    coordinator = UserFactory(coordinator=True)
    officer = UserFactory(officer=True)
    escalated = consented_referral()
    escalated.escalated_at = escalated.sent_at
    escalated.save()
    draft_person = PersonFactory(created_by=social_worker)
    declined = consented_referral(declined=True)
    return [
        (None, reverse("login")),
        (None, "/page-qui-n-existe-pas/"),
        *((None, url) for url in FOOTER_LINKS),
        (social_worker, reverse("person_list")),
        (social_worker, reverse("person_create")),
        (social_worker, reverse("person_detail", args=[person.pk])),
        (social_worker, reverse("referral_new", args=[draft_person.pk])),
        (social_worker, reverse("referral_list")),
        (social_worker, reverse("referral_detail", args=[referral.pk])),
        (social_worker, reverse("notification_list")),
        (social_worker, "/aide/"),
        (advisor, reverse("referral_list")),
        (advisor, reverse("referral_detail", args=[referral.pk])),
        (advisor, reverse("directory_my_entry")),
        (advisor, reverse("directory_advisor", args=[referral.advisor.pk])),
        (advisor, reverse("directory_place", args=[referral.advisor.places.get().pk])),
        (advisor, reverse("notification_preferences")),
        (coordinator, reverse("coordinator_board")),
        (coordinator, reverse("referral_reroute", args=[declined.pk])),
        (coordinator, reverse("directory_home")),
        (coordinator, reverse("directory_place_new")),
        (coordinator, reverse("directory_places")),
        (coordinator, reverse("person_access_log")),
        (coordinator, reverse("stats_home")),
        (officer, reverse("stats_home")),
        (officer, reverse("person_list")),  # refused: the error page has the footer too
    ]


@pytest.mark.django_db
def test_every_page_has_the_footer_with_the_four_links(client):
    seen = set()
    for user, url in pages_of_each_role():
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        seen.add(response.status_code)
        assert_footer(response)
    assert seen == {200, 403, 404}


@pytest.mark.django_db
def test_the_demo_login_page_shows_the_first_five_minutes_and_production_does_not(client, settings):
    html = client.get(reverse("login")).content.decode()
    assert "Démonstration : les cinq premières minutes" in html
    for login in ("travailleur.social", "conseiller", "coordination", "pilotage"):
        assert f"<strong>{login}</strong>" in html
    assert html.count("<li>", html.index("cinq premières minutes")) >= 7

    del settings.PASIP_DEMO_PASSWORD  # as in production: no demo logins, no guide
    html = client.get(reverse("login")).content.decode()
    assert "cinq premières minutes" not in html
    assert "demo-pasip-2026" not in html


def ids_and_references(html):
    ids = re.findall(r'\sid="([^"]+)"', html)
    references = [
        name
        for attribute in ("aria-describedby", "aria-labelledby", "for")
        for value in re.findall(rf'\s{attribute}="([^"]*)"', html)
        for name in value.split()
    ]
    return ids, references


@pytest.mark.django_db
def test_no_page_shows_dashes_or_a_doubled_optional_or_a_dangling_reference(client):
    for user, url in pages_of_each_role():
        client.logout()
        if user is not None:
            client.force_login(user)
        html = client.get(url, follow=True).content.decode()
        assert "---------" not in html, url
        assert not re.search(r"\(facultatif\)\s*\(facultatif\)", html), url
        ids, references = ids_and_references(html)
        assert len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
        assert set(references) <= set(ids), (url, set(references) - set(ids))
