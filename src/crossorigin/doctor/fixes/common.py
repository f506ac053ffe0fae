"""Notes every stack's fix shares, derived from the requirement alone."""

from __future__ import annotations

from crossorigin.doctor.fixes.requirement import CHROMIUM_MAX_AGE_CAP, Requirement

__all__ = ["AUTH_ORDER_NOTE", "preflight_headers", "requirement_notes"]

AUTH_ORDER_NOTE = (
    "Browsers send preflights without cookies or Authorization: anything that demands a login "
    "must come after the CORS handling, or it answers the preflight 401/403 and the browser "
    "reports a CORS error."
)


def requirement_notes(requirement: Requirement) -> tuple[str, ...]:
    notes: list[str] = []
    if requirement.credentials and requirement.insecure_origins:
        shown = ", ".join(requirement.insecure_origins)
        notes.append(
            f"{shown} is plain http: with credentials allowed, anyone on that network who can "
            "inject script into the page can use your users' cookies. Serve the page over "
            "https in production."
        )
    if requirement.max_age is not None and requirement.max_age > CHROMIUM_MAX_AGE_CAP:
        notes.append(
            f"Chromium caches a preflight for at most {CHROMIUM_MAX_AGE_CAP} seconds, whatever "
            f"max-age says ({requirement.max_age}); Firefox allows up to 86400."
        )
    lowercase = [m for m in requirement.methods if m != m.upper()]
    if lowercase:
        notes.append(
            f"{', '.join(lowercase)} is listed exactly as written: browsers upper-case only "
            "DELETE, GET, HEAD, OPTIONS, POST and PUT, so a page calling "
            f"fetch(url, {{method: '{lowercase[0].upper()}'}}) needs the upper-case name instead."
        )
    if requirement.private_network:
        notes.append(
            "Access-Control-Allow-Private-Network answers Private Network Access preflights "
            "(Chromium 104-141). Chromium 142+ asks the user for Local Network Access permission "
            "instead, and only from https pages; no header can grant it."
        )
    if not requirement.needs_preflight:
        notes.append(
            "These requests are not preflighted (only CORS-safelisted methods and headers): "
            "what matters is Access-Control-Allow-Origin on the response itself."
        )
    return tuple(notes)


def preflight_headers(requirement: Requirement, separator: str = ", ") -> list[tuple[str, str]]:
    """The headers only a preflight answer carries, for configurations written by hand.

    They go to allowed and denied origins alike: they say nothing an attacker cannot learn by
    sending the preflight with an allowed Origin, and without Access-Control-Allow-Origin they
    grant nothing.
    """
    headers = []
    if requirement.preflight_methods:
        headers.append(
            ("Access-Control-Allow-Methods", separator.join(requirement.preflight_methods))
        )
    if requirement.request_headers:
        headers.append(
            ("Access-Control-Allow-Headers", separator.join(requirement.request_headers))
        )
    if requirement.max_age is not None:
        headers.append(("Access-Control-Max-Age", str(requirement.max_age)))
    if requirement.private_network:
        headers.append(("Access-Control-Allow-Private-Network", "true"))
    return headers
