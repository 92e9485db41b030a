import io
import subprocess

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from directory.enums import Service

SUMMARY = "Besoin d'aide pour déclarer ses revenus en ligne. Elle peut se déplacer en bus."


@pytest.fixture(autouse=True)
def empty_slip_cache():
    """Slips are cached in the test database's cache table (rolled back with each test; in a
    transactional test its entries stay, under keys of referrals and versions that no other
    test makes); the process's own cache is emptied here."""
    cache.clear()
    yield
    cache.clear()


def pdf_text(pdf):
    """The text of each page as poppler reads it, in reading order, lines joined by spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for number in range(1, len(reader.pages) + 1):
        result = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        )
        pages.append(" ".join(result.stdout.decode().split()))
    return pages


@pytest.fixture
def profile():
    return {
        "needs": [
            {"category": Service.ADMIN_PROCEDURES.value, "priority": 1},
            {"category": Service.EVERYDAY_TOOLS.value, "priority": 2},
        ],
        "support_mode": "faire_avec",
        "urgent": True,
        "due_date": "2026-12-15",
        "constraints": {
            "max_travel_km": 15,
            "has_car": False,
            "uses_bus": True,
            "home_visit": False,
            "remote_phone": True,
            "remote_video": False,
            "languages": ["fr", "ar"],
            "french_level": "",
            "specific_needs": [],
            "half_days": ["tu-am", "th-pm"],
        },
        "summary": SUMMARY,
    }
