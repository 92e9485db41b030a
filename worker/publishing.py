"""Publishing a task from a web request: a broker outage is never an error page.

After commit the row that says what is to be done (a notification, an import) is already saved;
publishing only tells a worker. If the broker is down, kombu gives up after a fraction of a
second with `OperationalError` (or a socket error, a timeout): the caller logs it, leaves the row
in the state its beat sweep looks for, and the request goes on.
"""

# Tried twice within a fraction of a second, never longer: a web request must not hang on a
# broker outage (the sweeps publish again later).
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.1, "interval_max": 0.2}


def publish(task, *args):
    """Publishes `task(*args)`; False when the broker refused or could not be reached."""
    try:
        task.apply_async(args, retry=True, retry_policy=PUBLISH_RETRY)
    except Exception:  # kombu's OperationalError, a socket error, a timeout…
        return False
    return True
