"""A web process warms up before its first request: views imported, fonts ready, start-up
objects frozen out of the garbage collector's full passes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, sys
import pasip.wsgi
from slips.rendering import font_configuration
print(gc.get_freeze_count() > 10000, "slips.views" in sys.modules,
      font_configuration.cache_info().currsize)
"""


def test_the_wsgi_application_warms_up_and_freezes_what_start_up_allocated():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pasip.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "True", "1"]
