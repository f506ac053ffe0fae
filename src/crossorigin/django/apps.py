"""The Django app: its only job is to register the system checks."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.checks import Tags, register


class CrossoriginConfig(AppConfig):
    name = "crossorigin.django"
    label = "crossorigin"
    verbose_name = "crossorigin (CORS)"

    def ready(self) -> None:
        from crossorigin.django.checks import check_cors_settings, check_middleware

        register(Tags.security)(check_cors_settings)
        register(Tags.security)(check_middleware)
