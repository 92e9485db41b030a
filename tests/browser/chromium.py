"""Debian's Chromium driven by Playwright (no browser download), and the login steps."""

import os
from contextlib import contextmanager

from django.db import connections

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium_page(base_url, **context_options):
    """A page of a fresh French browser context on `base_url` (`context_options`: a viewport,
    touch, downloads…)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself between two browser steps are synchronous and safe. While that loop runs, Django
    # keeps them on a database connection of their own, closed here before the loop ends (left
    # open, it kept the test database from being dropped at the end of the run).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                context = browser.new_context(base_url=base_url, locale="fr-FR", **context_options)
                yield context.new_page()
                browser.close()
            finally:
                connections.close_all()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def log_in(page, user):
    page.goto("/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
