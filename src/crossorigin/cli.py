"""The ``crossorigin`` command line: a thin router over the subcommand modules.

Each subcommand lives beside the code it drives and exposes ``register(subparsers)``,
which adds its parser and sets ``func`` (``args -> exit status``). argparse (standard
library) keeps the core install free of CLI dependencies; rich and httpx are imported
only by the subcommands that need them (the ``cli`` extra).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

# Modules that provide subcommands, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "crossorigin.commands.demo",
    "crossorigin.commands.check",
    "crossorigin.commands.audit",
    "crossorigin.commands.explain",
    "crossorigin.commands.har",
    "crossorigin.commands.fix",
    "crossorigin.commands.simulate",
)

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 2
# A bug of ours: never 1, which CI jobs read as "blocked" or "findings".
EXIT_INTERNAL = 3
# The reader of our output went away (``| head``): 128 + SIGPIPE, as a shell reports it.
EXIT_BROKEN_PIPE = 141


class UsageError(Exception):
    """A mistake in what the user typed or passed in: shown as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crossorigin",
        description="CORS that works and makes sense: simulate the browser, diagnose "
        "blocked requests, and configure servers safely.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            # Optional dependencies are imported inside each command's ``func``; a module
            # missing here is a subcommand this build does not ship.
            if error.name == name:
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return func(args)
    except UsageError as error:
        print(f"crossorigin: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as error:  # the last resort: one line, never a status that means a verdict
        if os.environ.get("CROSSORIGIN_TRACEBACK"):
            raise
        print(
            f"crossorigin: internal error ({type(error).__name__}: {error}); this is a bug in "
            "crossorigin, please report it with the command line "
            "(CROSSORIGIN_TRACEBACK=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
