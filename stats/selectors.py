"""The statistics offered to the pages, the CSV and the API (built in `builders`)."""

from .builders import *  # noqa: F403
from .builders import _years  # noqa: F401
