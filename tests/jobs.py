"""Running the queue's waiting jobs inside a test's transaction, as a worker would run them.

A test that uses the `db` fixture works in one transaction that is never committed, so a worker in another
process, or in a thread with its own connection, never sees the jobs or rows it wrote. `run_queued_jobs`
fetches and finishes jobs with procrastinate's own statements on the test's connection and calls each
task's function. The worker itself (listening, heartbeats, retries after a crash) is exercised against a
committed database in tests/queue/test_worker.py and tests/queue/test_servers.py.
"""

import json

from django.db import connection
from procrastinate import sql
from procrastinate.contrib.django import app


def _one(query: str, params) -> tuple | None:
    # A cursor per statement: a task may close the connection between two (core.tasks.connections_checked).
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone() if cursor.description else None


def run_queued_jobs(*, queues: list[str] | None = None) -> int:
    """Run every job waiting now (and those the jobs queue), in order; return how many ran."""
    ran = 0
    worker_id = _one(sql.queries["register_worker"], {})[0]
    try:
        while True:
            row = _one(sql.queries["fetch_job"], {"queues": queues, "worker_id": worker_id})
            if row is None or row[0] is None:
                return ran
            job_id, task_name, args = row[0], row[2], row[6]
            if isinstance(args, str):  # Django's connection leaves jsonb as text
                args = json.loads(args)
            try:
                app.tasks[task_name].func(**args)
            except Exception:
                _one(sql.queries["finish_job"], {"job_id": job_id, "status": "failed", "delete_job": False})
                raise
            _one(sql.queries["finish_job"], {"job_id": job_id, "status": "succeeded", "delete_job": False})
            ran += 1
    finally:
        _one(sql.queries["unregister_worker"], {"worker_id": worker_id})


def waiting_jobs(task_name: str) -> list[dict]:
    """The arguments of the jobs of `task_name` waiting for a worker, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT args FROM procrastinate_jobs WHERE task_name = %s AND status = 'todo' ORDER BY id", [task_name]
        )
        return [json.loads(args) if isinstance(args, str) else args for (args,) in cursor.fetchall()]
