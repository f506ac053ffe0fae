"""Session fixtures the browser-driving test directories share: import them in a conftest.

``from tests.support.fixtures import page_server`` makes the fixture available there;
``chromium = chromium_fixture(SomeChromium)`` gives a session fixture that skips when Chromium
cannot run here and otherwise yields one ``SomeChromium`` per test process (shared by every
conftest that asks for the same class, closed when the process exits).
"""

from __future__ import annotations

import atexit
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

import pytest

from tests.support.chromium import chromium_available
from tests.support.pages import PageServer

__all__ = ["chromium_fixture", "page_server", "shared"]


class _Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=_Closable)

_shared: dict[Callable[[], Any], Any] = {}


def shared(factory: Callable[[], C]) -> C:
    """One ``factory()`` per test process, closed when the process exits."""
    if factory not in _shared:
        instance = factory()
        _shared[factory] = instance
        atexit.register(instance.close)
    found: C = _shared[factory]
    return found


@pytest.fixture(scope="session")
def page_server() -> Iterator[PageServer]:
    server = PageServer()
    yield server
    server.close()


def chromium_fixture(factory: Callable[[], C]) -> Any:
    """A session fixture ``chromium``: skips without Chromium, else the shared ``factory()``."""

    @pytest.fixture(scope="session", name="chromium")
    def chromium() -> Iterator[C]:
        reason = chromium_available()
        if reason is not None:
            pytest.skip(reason)
        yield shared(factory)

    return chromium
