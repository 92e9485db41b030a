"""gunicorn's settings for the web process (read from the working directory at start-up)."""

import gunicorn.http.wsgi

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"

# Every response names its server: not gunicorn and its version, which would tell an attacker
# which flaws to try.
gunicorn.http.wsgi.SERVER = "PASIP"
