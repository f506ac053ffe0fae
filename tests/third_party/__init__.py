"""Test suites of other projects, vendored with only their imports changed."""
