"""Policy: placeholder while the implementation lands (API frozen, see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence


class Policy:
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
        dangerously_allow_null_origin: bool = False,
        dangerously_allow_insecure_origins: bool = False,
        dangerously_allow_public_suffix_subdomains: bool = False,
    ) -> None:
        raise NotImplementedError

    @staticmethod
    def is_preflight(method: str, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> bool:
        raise NotImplementedError

    def preflight(
        self,
        origin: str,
        request_method: str,
        request_headers: str | Sequence[str] | None = None,
        request_private_network: str | None = None,
    ) -> tuple[int, list[tuple[str, str]]]:
        raise NotImplementedError

    def actual(self, origin: str | None) -> list[tuple[str, str]]:
        raise NotImplementedError
