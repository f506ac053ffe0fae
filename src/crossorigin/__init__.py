"""crossorigin: CORS that works and makes sense.

- :func:`simulate` and :mod:`crossorigin.engine`: what a browser (Chromium) does with a
  cross-origin fetch() and the server's answers;
- :class:`Policy`: a validated server-side CORS policy, enforced by the middleware in
  :mod:`crossorigin.asgi`, :mod:`crossorigin.wsgi`, :mod:`crossorigin.django` and
  :mod:`crossorigin.flask`;
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
from crossorigin.policy import Policy, PolicyError
from crossorigin.scenario import ScenarioError, simulate

__all__ = [
    "CATALOGUE",
    "CorsError",
    "Origin",
    "OriginError",
    "Policy",
    "PolicyError",
    "ScenarioError",
    "origin_of_url",
    "parse_origin",
    "same_origin",
    "same_site",
    "simulate",
]

__version__ = "0.1.0"
