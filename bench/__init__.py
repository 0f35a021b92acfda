"""The performance benchmark: a large generated catalogue in its own database, and the measurements.

Run it with `make bench` (or `.venv/bin/python -m bench --help`); README.md ("Benchmark") explains the
table it prints. Nothing here is imported by the portal itself.
"""
