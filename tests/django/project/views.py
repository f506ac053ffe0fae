"""Views that record what reached them, so tests can tell a preflight never did."""

from __future__ import annotations

import threading

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from crossorigin.django import cors

_lock = threading.Lock()
CALLS: list[tuple[str, str]] = []  # (method, path) of every request a view saw


def record(request: HttpRequest) -> None:
    with _lock:
        CALLS.append((request.method or "", request.path))


def data(request: HttpRequest) -> HttpResponse:
    record(request)
    response = HttpResponse(f"data for {request.method}", content_type="text/plain")
    response["X-Total-Count"] = "7"
    return response


def with_vary(request: HttpRequest) -> HttpResponse:
    record(request)
    response = HttpResponse("varies")
    response["Vary"] = request.GET.get("vary", "Accept-Encoding")
    return response


def failing(request: HttpRequest) -> HttpResponse:
    record(request)
    raise RuntimeError("this view fails")


def streaming(request: HttpRequest) -> StreamingHttpResponse:
    record(request)
    return StreamingHttpResponse(iter([b"a", b"b"]))


async def asynchronous(request: HttpRequest) -> HttpResponse:
    record(request)
    return HttpResponse("async")


@cors(allowed_origins=["https://admin.example.com"], allow_credentials=True)
def own_policy(request: HttpRequest) -> HttpResponse:
    record(request)
    return HttpResponse("own policy")


def cookie(request: HttpRequest) -> HttpResponse:
    record(request)
    return HttpResponse(request.COOKIES.get("session", "no cookie"))


def page(request: HttpRequest) -> HttpResponse:
    """A blank page: the browser tests fetch from its origin."""
    response = HttpResponse("<!doctype html><title>page</title>", content_type="text/html")
    if "login" in request.GET:
        response.set_cookie("session", "s3cret", samesite="None", secure=False)
    return response
