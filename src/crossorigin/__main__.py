"""``python -m crossorigin`` runs the CLI."""

import sys

from crossorigin.cli import main

sys.exit(main())
