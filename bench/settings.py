"""The portal's settings, pointed at the benchmark's own database, with the floor view's URL added.

Everything else (middleware, templates, caches, security) is the portal's, so the measured pages and
the floor run through exactly the same stack. `python -m bench` sets the production environment
variables before Django loads this module.
"""

import os

from ocop_portal.settings import *  # noqa: F403 - this module is the portal's settings plus two changes
from ocop_portal.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ.get("BENCH_DATABASE_NAME", "ocop_bench")
ROOT_URLCONF = "bench.urls"
