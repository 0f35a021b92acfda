import pytest
from django.db import connections

# Committed rows, which the worker's own connections see, with the migrated rows put back after each test.
from tests.committed_db import _migrated_rows, _migrated_rows_back, live_db  # noqa: F401


@pytest.fixture(autouse=True)
def _worker_connections_closed(live_db):  # noqa: F811 - the fixture imported above
    """The tasks' threads close their database connections after each job, as a request does: no connection
    outlives the test (CONN_MAX_AGE 0 here), so the database can be emptied and dropped."""
    settings = connections["default"].settings_dict
    kept, settings["CONN_MAX_AGE"] = settings["CONN_MAX_AGE"], 0
    yield
    settings["CONN_MAX_AGE"] = kept
