#!/usr/bin/env python3
"""Runs PASIP numérique with no external server, or its tests.

    python3 run.py          # the product: web server + Celery worker and beat, demo data
    python3 run.py test     # the test suite (extra arguments go to pytest)

Creates .venv and installs the project when needed (again whenever pyproject.toml changes).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
VAR = ROOT / "var"
STAMP = VENV / ".installed-from"


def ensure_venv():
    if sys.version_info[:2] != (3, 11):
        python311 = shutil.which("python3.11")
        if python311 and not os.environ.get("PASIP_REEXEC"):
            # `python3` is another version here: the same command, on Python 3.11 (this very
            # file, by its path: no shell, no user input).
            os.environ["PASIP_REEXEC"] = "1"
            this_file = str(Path(__file__).resolve())
            os.execv(python311, [python311, this_file, *sys.argv[1:]])  # noqa: S606 (see above)
        sys.exit("PASIP numérique runs on Python 3.11: install it (python3.11) and run again.")
    if not (BIN / "python").exists():
        print("Creating the virtual environment in .venv …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    if not STAMP.exists() or STAMP.read_bytes() != pyproject:
        print("Installing the project and its pinned dependencies …", flush=True)
        pip = [
            str(BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ]
        subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True, cwd=ROOT)
        STAMP.write_bytes(pyproject)


def manage(*args, env):
    subprocess.run([str(BIN / "python"), "manage.py", *args], check=True, cwd=ROOT, env=env)


def run_product():
    port = os.environ.get("PASIP_PORT", "8000")
    env = {
        "PASIP_SITE_URL": f"http://127.0.0.1:{port}",
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pasip.settings.dev",
    }
    for folder in ("broker/processed", "mail"):
        (VAR / folder).mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("load_territory", env=env)
    # The deadline sweep (hourly under beat) once now, so that the coordinator's board shows
    # the referrals escalated or expired since the demo was loaded.
    manage("load_demo", "--apply-deadlines", env=env)
    web = [str(BIN / "python"), "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    worker = [
        str(BIN / "celery"),
        *("-A", "worker", "worker", "-B", "--loglevel=INFO", "--concurrency=2"),
        *("--schedule", str(VAR / "celerybeat-schedule")),
    ]
    supervisor = Supervisor(env=env)
    supervisor.start("web server", web, restart=False)
    supervisor.start("Celery worker", worker, restart=True)
    if not answering(f"http://127.0.0.1:{port}/healthz", supervisor):
        print("The web server did not answer; stopping.", file=sys.stderr)
        stop([process for process, *_rest in supervisor.processes.values()])
        sys.exit(1)
    print(
        f"\nPASIP numérique is up in {time.monotonic() - started:.1f} s: http://127.0.0.1:{port}/\n"
        "Demo logins (password demo-pasip-2026): travailleur.social, conseiller, coordination,"
        " pilotage, admin\nE-mails are written to var/mail/ and to this console."
        " Ctrl-C stops everything.\n",
        flush=True,
    )
    supervisor.run()


def answering(url, supervisor, *, timeout=120, poll=0.2):
    """Waits until `url` answers 200 (the product is up only once it serves a page): False if a
    process stops for good or `timeout` seconds go by first."""
    from urllib.error import URLError
    from urllib.request import urlopen

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not supervisor.check():
            return False
        try:
            with urlopen(url, timeout=2) as response:  # noqa: S310 (a local http address of ours)
                if response.status == 200:
                    return True
        except (URLError, OSError):
            pass
        time.sleep(poll)
    return False


class Supervisor:
    """Runs the product's processes: one that stops with `restart` is started again, with a
    line on the console (a worker dying never takes the web server down), at most
    `MAX_RESTARTS` times a minute; one without `restart` stopping stops them all. Ctrl-C, or a
    TERM/HUP from a supervisor of our own, stops every process started here."""

    MAX_RESTARTS = 5

    def __init__(self, *, env, cwd=ROOT, out=None):
        self.env, self.cwd, self.out = env, cwd, out or sys.stderr
        self.processes = {}  # name -> [process, command, restart, restart times]

    def start(self, name, command, *, restart):
        process = subprocess.Popen(command, cwd=self.cwd, env=self.env, start_new_session=True)
        entry = self.processes.setdefault(name, [None, command, restart, []])
        entry[0] = process
        return process

    def check(self):
        """Restarts what stopped and may be; returns False once something else stopped."""
        for name, (process, command, restart, restarts) in self.processes.items():
            code = process.poll()
            if code is None:
                continue
            now = time.monotonic()
            restarts[:] = [at for at in restarts if now - at < 60]
            if not restart or len(restarts) >= self.MAX_RESTARTS:
                print(f"The {name} stopped (exit code {code}); stopping the others.", file=self.out)
                return False
            restarts.append(now)
            print(f"The {name} stopped (exit code {code}); starting it again.", file=self.out)
            self.start(name, command, restart=restart)
        return True

    def run(self, poll=0.5):
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, interrupt)
        try:
            while self.check():
                time.sleep(poll)
        except KeyboardInterrupt:
            pass
        finally:
            stop([process for process, *_rest in self.processes.values()])


def interrupt(signum, frame):
    raise KeyboardInterrupt


def stop(processes):
    for process in processes:
        if process.poll() is None:
            process.terminate()  # the main process stops its own children (Celery's pool)
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# Tests that need a program from Debian's packages: marker, program, package.
SYSTEM_TOOLS = [
    ("browser", "chromium", "chromium"),
    ("redis_server", "redis-server", "redis-server"),
    ("poppler", "pdftotext", "poppler-utils"),
    ("poppler", "pdftoppm", "poppler-utils"),
]


def markers_deselected(args, markers):
    """pytest's `args` with the tests marked `markers` left out. A `-m` of the user's
    (`-m "not slow"`) is kept and combined with it: pytest would only read the last one."""
    ours = " and ".join(f"not {marker}" for marker in markers)
    rest, theirs = [], None
    args = list(args)
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":  # what follows is not an option
            rest += args[index:]
            break
        if arg == "-m" and index + 1 < len(args):
            theirs = args[index + 1]
            index += 2
            continue
        if arg.startswith("-m") and len(arg) > 2:
            theirs = arg[2:]
        else:
            rest.append(arg)
        index += 1
    expression = f"({theirs}) and {ours}" if theirs else ours
    return ["-m", expression, *rest]


def run_tests(args):
    pytest_args = list(args)
    missing = [
        (marker, package) for marker, program, package in SYSTEM_TOOLS if not shutil.which(program)
    ]
    if missing and os.environ.get("PASIP_REQUIRE_ALL_TOOLS"):
        sys.exit(f"Missing Debian packages: {' '.join(sorted({p for _m, p in missing}))}")
    if missing:
        markers = sorted({marker for marker, _package in missing})
        packages = " ".join(sorted({package for _marker, package in missing}))
        print(
            f"NOTE: the tests marked {', '.join(markers)} are NOT run: they need"
            f" `apt-get install {packages}`.",
            flush=True,
        )
        pytest_args = markers_deselected(pytest_args, markers)
    # The test settings, whatever the shell says (a production image sets its own).
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pasip.settings.test"}
    result = subprocess.run([str(BIN / "pytest"), *pytest_args], cwd=ROOT, env=env)
    sys.exit(result.returncode)


if __name__ == "__main__":
    ensure_venv()
    if sys.argv[1:2] == ["test"]:
        run_tests(sys.argv[2:])
    else:
        run_product()
