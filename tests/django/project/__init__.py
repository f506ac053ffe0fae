"""A small Django project the adapter tests run: real views, real URLconf, real middleware."""
