"""Django for the adapter tests: one configured process, settings changed per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import django
import pytest
from django.conf import settings
from django.test.utils import override_settings

BASE = {
    "ROOT_URLCONF": "tests.django.project.urls",
    "MIDDLEWARE": ["crossorigin.django.CorsMiddleware"],
    "ALLOWED_HOSTS": ["*"],
    "CORS_ALLOWED_ORIGINS": ["https://app.example.com"],
}

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="crossorigin-tests-only",
        INSTALLED_APPS=["crossorigin.django"],
        DATABASES={},
        USE_TZ=True,
        **BASE,
    )
    django.setup()


@pytest.fixture(autouse=True)
def _project() -> Iterator[None]:
    """Our URLconf and middleware, whatever else configured Django in this process."""
    from tests.django.project import views

    views.CALLS.clear()
    with override_settings(**BASE):
        yield


@pytest.fixture
def cors_settings() -> Iterator[Callable[..., AbstractContextManager[Any]]]:
    """``with cors_settings(CORS_ALLOW_CREDENTIALS=True): ...``, undone after the test."""
    stack: list[override_settings] = []

    def apply(**values: Any) -> override_settings:
        override = override_settings(**values)
        override.enable()
        stack.append(override)
        return override

    yield apply
    while stack:
        stack.pop().disable()
