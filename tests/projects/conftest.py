"""The decisions' fixtures, for tests of official projects (VOTE-2)."""

from tests.decisions.conftest import voting  # noqa: F401 (a fixture)
