#!/usr/bin/env python3
"""Stand-in for autotrader's ingestion service on the test fleet.

It reads configs/ingestion.yaml, then logs a fetch cycle every few seconds. Some lines carry
secrets on purpose (an IBKR FA account, an API key, a bearer token): Opsdeck must redact them."""
import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from logsetup import make_logger  # noqa: E402

CONFIG = "/opt/autotrader/configs/ingestion.yaml"
SOURCES = ["coingecko", "dexscreener", "blockscout", "ethereum_rpc"]


def read_flat_yaml(path: str) -> dict:
    """Top-level `key: value` pairs only; enough for this config and needs no PyYAML."""
    values = {}
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.split("#", 1)[0].rstrip()
            if not line or line.startswith((" ", "\t", "-")) or ":" not in line:
                continue
            key, value = line.split(":", 1)
            values[key.strip()] = value.strip().strip('"')
    return values


def main() -> None:
    log = make_logger("ingestion")
    signal.signal(signal.SIGTERM, lambda *_: (log.info("ingestion stopping (SIGTERM)"), sys.exit(0)))
    try:
        config = read_flat_yaml(CONFIG)
        frequency = int(config.get("update_frequency_seconds", "60"))
    except (OSError, ValueError) as error:
        log.error("cannot read %s: %s", CONFIG, error)
        sys.exit(1)
    log.info("ingestion starting pid=%d update_frequency_seconds=%d sources=%s",
             os.getpid(), frequency, ",".join(SOURCES))
    log.info("coingecko client configured COINGECKO_API_KEY=%s", os.environ.get("COINGECKO_API_KEY", ""))
    log.info("ibkr gateway session opened fa=%s port=4001", os.environ.get("IBKR_FA_ACCOUNT", "DU1234567"))
    log.info("blockscout request headers Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.b3BzZGVjay10ZXN0YmVk.c2lnbmF0dXJl")
    tick = int(os.environ.get("INGESTION_TICK_SECONDS", "3"))
    cycle = 0
    while True:
        cycle += 1
        source = SOURCES[cycle % len(SOURCES)]
        latency = random.randint(80, 400)
        if cycle % 10 == 2:  # the first error ~6 s after start, so `journalctl | grep ERROR` finds one
            log.error("fetch %s failed: HTTP 429 Too Many Requests (retry in %ds) fa=%s",
                      source, frequency, os.environ.get("IBKR_FA_ACCOUNT", "DU1234567"))
        else:
            log.info("fetched %s cycle=%d items=%d latency_ms=%d", source, cycle, random.randint(50, 250), latency)
        time.sleep(tick)


if __name__ == "__main__":
    main()
