"""Policy: the validated configuration and the decisions adapters ask of it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from crossorigin.policy._config import STANDARD_METHODS, Config, validate
from crossorigin.policy._decision import Decider, refusals
from crossorigin.policy._origins import OriginMatcher

if TYPE_CHECKING:
    from crossorigin.policy._check import SelfCheck

__all__ = ["Policy", "PreflightAnswer"]


class PreflightAnswer(NamedTuple):
    """A preflight's whole answer: what an adapter writes, and why it was refused."""

    status: int
    headers: list[tuple[str, str]]  # fresh: the caller may add to it
    body: str  # "" for 204; send it as text/plain; charset=utf-8 otherwise
    refusals: tuple[str, ...]  # the failed checks ("origin", "method", ...); () on success


_TITLE_NAMES = {
    "acao": "Access-Control-Allow-Origin",
    "acac": "Access-Control-Allow-Credentials",
    "acam": "Access-Control-Allow-Methods",
    "acah": "Access-Control-Allow-Headers",
    "acma": "Access-Control-Max-Age",
    "aceh": "Access-Control-Expose-Headers",
    "acapn": "Access-Control-Allow-Private-Network",
    "vary": "Vary",
    "length": "Content-Length",
    "type": "Content-Type",
}
# ASGI header names are lowercase bytes.
_LOWER_NAMES = {key: name.lower() for key, name in _TITLE_NAMES.items()}


def _latin1(value: str) -> bytes:
    return value.encode("latin-1")


def _unlatin1(value: bytes) -> str:
    return value.decode("latin-1")


def _same(value: str) -> str:
    return value


class Policy:
    """A CORS policy: validated at construction, immutable, answering in plain values.

    See the package docstring (``crossorigin.policy``) for the keywords and the decision calls,
    and ``docs/policy.md`` for every option with permitted and prohibited examples.
    """

    __slots__ = ("_bytes", "_config", "_str")
    _config: Config
    _str: Decider[str]
    _bytes: Decider[bytes]

    def __init__(
        self,
        *,
        allow_origins: Collection[str] = (),
        allow_origin_regex: str | None = None,
        allow_origin_predicate: Callable[[str], bool] | None = None,
        allow_methods: Collection[str] = ("GET",),
        allow_headers: Collection[str] = (),
        allow_credentials: bool = False,
        expose_headers: Collection[str] = (),
        max_age: int | None = 600,
        allow_private_network: bool = False,
        preflight_status: int = 204,
        preflight_failure_status: int = 403,
        echo_request_headers: bool = False,
        dangerously_allow_null_origin: bool = False,
        dangerously_allow_insecure_origins: bool = False,
        dangerously_allow_public_suffix_subdomains: bool = False,
    ) -> None:
        config = validate(
            allow_origins=allow_origins,
            allow_origin_regex=allow_origin_regex,
            allow_origin_predicate=allow_origin_predicate,
            allow_methods=allow_methods,
            allow_headers=allow_headers,
            allow_credentials=allow_credentials,
            expose_headers=expose_headers,
            max_age=max_age,
            allow_private_network=allow_private_network,
            preflight_status=preflight_status,
            preflight_failure_status=preflight_failure_status,
            echo_request_headers=echo_request_headers,
            dangerously_allow_null_origin=dangerously_allow_null_origin,
            dangerously_allow_insecure_origins=dangerously_allow_insecure_origins,
            dangerously_allow_public_suffix_subdomains=dangerously_allow_public_suffix_subdomains,
        )
        matcher = OriginMatcher(list(config.origins), config.origin_regex, config.origin_predicate)
        object.__setattr__(self, "_config", config)
        object.__setattr__(self, "_str", Decider(config, matcher, _same, _same, _TITLE_NAMES))
        object.__setattr__(
            self, "_bytes", Decider(config, matcher, _latin1, _unlatin1, _LOWER_NAMES)
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Policy is immutable; build a new one instead of setting {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a Policy is immutable")

    def __repr__(self) -> str:
        return f"Policy({', '.join(f'{k}={v!r}' for k, v in self.options().items())})"

    # -- The configuration, normalized -------------------------------------------------------

    @property
    def config(self) -> Config:
        """The validated, normalized configuration."""
        return self._config

    def options(self) -> dict[str, Any]:
        """Keywords that rebuild an equal policy (normalized: Fetch methods, unique names)."""
        c = self._config
        return {
            "allow_origins": tuple(p.text for p in c.origins),
            "allow_origin_regex": c.origin_regex.pattern if c.origin_regex else None,
            "allow_origin_predicate": c.origin_predicate,
            "allow_methods": (
                ("*", *c.methods[len(STANDARD_METHODS) :]) if c.any_method else c.methods
            ),
            "allow_headers": (("*",) if c.any_header else (*c.header_list, *c.header_patterns)),
            "allow_credentials": c.credentials,
            "expose_headers": c.expose_headers,
            "max_age": c.max_age,
            "allow_private_network": c.private_network,
            "preflight_status": c.preflight_status,
            "preflight_failure_status": c.preflight_failure_status,
            "echo_request_headers": c.echo_headers and not c.header_patterns,
            "dangerously_allow_null_origin": c.allow_null,
            "dangerously_allow_insecure_origins": c.allow_insecure,
            "dangerously_allow_public_suffix_subdomains": c.allow_public_suffix,
        }

    @property
    def allow_credentials(self) -> bool:
        return self._config.credentials

    @property
    def allow_all_origins(self) -> bool:
        return self._config.allow_all_origins

    # -- Decisions ---------------------------------------------------------------------------

    @staticmethod
    def is_preflight(method: str, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> bool:
        """OPTIONS carrying Origin and Access-Control-Request-Method (Fetch §4.8 step 1).

        Every other OPTIONS request (no Origin, or no Access-Control-Request-Method) is the
        application's: tower-http, express and Litestar swallowed them all (tower-http#497).
        """
        if method != "OPTIONS":
            return False
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        has_origin = has_method = False
        for name, _value in pairs:
            lowered = name.lower()
            if lowered == "origin":
                has_origin = True
            elif lowered == "access-control-request-method":
                has_method = True
        return has_origin and has_method

    def allows_origin(self, origin: str) -> bool:
        """Whether an actual request from ``origin`` gets Access-Control-Allow-Origin."""
        return self._str.allowed_origin_pair(origin) is not None

    def preflight(
        self,
        origin: str,
        request_method: str,
        request_headers: str | Sequence[str] | None = None,
        request_private_network: str | None = None,
    ) -> tuple[int, list[tuple[str, str]]]:
        """Answer a preflight: (status, fresh header list). See the package docstring."""
        lines = (request_headers,) if isinstance(request_headers, str) else request_headers
        status, headers, _ = self._str.preflight(
            origin, request_method, lines, request_private_network
        )
        return status, headers

    def preflight_answer(
        self,
        origin: str,
        request_method: str,
        request_headers: str | Sequence[str] | None = None,
        request_private_network: str | None = None,
    ) -> PreflightAnswer:
        """The same decision as :meth:`preflight`, with the body and the failed checks."""
        lines = (request_headers,) if isinstance(request_headers, str) else request_headers
        status, headers, failed = self._str.preflight(
            origin, request_method, lines, request_private_network
        )
        return PreflightAnswer(status, headers, self._str.frame(failed)[0], refusals(failed))

    def preflight_refusal(
        self,
        origin: str,
        request_method: str,
        request_headers: str | Sequence[str] | None = None,
        request_private_network: str | None = None,
    ) -> str | None:
        """The first check a preflight fails (``origin``, ``method``, ``headers``,
        ``private-network``), or None when it passes: the same decision as :meth:`preflight`."""
        refusals = self.preflight_answer(
            origin, request_method, request_headers, request_private_network
        ).refusals
        return refusals[0] if refusals else None

    def actual(self, origin: str | None) -> list[tuple[str, str]]:
        """CORS headers (a fresh list, Vary excluded) for any non-preflight response."""
        return list(self._str.actual(origin))

    # The ASGI adapter's entry points: the same decisions over raw header bytes, returning
    # lowercase header names (precomputed tuples: the caller copies them into its own list).

    def actual_raw(self, origin: bytes | None) -> tuple[tuple[bytes, bytes], ...]:
        return self._bytes.actual(origin)

    @property
    def raw_decider(self) -> Decider[bytes]:
        """The decisions over raw bytes, for adapters that cannot afford one more call:
        ``preflight(...)`` returns (status, headers, failed) and ``frames[failed]`` the body
        and its framing pairs, as :meth:`preflight_raw` combines them."""
        return self._bytes

    def preflight_raw(
        self,
        origin: bytes,
        request_method: bytes,
        request_headers: Sequence[bytes] | None,
        request_private_network: bytes | None,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """(status, header list, body): :meth:`preflight_answer` over raw bytes, the header
        list ready to send (Content-Type and Content-Length included when there is a body)."""
        status, headers, failed = self._bytes.preflight(
            origin, request_method, request_headers, request_private_network
        )
        body, framing = self._bytes.frame(failed)
        if framing:
            headers += framing
        return status, headers, body

    # -- Self-check ----------------------------------------------------------------------------

    def check(
        self,
        origin: str,
        method: str = "GET",
        headers: Iterable[str] | Iterable[tuple[str, str]] = (),
        credentials: bool = False,
        url: str | None = None,
    ) -> SelfCheck:
        """What a browser at ``origin`` would do with this policy's answers (needs the engine).

        ``headers`` are request header names (sample values are used) or (name, value)
        pairs; ``credentials`` sends cookies (``credentials: 'include'``); ``url`` is the
        resource, on another origin. Returns a :class:`SelfCheck`: ``outcome``, ``allowed``,
        ``error``, ``trace`` (the browser's checks), ``explanation`` and ``policy_reason``.
        """
        from crossorigin.policy._check import run_check

        return run_check(
            self, origin, method=method, headers=headers, credentials=credentials, url=url
        )
