"""Start-up check: WeasyPrint subsets the slip's fonts with HarfBuzz when Debian's
libharfbuzz-subset0 is there, about ten times faster than its pure-Python fallback."""

import logging

from django.core.checks import Warning

logger = logging.getLogger("slips")

MISSING_HARFBUZZ_SUBSET = (
    "libharfbuzz-subset0 is missing: slips will render about ten times slower "
    "(apt-get install libharfbuzz-subset0)."
)


def harfbuzz_subset_available():
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def check_harfbuzz_subset(app_configs=None, **kwargs):
    if harfbuzz_subset_available():
        return []
    return [Warning(MISSING_HARFBUZZ_SUBSET, id="slips.W001")]


def warn_if_harfbuzz_subset_missing():
    """Also logged, for servers that start without running the system checks (gunicorn)."""
    if not harfbuzz_subset_available():
        logger.warning(MISSING_HARFBUZZ_SUBSET)
