import pytest
from django.db import connections


@pytest.fixture(autouse=True)
def _worker_connections_closed(live_db):
    """The tasks' threads close their database connections after each job, as a request does: no connection
    outlives the test (CONN_MAX_AGE 0 here), so the database can be emptied and dropped."""
    settings = connections["default"].settings_dict
    kept, settings["CONN_MAX_AGE"] = settings["CONN_MAX_AGE"], 0
    yield
    settings["CONN_MAX_AGE"] = kept
