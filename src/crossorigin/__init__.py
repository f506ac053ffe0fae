"""crossorigin: CORS that works and makes sense.

- :func:`simulate` and :mod:`crossorigin.engine`: what a browser (Chromium) does with a
  cross-origin fetch() and the server's answers;
- :class:`crossorigin.origin.Origin` and friends: origins as the URL Standard defines them.
"""

from crossorigin.errors import CATALOGUE, CorsError
from crossorigin.origin import (
    Origin,
    OriginError,
    origin_of_url,
    parse_origin,
    same_origin,
    same_site,
)
from crossorigin.scenario import ScenarioError, simulate

__all__ = [
    "CATALOGUE",
    "CorsError",
    "Origin",
    "OriginError",
    "ScenarioError",
    "origin_of_url",
    "parse_origin",
    "same_origin",
    "same_site",
    "simulate",
]

__version__ = "0.1.0"
