"""Slip benchmark: ms per slip cold and cached, memory over 200 renders, ratio to a bare page.

    .venv/bin/python bench/slip.py [--renders 200] [--database-url postgres://…]

Creates the database `pasip_slip_bench` afresh (PostgreSQL on 127.0.0.1:5432 by default),
one referral with an assessment (two pages: the person's and the advisor's) and one whose
person did not consent to share it (one page), then measures in this one process:
- after the web process's warm-up (`pasip/warmup.py`: views imported, fonts, `gc.freeze()`),
- cold: the referral looked up as the slip's views do (visibility), then the whole `slip_pdf`
  (version query, referral and context queries, template, QR code, WeasyPrint, version read
  again, cache write) with the caches emptied beforehand (not timed);
- cached: the same lookup and `slip_pdf` for the same version (the version query, then the
  shared `slips` cache's read: the database's cache table unless PASIP_SLIP_CACHE_URL says
  otherwise); likewise the print page (`slip_html`, preview) once cached;
- memory: resident set size before and after `--renders` cold renders;
- the ratio of a cold slip to a one-paragraph page rendered by WeasyPrint in the same run,
  and the share of CPU time the hypervisor gave to other guests meanwhile (a virtual machine's
  "steal": on a shared host, times can double with no change of code; see also
  bench/slip_instructions.py, which counts instructions instead).
Targets: p95 under 60 ms cold (with HarfBuzz subsetting), under 5 ms cached, memory growth
under 10 MiB over 200 renders. Prints the figures and writes bench/results/slip.txt.
"""

import argparse
import gc
import os
import statistics
import sys
import time

import common

ROOT, RESULTS = common.ROOT, common.RESULTS
DATABASE = "pasip_slip_bench"


def prepare_database(url):
    if url.endswith(f"/{DATABASE}"):
        common.database_recreate(DATABASE)
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="pasip.settings.test",
        CELERY_BROKER_URL="memory://",
        PASIP_LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from territory.services import territory_load

    call_command("migrate", verbosity=0)
    territory_load()


def make_referral(*, share_assessment=True):
    """A two-page slip: consent to share the assessment, two needs, two permanences (one page
    when the person did not consent to share the assessment)."""
    from directory.enums import Service
    from tests.factories import consented_referral

    needs = [Service.ADMIN_PROCEDURES.value, Service.EVERYDAY_TOOLS.value]
    profile = {
        "needs": [{"category": need, "priority": rank} for rank, need in enumerate(needs, 1)],
        "support_mode": "faire_avec",
        "urgent": True,
        "due_date": "2026-12-15",
        "constraints": {"max_travel_km": 15, "uses_bus": True, "half_days": ["tu-am"]},
        "summary": "Besoin d'aide pour déclarer ses revenus en ligne. "
        "Elle peut se déplacer jusqu'à 15 km en bus.",
    }
    return consented_referral(
        profile=profile, needs=needs, weekdays=(1, 3), share_assessment=share_assessment
    )


def fresh(referral):
    """The referral as the slip's views look it up for its referrer (the visibility rule, the
    code and the person for the access log), so that each measure includes that query."""
    from slips.views import slip_referrals

    return slip_referrals(referral.referrer).get(pk=referral.pk)


def timed(function, count, before=None):
    timings = []
    for _ in range(count):
        if before:
            before()
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def rss_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def paragraph_page():
    """The yardstick: a one-paragraph page, WeasyPrint alone, with the slip's font
    configuration, URL fetcher and PDF variant."""
    from weasyprint import HTML

    from slips.rendering import PDF_VARIANT, font_configuration, local_url_fetcher

    html = HTML(string='<html lang="fr"><p>Bonjour.</p></html>', url_fetcher=local_url_fetcher)
    return html.write_pdf(font_config=font_configuration(), pdf_variant=PDF_VARIANT)


def cpu_ticks():
    """(stolen, total) CPU ticks of the machine so far: on a virtual machine, "steal" is the
    time the hypervisor gave the CPUs to other guests while this one had work to do."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    stolen = fields[7] if len(fields) > 7 else 0
    return stolen, sum(fields[:8])


def summary(name, timings):
    ordered = sorted(timings)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"{name:<34} n={len(timings):<4} median {statistics.median(timings):7.2f} ms   "
        f"p95 {p95:7.2f} ms   max {ordered[-1]:7.2f} ms",
        statistics.median(timings),
        p95,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--database-url", default=f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
    args = parser.parse_args()
    prepare_database(args.database_url)
    from pasip.warmup import warm_up

    warm_up()  # what pasip/wsgi.py does in each web process before its first request

    import weasyprint
    from django.conf import settings
    from django.core.cache import caches

    from slips import content
    from slips.checks import harfbuzz_subset_available
    from slips.content import Variant
    from slips.rendering import PDF_VARIANT, slip_html, slip_pdf

    referral = make_referral()
    one_page = make_referral(share_assessment=False)
    cache = caches["slips"]

    def empty():
        cache.clear()
        content.qr_code_data_url.cache_clear()

    def cold(variant=Variant.NORMAL, referral=referral):
        return slip_pdf(fresh(referral), variant=variant)

    def cached():
        return slip_pdf(fresh(referral))

    def cached_print_page():
        return slip_html(fresh(referral), preview=True, print_now=True)

    for _ in range(10):  # warm-up: imports, fonts loaded once per process
        empty()
        cold()
        cold(Variant.LARGE)
        cached_print_page()
        paragraph_page()
    empty()
    pages = {variant: cold(variant)[1] for variant in Variant.ALL}

    lines = [
        f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f} "
        "(other processes share the machine: compare the ratio, not only the times)",
        f"WeasyPrint {weasyprint.__version__}, {PDF_VARIANT}, HarfBuzz subsetting: "
        f"{'yes' if harfbuzz_subset_available() else 'NO (libharfbuzz-subset0 missing)'}",
        f"database: {args.database_url.rsplit('@', 1)[-1]}; slip sizes: "
        + ", ".join(f"{variant} {len(pdf) / 1024:.0f} KiB" for variant, pdf in pages.items()),
        f"slips cache: {type(cache).__name__} ({settings.CACHES['slips'].get('LOCATION', '')})",
    ]
    results = {}
    stolen_before, total_before = cpu_ticks()
    for name, function, count, before in (
        ("paragraph page (WeasyPrint only)", paragraph_page, 50, None),
        ("slip cold, normal (2 pages)", cold, 60, empty),
        ("slip cold, normal (1 page)", lambda: cold(referral=one_page), 60, empty),
        ("slip cold, large print", lambda: cold(Variant.LARGE), 60, empty),
        ("slip cached", cached, 500, None),
        ("print page cached", cached_print_page, 500, None),
    ):
        line, median, p95 = summary(name, timed(function, count, before))
        results[name] = (median, p95)
        lines.append(line)
    stolen_after, total_after = cpu_ticks()
    stolen = (stolen_after - stolen_before) / max(1, total_after - total_before)
    lines.append(
        f"CPU time given by the hypervisor to other guests during these measures: {stolen:.0%}"
    )

    gc.collect()
    before = rss_mib()
    for index in range(args.renders):
        empty()
        cold(Variant.ALL[index % 2])
    gc.collect()
    after = rss_mib()
    lines.append(
        f"memory over {args.renders} cold renders: {before:.1f} MiB -> {after:.1f} MiB "
        f"(growth {after - before:+.1f} MiB)"
    )
    ratio = (
        results["slip cold, normal (2 pages)"][0] / results["paragraph page (WeasyPrint only)"][0]
    )
    lines.append(f"ratio slip cold / one-paragraph page (medians): {ratio:.1f}")
    lines.append(f"load average at end {os.getloadavg()[0]:.1f}")
    cold_p95 = results["slip cold, normal (2 pages)"][1]
    cached_p95 = results["slip cached"][1]
    lines.append(
        "targets: cold p95 < 60 ms {} ; cached p95 < 5 ms {} ; growth < 10 MiB {}".format(
            "met" if cold_p95 < 60 else "MISSED",
            "met" if cached_p95 < 5 else "MISSED",
            "met" if after - before < 10 else "MISSED",
        )
    )
    report = "\n".join(lines) + "\n"
    print(report, end="")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "slip.txt").write_text(report)


if __name__ == "__main__":
    main()
