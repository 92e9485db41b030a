"""`python3 run.py`'s supervision: a worker that dies is started again with a line on the
console, and the web server keeps serving; a web server that stops stops everything. Real
processes stand for the web server and the worker."""

import io
import sys
import time

import run

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def dies_once(marker):
    """A process that exits with code 3 the first time, then runs (as a worker restarted)."""
    code = (
        "import pathlib, sys, time\n"
        f"marker = pathlib.Path({str(marker)!r})\n"
        "if not marker.exists():\n"
        "    marker.touch()\n"
        "    sys.exit(3)\n"
        "time.sleep(60)\n"
    )
    return [sys.executable, "-c", code]


def test_a_worker_that_dies_is_started_again_and_the_web_server_keeps_running(tmp_path):
    console = io.StringIO()
    supervisor = run.Supervisor(env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path, out=console)
    web = supervisor.start("web server", SLEEPER, restart=False)
    first = supervisor.start("Celery worker", dies_once(tmp_path / "died"), restart=True)
    try:
        first.wait(timeout=20)
        assert supervisor.check() is True
        assert "The Celery worker stopped (exit code 3); starting it again." in console.getvalue()
        second = supervisor.processes["Celery worker"][0]
        assert second is not first
        time.sleep(0.5)
        assert supervisor.check() is True
        assert second.poll() is None and web.poll() is None

        web.terminate()
        web.wait(timeout=10)
        assert supervisor.check() is False  # the web server stopping stops everything
        assert "The web server stopped" in console.getvalue()
    finally:
        run.stop([process for process, *_rest in supervisor.processes.values()])
    assert all(process.poll() is not None for process, *_ in supervisor.processes.values())


def test_a_worker_dying_again_and_again_is_given_up_after_five_restarts_a_minute(tmp_path):
    console = io.StringIO()
    supervisor = run.Supervisor(env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path, out=console)
    supervisor.start("web server", SLEEPER, restart=False)
    supervisor.start("Celery worker", [sys.executable, "-c", "raise SystemExit(1)"], restart=True)
    try:
        results = []
        for _ in range(7):
            supervisor.processes["Celery worker"][0].wait(timeout=20)
            results.append(supervisor.check())
            if not results[-1]:
                break
        assert results == [True] * 5 + [False]
        assert console.getvalue().count("starting it again") == 5
    finally:
        run.stop([process for process, *_rest in supervisor.processes.values()])
