"""Subcommands of the ``crossorigin`` CLI, one module each (see ``crossorigin.cli``)."""
