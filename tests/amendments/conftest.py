from tests.decisions.conftest import harmony, voting  # noqa: F401  (shared fixtures)
