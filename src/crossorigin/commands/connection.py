"""The options the doctor's network commands (``check``, ``audit``) share, and their checks.

``--timeout``, ``-k/--insecure``, ``--cacert`` and ``--resolve`` mean the same for every
command that sends requests, so they are declared and validated here once. httpx is imported
only when the options are read (``--help`` stays free of the ``cli`` extra's imports).
"""

from __future__ import annotations

import argparse
import math
import ssl
from typing import Any

from crossorigin.cli import UsageError


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """``--timeout``, ``-k/--insecure``, ``--cacert`` and ``--resolve``, as curl names them."""
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to wait for each connection and answer (default 10)",
    )
    parser.add_argument(
        "-k", "--insecure", action="store_true", help="do not verify TLS certificates"
    )
    parser.add_argument(
        "--cacert",
        metavar="FILE",
        help="trust the CA certificates in this PEM file instead of the system's, as curl "
        "(a development CA: mkcert -CAROOT shows where rootCA.pem is)",
    )
    parser.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="HOST:PORT:ADDRESS",
        help="connect to ADDRESS for HOST:PORT, keeping the URL, Host and TLS name "
        "(as curl; repeatable)",
    )


def connection_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The validated options as keywords of ``probe()`` and ``open_client()``.

    Each mistake is a UsageError naming the value and the fix.
    """
    from crossorigin.doctor.probe import ResolveError, parse_resolve

    if not math.isfinite(args.timeout) or args.timeout <= 0:
        raise UsageError(f"--timeout {args.timeout:g} must be a finite positive number of seconds")
    try:
        resolve = parse_resolve(args.resolve)
    except ResolveError as error:
        raise UsageError(str(error)) from None
    if args.cacert is not None:
        check_cacert(args.cacert)
    return {
        "timeout": args.timeout,
        "insecure": args.insecure,
        "cacert": args.cacert,
        "resolve": resolve,
    }


def check_cacert(path: str) -> None:
    """A --cacert that cannot be read or holds no certificate is a usage error, named."""
    try:
        ssl.create_default_context(cafile=path)
    except FileNotFoundError:
        raise UsageError(f"--cacert {path!r}: no such file") from None
    except (OSError, ssl.SSLError) as error:
        raise UsageError(
            f"--cacert {path!r} is not a PEM file of CA certificates ({error.strerror or error})"
            "; give the CA's certificate, e.g. mkcert's rootCA.pem"
        ) from None


def check_stack(stack: str | None) -> None:
    """A ``--stack`` must name a stack the fixes know."""
    from crossorigin.doctor.explain import known_stacks

    if stack is not None and stack not in known_stacks():
        raise UsageError(
            f"--stack {stack!r} is not a known stack: choose one of " + ", ".join(known_stacks())
        )
