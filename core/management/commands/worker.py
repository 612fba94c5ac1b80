"""`manage.py worker`: the task worker (django-tasks-db's `db_worker`) that picks up
after itself.

A worker that is killed (out of memory, a machine that died, `kill -9`) leaves the task
it was running marked "running" forever: django-tasks-db never runs it again. This one
has a stable id, the machine's host name unless `--worker-id` is given, and on start it
puts back in the queue every task still marked running by that id: the worker that
claimed it is this one's previous life, so nobody else is running it. Several workers
on one database are fine, each on its own machine or with its own `--worker-id`.

The tasks that send email are safe to run again (people.notifications marks what it sent
in the transaction that sends it), so a task put back sends what was pending, once."""

from __future__ import annotations

import logging
import socket
from argparse import ArgumentParser
from typing import Any

from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("careermap.worker")


def requeue_orphans(worker_id: str) -> int:
    """Put back in the queue the tasks marked running by `worker_id`; returns how many."""
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        orphans = [t.pk for t in running if t.worker_ids and t.worker_ids[-1] == worker_id]
        DBTaskResult.objects.filter(pk__in=orphans).update(
            status=TaskResultStatus.READY, started_at=None
        )
    return len(orphans)


class Command(DBWorkerCommand):
    help = "Run the task worker; first requeue the tasks this worker id left running."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=socket.gethostname()[:64])

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        count = requeue_orphans(options["worker_id"])
        if count:
            logger.warning(
                "Requeued %d task(s) that worker %s left running when it stopped.",
                count,
                options["worker_id"],
            )
        super().handle(*args, **options)
