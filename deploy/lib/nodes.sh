# nodes.sh - what local-cluster.sh and netns-cluster.sh share: finding the programs, starting a node with its
# log, stopping nodes. Sourced, not run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

die() { echo "${0##*/}: $*" >&2; exit 2; }
say() { echo "[${0##*/}] $*" >&2; }

# BIN: the folder holding rnn-cluster.dll and rnn-worker.dll. Without --bin, publish both programs (Release)
# into LOGS/bin, as the image does, so the scripts never run stale programs; the output goes to LOGS/build.log.
resolve_bin() {
  if [ -z "${BIN:-}" ]; then
    say "building src/Coordinator and src/Worker (Release) ..."
    BIN=$LOGS/bin
    for project in Coordinator Worker; do
      dotnet publish "$REPO/src/$project" -c Release --nologo -o "$BIN" >> "$LOGS/build.log" 2>&1 \
        || { tail -n 20 "$LOGS/build.log" >&2; die "the build failed (log: $LOGS/build.log)"; }
    done
  fi
  for dll in rnn-cluster.dll rnn-worker.dll; do
    [ -f "$BIN/$dll" ] || die "--bin: no $dll in '$BIN'"
  done
  BIN=$(cd "$BIN" && pwd)
}

# LOGS: the folder for the nodes' logs (a new one under /tmp unless --logs named one).
resolve_logs() {
  if [ -z "${LOGS:-}" ]; then LOGS=$(mktemp -d "/tmp/${0##*/}.XXXXXX"); fi
  mkdir -p "$LOGS" || die "--logs: cannot create '$LOGS'"
  LOGS=$(cd "$LOGS" && pwd)
}

# The value after a flag, or a one-line error naming the flag.
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1: expected a value"; }
need_count() { need_value "$@"; [[ "$2" =~ ^[1-9][0-9]{0,2}$ ]] || die "$1: expected a positive number, got '$2'"; }

# `--min-workers WORKERS` (wait for every worker started) unless the train flags hold their own.
min_workers_flag() {
  local word
  for word in "${TRAIN[@]}"; do case "$word" in --min-workers|--min-workers=*) return ;; esac; done
  echo --min-workers "$WORKERS"
}

# start_node LOG CMD...: runs CMD in the background, output to LOG; sets NODE_PID.
start_node() {
  local log=$1; shift
  "$@" > "$log" 2>&1 &
  NODE_PID=$!
}

# stop_pids GRACE PID...: SIGTERM (a coordinator then writes a checkpoint and a worker leaves the cluster),
# SIGKILL to whatever still runs GRACE seconds later.
stop_pids() {
  [ $# -gt 1 ] || return 0
  local grace=$1; shift
  kill -TERM "$@" 2>/dev/null || true
  await_pids "$grace" "$@"
}

# await_pids GRACE PID...: waits up to GRACE seconds for the processes to end, then kills what is left.
await_pids() {
  local grace=$1 pid tenths=0 alive; shift
  while [ "$tenths" -lt $((grace * 10)) ]; do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 1 ] || return 0
    sleep 0.1; tenths=$((tenths + 1))
  done
  kill -KILL "$@" 2>/dev/null || true
}

# follow LOG PID: shows LOG as it grows until process PID ends. Run in the background; it ignores Ctrl+C, so
# that what the coordinator prints while it stops (its checkpoint, how to resume) still shows.
follow() {
  trap '' INT
  tail -n +1 -f --pid="$2" "$1" 2>/dev/null || true
}
