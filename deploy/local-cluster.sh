#!/usr/bin/env bash
# local-cluster.sh - the docker-compose topology as processes on 127.0.0.1: one coordinator
# (`rnn-cluster train --cluster`) and N `rnn-worker` processes, each logging to its own file. Every process is
# stopped when the coordinator exits, on Ctrl+C and on any other exit of the script. Exit code: the
# coordinator's (2 for a wrong flag of this script).
#
#   deploy/local-cluster.sh [--workers N] [--bin DIR] [--logs DIR] [--] TRAIN-FLAGS...
#   deploy/local-cluster.sh --workers 2 --config examples/passengers/config.json --out runs/passengers-cluster
#
#   --workers N   worker processes (default 2); the coordinator waits for all (--min-workers N)
#   --bin DIR     folder with rnn-cluster.dll and rnn-worker.dll (default: build src/Coordinator, Release)
#   --logs DIR    where coordinator.log and worker-K.log go (default: a new folder under /tmp)
# TRAIN-FLAGS go to `rnn-cluster train`; the script adds --cluster, --host, --port and --min-workers N
# (unless TRAIN-FLAGS hold --min-workers).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/nodes.sh"

WORKERS=2
TRAIN=()
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) need_count "$@"; WORKERS=$2; shift 2 ;;
    --bin) need_value "$@"; BIN=$2; shift 2 ;;
    --logs) need_value "$@"; LOGS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; TRAIN+=("$@"); break ;;
    *) TRAIN+=("$1"); shift ;;
  esac
done
[ ${#TRAIN[@]} -gt 0 ] || die "expected the flags of rnn-cluster train (at least --config FILE); see --help"
command -v dotnet >/dev/null || die "dotnet not found"
resolve_logs
resolve_bin

# A port no socket on this machine uses now: the seed address must be known before the coordinator starts.
free_port() {
  local used port
  used=$(awk 'FNR > 1 { n = split($2, a, ":"); print a[n] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
  while :; do
    port=$((20000 + RANDOM % 40000))
    grep -qx "$(printf '%04X' "$port")" <<< "$used" || { echo "$port"; return; }
  done
}
PORT=$(free_port)

PIDS=()
FOLLOWER=
# The nodes first, then the follower, which so shows what the coordinator said on its way out (where its
# checkpoint is, how to resume).
cleanup() {
  trap - EXIT INT TERM
  stop_pids 15 "${PIDS[@]}"
  [ -z "$FOLLOWER" ] || await_pids 2 "$FOLLOWER"
}
trap cleanup EXIT
trap 'say "interrupted: stopping every node"; cleanup; exit 130' INT TERM

start_node "$LOGS/coordinator.log" dotnet "$BIN/rnn-cluster.dll" train "${TRAIN[@]}" \
  --cluster --host 127.0.0.1 --port "$PORT" $(min_workers_flag)
COORDINATOR=$NODE_PID
PIDS+=("$COORDINATOR")
for k in $(seq 1 "$WORKERS"); do
  start_node "$LOGS/worker-$k.log" dotnet "$BIN/rnn-worker.dll" \
    --seed-nodes "akka.tcp://rnn-cluster@127.0.0.1:$PORT" --host 127.0.0.1 --port 0
  PIDS+=("$NODE_PID")
done
say "coordinator on 127.0.0.1:$PORT, $WORKERS workers; logs in $LOGS"

# In the background, so that a SIGTERM to this script is handled at once (bash runs traps between commands).
follow "$LOGS/coordinator.log" "$COORDINATOR" &
FOLLOWER=$!
status=0
wait "$COORDINATOR" || status=$?
wait "$FOLLOWER" || true
say "coordinator exited with code $status"
exit "$status"
