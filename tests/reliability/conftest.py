from tests.agents.conftest import indexed  # noqa: F401  (shared fixture)
