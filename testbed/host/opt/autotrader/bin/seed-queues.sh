#!/bin/bash
# Seeds the worker queues the Worker Queue Backlog runbook inspects (KEYS worker:*, LLEN).
# Counts come from /etc/autotrader/queues.env when present (fleet.sh can write it per host).
set -euo pipefail
SCANNER=120 ALERTS=3 BACKFILL=0
[ -r /etc/autotrader/queues.env ] && . /etc/autotrader/queues.env
for _ in $(seq 50); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.1; done
now=$(date +%s)
seed() { # no fork per job: this runs on every host's first boot
  local queue=$1 count=$2 kind=$3 i id
  redis-cli DEL "$queue" >/dev/null
  [ "$count" -gt 0 ] || return 0
  local jobs=()
  for ((i = 1; i <= count; i++)); do
    printf -v id '%s-%04d' "$kind" "$i"
    jobs+=("{\"id\":\"$id\",\"kind\":\"$kind\",\"enqueued_at\":$now}")
  done
  redis-cli RPUSH "$queue" "${jobs[@]}" >/dev/null
}
seed worker:scanner:queue "$SCANNER" scan
seed worker:alerts:queue "$ALERTS" alert
seed worker:backfill:queue "$BACKFILL" backfill
echo "seeded worker queues: scanner=$SCANNER alerts=$ALERTS backfill=$BACKFILL"
