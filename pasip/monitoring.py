"""Error reporting to Sentry (sentry-sdk), optional: on when a DSN is configured."""


def sentry_init(dsn, *, environment):
    """Starts Sentry's Django, Celery and logging integrations (errors and ERROR log records)
    when `dsn` is set; returns whether it did. Nothing personal is sent: no request body, no
    cookies, headers or user details (send_default_pii off), no local variables of the frames,
    no performance traces."""
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0,
    )
    return True
