"""Log records in UTC, ISO 8601, whatever the server's time zone: as text, or one JSON object
per line (production) for a log collector."""

import logging
import time

from pythonjsonlogger.json import JsonFormatter


def utc_time(converter, record):
    return time.strftime("%Y-%m-%dT%H:%M:%S", converter(record.created)) + (
        f".{int(record.msecs):03d}Z"
    )


class UTCFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's method name)
        return utc_time(self.converter, record)


class UTCJSONFormatter(JsonFormatter):
    """python-json-logger's formatter: {"time", "level", "logger", "message", …}, the
    exception's traceback under "exc_info", the record's extra fields as keys."""

    converter = time.gmtime

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's method name)
        return utc_time(self.converter, record)
