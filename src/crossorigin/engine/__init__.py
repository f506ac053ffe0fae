"""The browser side of CORS, sans-IO: what a browser sends and what it lets a page read.

``run(request, respond)`` drives a whole fetch; :class:`Fetch` is the step-by-step state
machine underneath, for callers that do their own I/O (the doctor's prober, the lab).
"""

from crossorigin.engine.cache import PreflightCache, PreflightResult, parse_max_age
from crossorigin.engine.fetch import EngineInputError, Fetch, run
from crossorigin.engine.model import FetchRequest, HttpRequest, HttpResponse
from crossorigin.engine.result import Check, Exchange, Explanation, FetchResult

__all__ = [
    "Check",
    "EngineInputError",
    "Exchange",
    "Explanation",
    "Fetch",
    "FetchRequest",
    "FetchResult",
    "HttpRequest",
    "HttpResponse",
    "PreflightCache",
    "PreflightResult",
    "parse_max_age",
    "run",
]
