"""What the slip computes: coming permanences, things to bring; what it refuses: remote fetches,
endless renders; what it warns about: a missing HarfBuzz subsetter."""

import base64
import contextlib
import io
import time
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import qrcode
from PIL import Image

from assessments.wording import constraint_lines
from directory.enums import Service
from slips import checks, content
from slips.content import french_day, next_permanences
from slips.rendering import FONTS_DIR, SlipTimeout, local_url_fetcher, time_limit
from slips.wording import things_to_bring

PARIS = ZoneInfo("Europe/Paris")


def permanence(weekday, start, end, place="Médiathèque"):
    from datetime import time as clock

    return SimpleNamespace(weekday=weekday, start=clock(start), end=clock(end), place=place)


def test_next_permanences_skip_past_hours_public_holidays_and_absences():
    tuesday, friday = permanence(1, 9, 12), permanence(4, 14, 17)
    # Tuesday 22 December 2026, 13 h: this morning's permanence is over; 25 December is a holiday.
    now = datetime(2026, 12, 22, 13, tzinfo=PARIS)
    days = [o.day for o in next_permanences([tuesday, friday], now=now)]
    assert days == [date(2026, 12, 29), date(2027, 1, 5), date(2027, 1, 8)]
    away = [(date(2026, 12, 28), date(2027, 1, 6))]
    days = [o.day for o in next_permanences([tuesday, friday], now=now, absences=away)]
    assert days == [date(2027, 1, 8), date(2027, 1, 12), date(2027, 1, 15)]


def test_dates_are_said_in_french():
    assert french_day(date(2026, 12, 1)) == "mardi 1er décembre"
    assert french_day(date(2027, 1, 15), year=True) == "vendredi 15 janvier 2027"


def test_what_to_bring_follows_the_needs():
    assert things_to_bring([]) == [
        "Cette fiche",
        "Une pièce d'identité (carte d'identité, passeport ou titre de séjour)",
    ]
    admin = things_to_bring([Service.ADMIN_PROCEDURES])
    assert "Votre téléphone portable et son chargeur" in admin
    assert "Les courriers reçus pour votre démarche" in admin
    assert "Votre RIB (relevé d'identité bancaire)" in admin
    equipment = things_to_bring([Service.EQUIPMENT_PURCHASE])
    assert "Un justificatif de ressources (attestation CAF ou avis d'impôt)" in equipment
    assert "Votre téléphone portable et son chargeur" not in equipment
    both = things_to_bring([Service.EMPLOYMENT, Service.EVERYDAY_TOOLS])
    assert len(both) == len(set(both))  # each thing once


def test_the_qr_code_carries_the_code_and_nothing_else(monkeypatch):
    content.qr_code_data_url.cache_clear()
    seen = []
    real_add_data = qrcode.QRCode.add_data
    monkeypatch.setattr(
        qrcode.QRCode,
        "add_data",
        lambda self, data, **kw: seen.append(data) or real_add_data(self, data, **kw),
    )
    url = content.qr_code_data_url("LOT-ABC123")
    assert seen == ["LOT-ABC123"]
    png = base64.b64decode(url.removeprefix("data:image/png;base64,"))
    assert Image.open(io.BytesIO(png)).size == (21 + 4, 21 + 4)  # 21 modules, a border of 2


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/font.ttf",
        "http://127.0.0.1:8000/static/x.png",
        "file:///etc/passwd",
        f"file://{FONTS_DIR}/../../../../rendering.py",
        "ftp://example.org/x",
    ],
)
def test_the_fetcher_refuses_anything_but_data_and_the_shipped_fonts(url):
    with pytest.raises(ValueError):
        local_url_fetcher.fetch(url)


def test_the_fetcher_reads_data_urls_and_the_shipped_fonts():
    assert local_url_fetcher.fetch("data:text/plain,bonjour").read() == b"bonjour"
    font = local_url_fetcher.fetch((FONTS_DIR / "DejaVuSans.ttf").as_uri())
    assert font.read(4) == b"\x00\x01\x00\x00"  # a TrueType font


def test_the_time_limit_interrupts_a_long_render_and_lets_a_short_one_finish():
    with pytest.raises(SlipTimeout), time_limit(0.05):
        while True:
            time.sleep(0.001)
    with time_limit(5):
        total = sum(range(1000))
    time.sleep(0.1)  # nothing is delivered after the block
    assert total == 499500


def test_the_time_limit_holds_even_when_its_interruption_is_swallowed():
    # Python drops an exception raised while it runs a callback (a garbage collector hook, a
    # destructor): the render then finishes, and the limit must still be reported.
    finished = False
    with pytest.raises(SlipTimeout), time_limit(0.02):
        deadline = time.monotonic() + 0.2
        while time.monotonic() < deadline:
            with contextlib.suppress(BaseException):  # the interpreter losing it
                time.sleep(0.001)
        finished = True
    assert finished
    time.sleep(0.05)  # and nothing is left pending for later


def test_a_missing_harfbuzz_subsetter_is_a_warning(monkeypatch, caplog):
    assert checks.check_harfbuzz_subset() == []  # installed here, in CI and in the image
    monkeypatch.setattr(checks, "harfbuzz_subset_available", lambda: False)
    [warning] = checks.check_harfbuzz_subset()
    assert warning.id == "slips.W001" and "libharfbuzz-subset0" in warning.msg
    checks.warn_if_harfbuzz_subset_missing()
    assert "libharfbuzz-subset0 is missing" in caplog.text


def test_the_time_limit_never_lets_its_exception_escape_whatever_the_timing():
    outcomes = set()
    for attempt in range(300):
        try:
            with time_limit((attempt % 7) / 5000):
                sum(range(2000))
            outcomes.add("done")
        except SlipTimeout:
            outcomes.add("timeout")
    time.sleep(0.05)
    assert outcomes <= {"done", "timeout"}


def test_the_advisors_page_says_the_constraints_in_words_not_codes():
    lines = constraint_lines(
        {
            "support_mode": "faire_avec",
            "constraints": {
                "max_travel_km": 15,
                "uses_bus": True,
                "languages": ["fr", "ar"],
                "french_level": "basic",
                "half_days": ["tu-am"],
            },
        }
    )
    assert "Parle français : avec quelques difficultés" in lines
    assert "Disponible : mardi matin" in lines
    assert not any(code in " ".join(lines) for code in ("basic", "tu-am", "faire_avec"))
