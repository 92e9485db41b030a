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


def late_server(port, delay):
    """A web server that starts answering 200 only after `delay` seconds, as runserver does."""
    code = (
        "import http.server, time\n"
        f"time.sleep({delay})\n"
        "class Handler(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        self.send_response(200); self.end_headers(); self.wfile.write(b'ok')\n"
        "    def log_message(self, *args):\n"
        "        pass\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), Handler).serve_forever()\n"
    )
    return [sys.executable, "-c", code]


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_product_is_said_up_only_once_its_web_server_answers(tmp_path):
    port = free_port()
    supervisor = run.Supervisor(env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path, out=io.StringIO())
    supervisor.start("web server", late_server(port, 1.5), restart=False)
    try:
        started = time.monotonic()
        assert run.answering(f"http://127.0.0.1:{port}/healthz", supervisor, timeout=30)
        assert time.monotonic() - started >= 1.5
    finally:
        run.stop([process for process, *_rest in supervisor.processes.values()])


def test_a_web_server_that_stops_before_answering_is_not_said_up(tmp_path):
    supervisor = run.Supervisor(env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path, out=io.StringIO())
    supervisor.start("web server", [sys.executable, "-c", "raise SystemExit(2)"], restart=False)
    try:
        url = f"http://127.0.0.1:{free_port()}/healthz"
        assert run.answering(url, supervisor, timeout=30) is False
    finally:
        run.stop([process for process, *_rest in supervisor.processes.values()])
