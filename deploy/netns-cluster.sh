#!/usr/bin/env bash
# netns-cluster.sh - the docker-compose topology with every process on a network host of its own, as separate
# machines would be: each host is a Linux network namespace whose eth0 is one end of a veth pair, the other
# end a port of a bridge that lives in a namespace of its own (the switch). The addresses are the cluster's own
# (SUBNET.1 the coordinator, SUBNET.K+1 worker K); nothing in the root network namespace changes. Needs root
# and iproute2; delays need the kernel's sch_netem (without it, `delay` says so and does nothing).
#
#   netns-cluster.sh run [--name NAME] [--workers N] [--bin DIR] [--logs DIR] [--subnet A.B.C] [--] TRAIN-FLAGS...
#       build the network, start `rnn-cluster train TRAIN-FLAGS --cluster` on host `coordinator` and
#       `rnn-worker` on hosts worker1..workerN, show the coordinator's output, and remove everything when the
#       coordinator exits, on Ctrl+C or on any other exit. Exit code: the coordinator's.
#   netns-cluster.sh cut HOST [--name NAME]        unplug HOST: its switch port goes down (`ip link set down`)
#   netns-cluster.sh restore HOST [--name NAME]    plug it back in
#   netns-cluster.sh delay HOST MS|off [--name NAME]   add MS milliseconds each way on HOST's link (tc netem)
#   netns-cluster.sh hosts [--name NAME]           list the hosts, their addresses and whether their link is up
#   netns-cluster.sh down [--name NAME]            stop every process on the hosts and remove the namespaces
#
#   --name NAME   the cluster's name, the prefix of its namespaces (default rnn-netns); several can run at once
#   --workers N   worker hosts (default 3); the coordinator waits for all (--min-workers N)
#   --bin DIR     folder with rnn-cluster.dll and rnn-worker.dll (default: build src/Coordinator, Release)
#   --logs DIR    where coordinator.log and worker-K.log go (default: a new folder under /tmp)
#   --subnet A.B.C   the hosts' /24 (default 10.200.0); it exists only inside the cluster's namespaces
#
# Example: in one terminal
#   sudo deploy/netns-cluster.sh run --workers 3 --config examples/passengers/config.json --out runs/netns
# and in another, while it trains:  sudo deploy/netns-cluster.sh cut worker2
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/nodes.sh"

NAME=rnn-netns
WORKERS=3
SUBNET=10.200.0
PORT=4053
COMMAND=${1:-}
[ $# -gt 0 ] && shift
ARGS=()
TRAIN=()
while [ $# -gt 0 ]; do
  case "$1" in
    --name) need_value "$@"; NAME=$2; shift 2 ;;
    --workers) need_count "$@"; WORKERS=$2; shift 2 ;;
    --bin) need_value "$@"; BIN=$2; shift 2 ;;
    --logs) need_value "$@"; LOGS=$2; shift 2 ;;
    --subnet) need_value "$@"; SUBNET=$2; shift 2 ;;
    --) shift; TRAIN+=("$@"); break ;;
    *) if [ "$COMMAND" = run ]; then TRAIN+=("$1"); else ARGS+=("$1"); fi; shift ;;
  esac
done
[[ "$NAME" =~ ^[a-z][a-z0-9-]{0,19}$ ]] || die "--name: expected up to 20 lower-case letters, digits and '-', got '$NAME'"
[[ "$SUBNET" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "--subnet: expected A.B.C (the hosts' /24), got '$SUBNET'"
[ "$WORKERS" -le 250 ] || die "--workers: at most 250 hosts fit in one /24"

SWITCH=$NAME-switch
namespace() { echo "$NAME-$1"; }
address() { if [ "$1" = coordinator ]; then echo "$SUBNET.1"; else echo "$SUBNET.$((${1#worker} + 1))"; fi; }
# The cluster's namespaces as they exist now (not as the flags say: `down` must find them all).
namespaces() { ip netns list | awk '{print $1}' | grep -E "^$NAME-(switch|coordinator|worker[0-9]+)$" || true; }
hosts_now() { namespaces | grep -v -- "-switch$" | sed "s/^$NAME-//" | sort -V; }

require_root() {
  [ "$(id -u)" = 0 ] || die "needs root: it creates network namespaces"
  command -v ip >/dev/null && command -v tc >/dev/null || die "needs iproute2 (ip and tc)"
}

# The HOST argument of cut/restore/delay, checked against the hosts that exist.
host_arg() {
  local host=${ARGS[0]:-}
  [ -n "$host" ] || die "$COMMAND: expected a host (see 'netns-cluster.sh hosts --name $NAME')"
  [ -n "$(namespaces)" ] || die "$COMMAND: no cluster named '$NAME' is up"
  ip netns list | awk '{print $1}' | grep -qx "$(namespace "$host")" \
    || die "$COMMAND: no host '$host' in cluster '$NAME' (hosts: $(hosts_now | tr '\n' ' '))"
  echo "$host"
}

add_host() { # HOST: a namespace with eth0 at its address, cabled to the switch's port named HOST
  local host=$1 ns
  ns=$(namespace "$1")
  ip netns add "$ns"
  ip -n "$SWITCH" link add "$host" type veth peer name eth0 netns "$ns"
  ip -n "$SWITCH" link set "$host" master br0 up
  ip -n "$ns" addr add "$(address "$host")/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
}

down() {
  local ns pids
  for ns in $(namespaces); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    # shellcheck disable=SC2086 # one word per process id
    stop_pids 15 $pids
  done
  for ns in $(namespaces); do ip netns del "$ns"; done
}

run() {
  [ ${#TRAIN[@]} -gt 0 ] || die "run: expected the flags of rnn-cluster train (at least --config FILE); see --help"
  [ -z "$(namespaces)" ] || die "a cluster named '$NAME' exists already; remove it with 'netns-cluster.sh down --name $NAME'"
  command -v dotnet >/dev/null || die "dotnet not found"
  resolve_logs
  resolve_bin

  local status=0 k
  FOLLOWER=
  # The nodes first, then the follower, which so shows what the coordinator said on its way out.
  trap 'down; [ -z "$FOLLOWER" ] || await_pids 2 "$FOLLOWER"' EXIT
  trap 'say "interrupted: stopping every node"; exit 130' INT TERM
  ip netns add "$SWITCH"
  ip -n "$SWITCH" link add br0 type bridge
  ip -n "$SWITCH" link set br0 up
  add_host coordinator
  for k in $(seq 1 "$WORKERS"); do add_host "worker$k"; done

  start_node "$LOGS/coordinator.log" ip netns exec "$(namespace coordinator)" dotnet "$BIN/rnn-cluster.dll" train \
    "${TRAIN[@]}" --cluster --host "$(address coordinator)" --port "$PORT" $(min_workers_flag)
  local coordinator=$NODE_PID
  for k in $(seq 1 "$WORKERS"); do
    start_node "$LOGS/worker-$k.log" ip netns exec "$(namespace "worker$k")" dotnet "$BIN/rnn-worker.dll" \
      --seed-nodes "akka.tcp://rnn-cluster@$(address coordinator):$PORT" --host "$(address "worker$k")" --port "$PORT"
  done
  say "cluster '$NAME': coordinator at $(address coordinator):$PORT, hosts worker1..worker$WORKERS at $SUBNET.2-$((WORKERS + 1)); logs in $LOGS"

  # In the background, so that a SIGTERM to this script is handled at once (bash runs traps between commands).
  follow "$LOGS/coordinator.log" "$coordinator" &
  FOLLOWER=$!
  wait "$coordinator" || status=$?
  wait "$FOLLOWER" || true
  say "coordinator exited with code $status"
  exit "$status"
}

delay() {
  local host ms ns
  host=$(host_arg)
  ms=${ARGS[1]:-}
  [[ "$ms" =~ ^([0-9]{1,5}|off)$ ]] || die "delay: expected milliseconds or 'off' after the host, got '$ms'"
  ns=$(namespace "$host")
  if [ "$ms" = off ]; then
    tc -n "$SWITCH" qdisc del dev "$host" root 2>/dev/null || true
    tc -n "$ns" qdisc del dev eth0 root 2>/dev/null || true
    say "$host: no delay"
    return
  fi
  # Both directions: the switch port's egress delays what reaches the host, eth0's what it sends.
  if ! tc -n "$SWITCH" qdisc replace dev "$host" root netem delay "${ms}ms" 2>/dev/null; then
    say "this kernel has no netem queueing discipline (sch_netem): delay skipped"
    return
  fi
  tc -n "$ns" qdisc replace dev eth0 root netem delay "${ms}ms"
  say "$host: ${ms} ms each way"
}

case "$COMMAND" in
  run) require_root; run ;;
  cut) require_root; host=$(host_arg); ip -n "$SWITCH" link set "$host" down; say "$host: link cut" ;;
  restore) require_root; host=$(host_arg); ip -n "$SWITCH" link set "$host" up; say "$host: link restored" ;;
  delay) require_root; delay ;;
  hosts)
    require_root
    for host in $(hosts_now); do
      state=$(ip -n "$SWITCH" -o link show "$host" | grep -q '[<,]UP[,>]' && echo up || echo cut)
      address=$(ip -n "$(namespace "$host")" -o -4 addr show dev eth0 | awk '{print $4}')
      printf '%-12s %-18s %-24s link %s\n' "$host" "$address" "$(namespace "$host")" "$state"
    done ;;
  down) require_root; down ;;
  -h|--help|'') sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; [ -n "$COMMAND" ] || exit 2 ;;
  *) die "unknown command '$COMMAND'; expected run, cut, restore, delay, hosts or down (see --help)" ;;
esac
