#!/usr/bin/env bash
# Times the README's quick start on a fresh clone of this repository: `npm install`, then
# `npm start` until the UI answers on :8080 and until /api/anomalies lists a first anomaly.
# Usage: bash scripts/time-quick-start.sh [RUNS]   (port 8080 must be free; each run
# clones into a temporary folder and removes it afterwards)
set -euo pipefail
RUNS="${1:-3}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

for run in $(seq 1 "$RUNS"); do
  dir="$(mktemp -d)"
  git clone -q "$REPO" "$dir/vigie"
  cd "$dir/vigie"
  echo "run $run: npm install..." >&2
  started="$(now)"
  npm install >"$dir/install.log" 2>&1
  install="$(since "$started")"
  echo "run $run: npm start..." >&2
  started="$(now)"
  npm start >"$dir/start.log" 2>&1 &
  ui=""
  first=""
  for _ in $(seq 1 400); do
    sleep 1
    if [[ -z "$ui" ]] && curl -sf -o /dev/null http://localhost:8080/; then ui="$(since "$started")"; fi
    if [[ -n "$ui" ]]; then
      count="$(curl -sf 'http://localhost:8080/api/anomalies?from=now-2h' |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).anomalies.length))' 2>/dev/null || true)"
      if [[ -n "$count" && "$count" -gt 0 ]]; then first="$(since "$started")"; break; fi
    fi
  done
  echo "run $run: npm install ${install} s; npm start: UI after ${ui:-never} s, first anomaly after ${first:-never} s"
  pkill -f "vigie.js all --demo" || true
  sleep 3
  cd "$REPO"
  rm -rf "$dir"
done
