"""What the benchmarks share: the project's paths and a PostgreSQL database made afresh."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POSTGRES = ["-h", "127.0.0.1", "-U", "postgres"]


def database_url(name):
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def use_database(name, *, redis_db):
    """Points this process's Django at the database `name` (or `PASIP_BENCH_DATABASE_URL`),
    with the test settings, quiet logs and the project importable; returns the URL."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    url = os.environ.get("PASIP_BENCH_DATABASE_URL", database_url(name))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CELERY_BROKER_URL", f"redis://127.0.0.1:6379/{redis_db}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "pasip.settings.test"
    os.environ.setdefault("PASIP_LOG_LEVEL", "WARNING")
    return url


def database_recreate(name):
    """Drops the database `name` if it exists (closing its connections) and creates it empty."""
    subprocess.run(["dropdb", *POSTGRES, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *POSTGRES, name], check=True)


def database_create(name, env, *, territory=True):
    """`name` afresh with the schema and, unless told otherwise, the Lot's territory (or, given
    département codes, theirs from the national files); the commands run in a child process
    with `env` (whose DATABASE_URL names the database)."""
    database_recreate(name)
    load = ["load_territory", *([] if territory is True else territory)]
    commands = [["migrate", "-v", "0"], *([load] if territory else [])]
    for command in commands:
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
