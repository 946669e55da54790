"""Ctrl-C in a management command: the operator gets a sentence and the exit code of an interrupted program (130, as
for SIGINT), not a traceback. The services have already recorded the interrupted run, import or training."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.management.base import CommandError

INTERRUPTED_EXIT_CODE = 130


@contextmanager
def command_interrupted_message(message: str):
    """Turn a KeyboardInterrupt raised inside the block into CommandError(message) exiting with 130."""
    try:
        yield
    except KeyboardInterrupt as exc:
        raise CommandError(message, returncode=INTERRUPTED_EXIT_CODE) from exc
