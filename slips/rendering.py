"""The referral slip (fiche de liaison) as a PDF, rendered by WeasyPrint from a template."""

from functools import cache

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration


@cache
def font_configuration():
    # One per process: a new one per render keeps growing memory.
    return FontConfiguration()


def local_url_fetcher(url, *args, **kwargs):
    """No remote fetch at render time: only data: URLs (the slip embeds what it needs)."""
    from weasyprint.urls import default_url_fetcher

    if not url.startswith("data:"):
        raise ValueError(f"refused to fetch {url!r} while rendering a slip")
    return default_url_fetcher(url, *args, **kwargs)


def slip_html(referral):
    return render_to_string("slips/slip.html", {"referral": referral})


def slip_pdf(referral):
    document = HTML(string=slip_html(referral), url_fetcher=local_url_fetcher)
    return document.write_pdf(font_config=font_configuration())
