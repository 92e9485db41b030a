"""The production settings, read as a deployment reads them (a process of their own)."""

import json
import subprocess
import sys

from django.conf import settings

CODE = """
import json
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps([database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"], settings.DEBUG]))
"""


def production(**environment):
    env = {
        "DJANGO_SETTINGS_MODULE": "pasip.settings.prod",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "pasip.example.org",
        "DATABASE_URL": "postgres://pasip@db.example.org:5432/pasip",
        "PATH": "/usr/bin:/bin",
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", CODE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_web_process_keeps_its_database_connection_between_requests():
    assert production() == [60, True, False]
    assert production(DJANGO_CONN_MAX_AGE="0")[0] == 0


def test_a_worker_started_without_a_settings_module_reads_the_production_settings():
    """As the web process does (pasip/wsgi.py): a worker is never left on development's."""
    code = "import os, worker.celery; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "pasip.settings.prod"
