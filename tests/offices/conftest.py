"""The decisions' fixtures, for tests that recall holders (art. 8.3)."""

from tests.decisions.conftest import voting  # noqa: F401 (a fixture)
