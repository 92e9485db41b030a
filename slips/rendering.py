"""The referral slip (fiche de liaison) as a PDF, rendered by WeasyPrint from a template.

Rendering is on demand and cached in the `slips` cache, which the web and worker processes
share (the database's cache table unless `PASIP_SLIP_CACHE_URL` says otherwise): the key is the
slip's version (`versions.slip_version`, one query over everything the slip prints), so a
change of anything printed (state, appointment, consent, assessment, directory, coming
permanences) makes a new version and a stale slip is never served. The slip's context is built
only when its version is not in the cache. When a referral is sent, and after each change that
leaves it open (acceptance and appointment, first meeting, a new consent), a worker renders both
variants (`tasks.prerender_slips`), so the print page opened then is read from the cache.
"""

import ctypes
import gc
import hashlib
import json
import threading
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from pasip.errors import ApplicationError
from referrals.models import Referral

from .content import SLIP_RELATIONS, Variant, qr_code_data_url, slip_context
from .versions import slip_version

TEMPLATE = "slips/slip.html"
STYLESHEET = "slips/slip.css"
FONTS_DIR = Path(__file__).resolve().parent / "static" / "slips" / "fonts"
CACHE_SECONDS = 24 * 3600
# The slip is tagged (PDF/UA-1) for screen readers; WeasyPrint renders our layout correctly so.
PDF_VARIANT = "pdf/ua-1"


class SlipTimeout(ApplicationError):
    status = 503
    code = "slip_timeout"


@cache
def font_configuration():
    # One per process: a new one per render keeps growing memory.
    return FontConfiguration()


class LocalURLFetcher(URLFetcher):
    """No remote fetch at render time: data: URLs and the fonts shipped with the app only."""

    def fetch(self, url, headers=None):
        if url.startswith("data:") or _is_shipped_font(url):
            return super().fetch(url, headers)
        raise ValueError(f"refused to fetch {url!r} while rendering a slip")


def _is_shipped_font(url):
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    return Path(unquote(parts.path)).resolve().is_relative_to(FONTS_DIR)


local_url_fetcher = LocalURLFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def _font_urls(for_pdf):
    names = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
    if for_pdf:
        return {key: (FONTS_DIR / name).as_uri() for key, name in names.items()}
    return {key: static(f"slips/fonts/{name}") for key, name in names.items()}


@cache
def slip_stylesheet(variant):
    """The slip's style for the PDF, parsed once per process and variant (its fonts loaded
    once into the process's font configuration): parsing it is a tenth of a rendering."""
    context = {"large": variant == Variant.LARGE, "fonts": _font_urls(for_pdf=True)}
    return CSS(
        string=render_to_string(STYLESHEET, context),
        font_config=font_configuration(),
        url_fetcher=local_url_fetcher,
    )


def _context(referral, variant, now):
    with translation.override("fr"):
        return slip_context(referral, variant=variant, now=now)


def _render_html(context, *, preview=False, print_now=False):
    context = {
        **context,
        "qr_code": qr_code_data_url(context["code"]),
        "preview": preview,
        "print_now": print_now,
        "fonts": _font_urls(for_pdf=not preview),
    }
    with translation.override("fr"):
        return render_to_string(TEMPLATE, context)


def slip_html(
    referral, *, variant=Variant.NORMAL, preview=False, print_now=False, now=None, rows=None
):
    """The slip's HTML: for WeasyPrint, or (preview) for the browser, from the one template.

    The browser's page is cached as the PDF is: the referral's fields are read only when
    this version of the page is not in the cache."""
    if not preview:
        loaded = referral if isinstance(referral, Referral) else _slip_referral(referral)
        return _render_html(_context(loaded, variant, now))
    now = now or timezone.now()

    def render(loaded):
        context = _context(loaded, variant, now)
        return _render_html(context, preview=True, print_now=print_now)

    return _cached(referral, variant, now, preview_kind(print_now), render, rows)[1]


def render_pdf(html, variant=Variant.NORMAL):
    """HTML to a tagged PDF with the variant's style, within the configured time limit.

    The garbage collector waits for the end: a rendering makes some 100,000 short-lived
    objects, and a dozen collections in its middle made one slip in ten much slower.
    """
    document = HTML(string=html, url_fetcher=local_url_fetcher)
    stylesheets = [slip_stylesheet(variant)]
    collecting = gc.isenabled()
    gc.disable()
    try:
        with time_limit(settings.PASIP_SLIP_TIME_LIMIT):
            return document.write_pdf(
                stylesheets=stylesheets, font_config=font_configuration(), pdf_variant=PDF_VARIANT
            )
    finally:
        if collecting:
            gc.enable()


def slip_pdf(referral, *, variant=Variant.NORMAL, now=None, rows=None):
    """(version, PDF bytes): rendered on demand, from the cache when this version exists.

    `referral` is a Referral or its id (the slip reads its fields itself, and only on a miss);
    `rows`, its `versions.printed_rows` if just read.
    """
    now = now or timezone.now()

    def render(loaded):
        return render_pdf(_render_html(_context(loaded, variant, now)), variant)

    return _cached(referral, variant, now, "pdf", render, rows)


def slip_cache():
    return caches["slips"]


def slip_key(referral_id, version, kind):
    return f"slip:{referral_id}:{kind}:{version}"


def preview_kind(print_now):
    """The browser's page links to static files and pages: their addresses are in its key."""
    links = [get_script_prefix(), static("slips/print.js"), *_font_urls(for_pdf=False).values()]
    digest = hashlib.sha256(json.dumps(links).encode()).hexdigest()[:16]
    return f"html-{'print' if print_now else 'view'}-{digest}"


def _slip_referral(referral):
    pk = getattr(referral, "pk", referral)
    return Referral.objects.select_related(*SLIP_RELATIONS).get(pk=pk)


def _cached(referral, variant, now, kind, render, rows=None):
    """(version, slip) from the cache, or rendered by `render(referral loaded afresh)` and
    cached. Kept only if the version is the same after the rendering as before: a change
    in the middle is never cached under the older version (the slip is served, uncached,
    with no version)."""
    pk = getattr(referral, "pk", referral)
    version = slip_version(pk, variant, now, rows=rows)
    if version is None:
        raise Referral.DoesNotExist(f"no referral {pk}")
    key = slip_key(pk, version, kind)
    slip = slip_cache().get(key)
    if slip is not None:
        return version, slip
    slip = render(_slip_referral(pk))
    if slip_version(pk, variant, now) != version:
        return None, slip
    slip_cache().set(key, slip, CACHE_SECONDS)
    return version, slip


def slips_prerender(referral_id):
    """Renders both variants of a referral's slip into the shared cache (PDF and print page),
    so the print page and the PDFs are ready when the referral page offers them."""
    now = timezone.now()
    for variant in Variant.ALL:
        slip_pdf(referral_id, variant=variant, now=now)
        slip_html(referral_id, variant=variant, preview=True, print_now=True, now=now)


class _Expired(BaseException):
    """Raised inside the rendering thread when its time is up (not an Exception: nothing in
    WeasyPrint swallows it)."""


@contextmanager
def time_limit(seconds):
    """Interrupt the block if it runs longer than `seconds`; raise SlipTimeout then.

    Works in any thread (the development server and gunicorn's threads alike), unlike
    SIGALRM: the exception is delivered to this thread at its next Python instruction.
    """
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"running": True, "expired": False}

    def expire():
        with lock:
            if state["running"]:
                state["expired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread_id), ctypes.py_object(_Expired)
                )

    message = _("La fiche n'a pas pu être préparée à temps. Réessayez dans un instant.")
    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    try:
        try:
            timer.start()  # with a short limit, the timer may fire before start() returns
            yield
        finally:
            with lock:
                state["running"] = False
            # An interruption still pending lands in this call (a Python function: the
            # interpreter checks for one on entering it), inside the `try`.
            timer.cancel()
    except _Expired:
        raise SlipTimeout(message) from None
    if state["expired"]:
        # Delivered while the interpreter ran a callback (a garbage collector hook, a
        # destructor), the interruption was reported as unraisable and lost. (Clearing a
        # pending one with `PyThreadState_SetAsyncExc(id, NULL)` is no answer: on Python 3.11
        # it leaves the interpreter checking for one at every call from then on.)
        raise SlipTimeout(message)
