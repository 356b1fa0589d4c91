#!/usr/bin/env bash
# compose-test.sh - runs the README's demo command,
#   docker compose up --build --exit-code-from coordinator
# (docker-compose where the v2 plugin is missing; COMPOSE="docker-compose" chooses), and checks that it
# returns 0 by itself within 5 minutes, that the model.safetensors it wrote into a new folder of ./runs is
# bit-identical to a local-mode run of the same config (`rnn-cluster train --workers 1`, from the same image),
# and that the results belong to the owner of ./runs. Where no Docker engine answers it prints "skipped: no
# Docker engine" and exits 0. It removes what it made.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() { echo "compose-test: FAILED: $*" >&2; exit 1; }

if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
  echo "skipped: no Docker engine"
  exit 0
fi
if [ -n "${COMPOSE:-}" ]; then read -r -a COMPOSE_CMD <<< "$COMPOSE"
elif docker compose version >/dev/null 2>&1; then COMPOSE_CMD=(docker compose)
elif command -v docker-compose >/dev/null; then COMPOSE_CMD=(docker-compose)
else fail "a Docker engine answers but neither 'docker compose' nor 'docker-compose' is installed"
fi

export COMPOSE_PROJECT_NAME=rnn-compose-test
WORK=$(mktemp -d /tmp/compose-test.XXXXXX)
RUNS_MADE=0
[ -d runs ] || RUNS_MADE=1
ls runs 2>/dev/null | sort > "$WORK/runs.before" || true
OUT=
cleanup() {
  "${COMPOSE_CMD[@]}" down --remove-orphans >/dev/null 2>&1 || true
  [ -z "$OUT" ] || rm -rf "$OUT"
  if [ "$RUNS_MADE" = 1 ]; then rmdir runs 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "compose-test: ${COMPOSE_CMD[*]} up --build --exit-code-from coordinator ($("${COMPOSE_CMD[@]}" version --short 2>/dev/null || true))"
start=$(date +%s)
status=0
timeout 300 "${COMPOSE_CMD[@]}" up --build --exit-code-from coordinator > "$WORK/up.log" 2>&1 || status=$?
seconds=$(( $(date +%s) - start ))
if [ "$status" = 124 ]; then tail -n 40 "$WORK/up.log" >&2; fail "did not return within 5 minutes"; fi
[ "$status" = 0 ] || { tail -n 40 "$WORK/up.log" >&2; fail "exit code $status (log above)"; }
sed 's/\x1b\[[0-9;]*m//g' "$WORK/up.log" | grep -E 'coordinator.*[|] trained ' || true
echo "compose-test: returned 0 by itself in ${seconds} s (build included)"

new=$(ls runs | sort | comm -13 "$WORK/runs.before" -)
[ "$(wc -w <<< "$new")" = 1 ] || fail "expected one new folder in ./runs, found: ${new:-none}"
OUT=runs/$new
[ -f "$OUT/model.safetensors" ] || fail "no $OUT/model.safetensors"
owner=$(stat -c %u runs)
strangers=$(find "$OUT" ! -uid "$owner" | head -n 3)
[ -z "$strangers" ] || fail "results not owned by the owner of ./runs (uid $owner): $strangers"
echo "compose-test: the model is in $OUT; every file there belongs to uid $owner, the owner of ./runs"

docker run --rm --network none --user "$(id -u):$(id -g)" -v "$WORK:/out" rnn-cluster:local \
  rnn-cluster train --config /examples/passengers/config.json --out /out/local --workers 1 --quiet > "$WORK/local.log" 2>&1 \
  || { cat "$WORK/local.log" >&2; fail "the local-mode run failed"; }
cmp -s "$OUT/model.safetensors" "$WORK/local/model.safetensors" \
  || fail "$OUT/model.safetensors differs from the local-mode model"
echo "compose-test: model.safetensors identical to local mode (sha256 $(sha256sum < "$WORK/local/model.safetensors" | cut -c1-16)...)"
echo "compose-test: image rnn-cluster:local $(docker image inspect -f '{{.Size}}' rnn-cluster:local | awk '{printf "%.0f MB", $1 / 1e6}')"
echo "compose-test: passed"
