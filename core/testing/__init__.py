"""Helpers for testing OneDoor and its plugins against real databases.

- :mod:`core.testing.plugins`: pytest fixtures for plugin authors (``pytest_plugins =
  ["core.testing.plugins"]``): a tenant with only their plugin enabled and one without it, test
  clients (one signed in as staff), a case factory using ``CaseType.example`` and
  ``CaseType.example_intake``;
- :mod:`core.testing.tenants`: tenants, staff and intakes built directly;
- :mod:`core.testing.web`: CSRF tokens and signing in through the login form;
- :mod:`core.testing.rows`: a valid row for any tenant-owned table (plugin tables included);
- :mod:`core.testing.imports`: what a plugin imports from core (only the toolkit is public);
- :mod:`core.testing.postgres`: throw-away PostgreSQL databases with an application role that
  neither owns the tables nor bypasses row-level security, as in production.

OneDoor's own tests and benchmarks use them too. Nothing here is imported by the application.
"""
