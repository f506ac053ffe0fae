"""crossorigin: CORS that works and makes sense."""

from crossorigin.origin import Origin, OriginError, origin_of_url, parse_origin, same_origin, same_site

__all__ = [
    "Origin",
    "OriginError",
    "origin_of_url",
    "parse_origin",
    "same_origin",
    "same_site",
]

__version__ = "0.1.0"
