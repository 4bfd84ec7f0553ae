#!/usr/bin/env python3
"""Stand-in for autotrader's workers on the test fleet.

Logs WORKER_COUNT at start (the backlog runbook scales it) and reports queue depths read from
Redis without consuming jobs, so the seeded backlog stays put until someone acts on it."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from logsetup import make_logger  # noqa: E402

QUEUES = ["scanner", "alerts", "backfill"]


def queue_length(queue: str) -> str:
    try:
        result = subprocess.run(["redis-cli", "LLEN", f"worker:{queue}:queue"],
                                capture_output=True, text=True, timeout=2, check=False)
        return result.stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def main() -> None:
    log = make_logger("workers")
    signal.signal(signal.SIGTERM, lambda *_: (log.info("workers stopping (SIGTERM)"), sys.exit(0)))
    raw = os.environ.get("WORKER_COUNT", "1")
    try:
        count = int(raw)
        if count < 1:
            raise ValueError
    except ValueError:
        log.error("WORKER_COUNT must be a positive integer, got %r", raw)
        sys.exit(1)
    log.info("workers starting pid=%d WORKER_COUNT=%d queues=%s", os.getpid(), count, ",".join(QUEUES))
    log.info("alerts worker webhook token=Bearer sk-opsdeck-testbed-0123456789abcdef")
    tick = int(os.environ.get("WORKERS_TICK_SECONDS", "5"))
    while True:
        depths = " ".join(f"{q}={queue_length(q)}" for q in QUEUES)
        log.info("queue depths %s workers=%d", depths, count)
        time.sleep(tick)


if __name__ == "__main__":
    main()
