"""Django adapter: django-cors-headers' settings over one validated Policy.

Switching from django-cors-headers is two lines of settings, nothing else::

    INSTALLED_APPS = [..., "crossorigin.django", ...]
    # was "corsheaders"
    MIDDLEWARE = ["crossorigin.django.CorsMiddleware", ...]
    # was "corsheaders.middleware.CorsMiddleware"

The app registers Django system checks (``crossorigin.E001`` ...) that report every invalid or
dangerous setting with the setting's name, the bad value and the fix; the middleware refuses to
start on the same problems (docs/django.md). ``crossorigin.django.cors`` gives one view a policy
of its own.
"""

from crossorigin.django.middleware import CorsMiddleware, cors

__all__ = ["CorsMiddleware", "cors"]
