"""The failed-replication policy, one rule for every caller: a replication that failed
is an error by default (the finished ones are kept where the caller says), or, when the
caller asks to keep partial results, a result flagged with its failed replications."""
from __future__ import annotations

import logging
from typing import Any

from ..scenario.errors import RunFault

log = logging.getLogger(__name__)

RETRY = "rerun to retry the failed ones"


class ReplicationsFailed(RunFault):
    """Some replications of a run failed; ``failed`` holds their manifest entries (with
    ``error``). The CLI prints the message on one line and exits with 1."""

    def __init__(self, message: str, failed: list[dict[str, Any]]) -> None:
        self.failed = failed
        super().__init__(message)


def failed_replications(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest entries of the replications that failed (each with its ``error``)."""
    return [r for r in manifest.get("replications", []) if r.get("error")]


def first_error(failed: list[dict[str, Any]]) -> str:
    """The last line of the first failure's error: the exception and its message."""
    lines = str(failed[0]["error"]).strip().splitlines()
    return lines[-1] if lines else "?"


def failure_message(failed: list[dict[str, Any]], reps: int, consequence: str = "", remedy: str = RETRY) -> str:
    """'2 of 4 replications failed<consequence>; first error: ...; <remedy>'."""
    total = f"{reps:,} {'replication' if reps == 1 else 'replications'}"
    return (f"{len(failed)} of {total} failed{consequence}; first error: {first_error(failed)}"
            + (f"; {remedy}" if remedy else ""))


def check_replications(manifest: dict[str, Any], reps: int, *, keep_partial: bool = False,
                       consequence: str = "", remedy: str = RETRY) -> list[dict[str, Any]]:
    """Apply the policy to a run's manifest: raise ``ReplicationsFailed`` when a replication
    failed, unless ``keep_partial``; then log a warning and return the failed entries (the
    result is flagged by them: ``Results.failed_replications``)."""
    failed = failed_replications(manifest)
    if not failed:
        return failed
    message = failure_message(failed, reps, consequence, remedy)
    if not keep_partial:
        raise ReplicationsFailed(message, failed)
    log.warning("%s (kept the finished ones: partial results)", failure_message(failed, reps, remedy=""))
    return failed
