"""Production gunicorn settings; every value can be overridden from the environment."""

import multiprocessing
import os

# Loopback by default: the reverse proxy on the same machine reaches it, nobody else. Listening wider (the proxy on
# another machine) is a choice made with GUNICORN_BIND, with FORWARDED_ALLOW_IPS set to the proxy's address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
# Load the application once in the master: a recycled worker is then a fork (milliseconds) rather than a new
# Django start (about half a second of CPU, taken from the requests being served at that moment), and the
# workers share the loaded code's memory. Nothing connects to the database or the cache at import time.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in {"1", "true", "yes"}
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Trust X-Forwarded-* only from the reverse proxy in front of the app.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
wsgi_app = "ocop_portal.wsgi:application"
