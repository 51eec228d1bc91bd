"""Helpers for testing OneDoor and its plugins against real databases.

:mod:`core.testing.postgres` makes throw-away PostgreSQL databases with an application role
that neither owns the tables nor bypasses row-level security, as in production; OneDoor's own
tests and benchmarks use it. Pytest fixtures for plugin authors will live in this package too.
Nothing here is imported by the application itself.
"""
