#!/usr/bin/env bash
# test_mpi_netns.sh — ppad across a network (issue 14): two network namespaces
# joined by a veth pair act as two hosts, each with its own hostname; mpirun
# runs in the first, Open MPI's rsh agent is a script that starts the remote
# daemon in the second with `ip netns exec`, and both the MPI traffic (btl
# tcp) and Open MPI's own (oob) are restricted to that link. A training run
# there gives the same prompt file and scores as one process, and the link's
# byte counters show the traffic went over it. Skipped, saying why, where
# Open MPI or network namespaces are not available — never faked.
source "$(dirname "$0")/../lib/check.sh"

if ! command -v mpirun >/dev/null; then echo "SKIP test_mpi_netns: mpirun not found (install openmpi-bin)"; finish; exit; fi
if ! ldd "$PPAD" | grep -q libmpi; then echo "SKIP test_mpi_netns: $PPAD was built without MPI"; finish; exit; fi
if ! command -v ip >/dev/null; then echo "SKIP test_mpi_netns: ip (iproute2) not found"; finish; exit; fi

A=ppadA$$ B=ppadB$$ NET=10.$((77 + $$ % 100)).$(($$ / 100 % 250))
cleanup() { ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
if ! ip netns add "$A" 2>"$T/ns.err"; then
  echo "SKIP test_mpi_netns: this machine does not allow network namespaces ($(head -1 "$T/ns.err"))"; finish; exit
fi
if ! { ip netns add "$B" && ip link add "vA$$" type veth peer name "vB$$" && ip link set "vA$$" netns "$A" \
       && ip link set "vB$$" netns "$B" && ip -n "$A" addr add "$NET.1/24" dev "vA$$" \
       && ip -n "$B" addr add "$NET.2/24" dev "vB$$" && ip -n "$A" link set "vA$$" up && ip -n "$B" link set "vB$$" up \
       && ip -n "$A" link set lo up && ip -n "$B" link set lo up; } 2>"$T/ns.err"; then
  echo "SKIP test_mpi_netns: cannot set up the veth pair between namespaces ($(head -1 "$T/ns.err"))"; finish; exit
fi
UTS=""
command -v unshare >/dev/null && unshare --uts true 2>/dev/null && UTS=1

# the rsh agent: "agent HOST COMMAND..." runs COMMAND in HOST's namespace, under HOST's own hostname
cat >"$T/agent.sh" <<EOF
#!/bin/sh
host=\$1; shift
case "\$host" in $NET.1) ns=$A;; $NET.2) ns=$B;; *) echo "agent: unknown host \$host" >&2; exit 1;; esac
if [ -n "$UTS" ]; then exec ip netns exec "\$ns" unshare --uts sh -c "hostname node-\$ns; \$*"; fi
exec ip netns exec "\$ns" sh -c "\$*"
EOF
chmod +x "$T/agent.sh"
printf '%s slots=1\n%s slots=1\n' "$NET.1" "$NET.2" >"$T/hosts"
in_a() { # runs a command line in namespace A (as host 1)
  if [ -n "$UTS" ]; then ip netns exec "$A" unshare --uts sh -c "hostname node-$A; $1"
  else ip netns exec "$A" sh -c "$1"; fi
}

[ -n "${PPAD_ASAN:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" # see test_mpi.sh
W="$FIX/clip_tiny.pt"
cd "$T"
"$PPAD" phantom --out ph --normal 40 --abnormal 30 --train-normal 20 --seed 1 --quiet || { fail "phantoms" ""; finish; exit; }
TR="train --weights $W --data ph --shots 20 --batch 10 --epochs 3 --micro-batch 4 --threads 1 --quiet --seed 3 --json"
"$PPAD" $TR --out t1.pt --scores s1.csv >m1.json 2>e1

rx0=$(ip -n "$B" -s -j link show "vB$$" | /usr/bin/python3 -c "import json,sys; s=json.load(sys.stdin)[0]['stats64']; print(s['rx']['bytes']+s['tx']['bytes'])")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm_rsh_agent="$T/agent.sh" \
  OMPI_MCA_plm_rsh_no_tree_spawn=1 OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include="$NET.0/24" \
  OMPI_MCA_oob_tcp_if_include="$NET.0/24"
in_a "timeout 120 mpirun -q -hostfile $T/hosts -np 2 $PPAD $TR --out $T/t2.pt --scores $T/s2.csv >$T/m2.json 2>$T/e2"
rc=$?
rx1=$(ip -n "$B" -s -j link show "vB$$" | /usr/bin/python3 -c "import json,sys; s=json.load(sys.stdin)[0]['stats64']; print(s['rx']['bytes']+s['tx']['bytes'])")
[ $rc -eq 0 ] && pass "2 ranks on two hosts (network namespaces, TCP over a veth pair) finish" \
  || fail "2 ranks on two hosts finish" "rc=$rc $(tail -c 400 e2)"
cmp -s t1.pt t2.pt && [ -s t1.pt ] && pass "across the link: the same prompt file as one process" \
  || fail "across the link: the same prompt file as one process" "t1.pt vs t2.pt"
cmp -s s1.csv s2.csv && cmp -s m1.json m2.json && [ -s s1.csv ] \
  && pass "across the link: the same scores CSV and metrics as one process" || fail "across the link: scores/metrics" ""
# 6 steps of the tiny model (3 micro-batches each, their gradient records exchanged) and
# 2 evaluations: measured ~525 kB; nothing else uses this link
[ $((rx1 - rx0)) -gt 200000 ] && pass "the traffic went over the veth link ($((rx1 - rx0)) bytes)" \
  || fail "the traffic went over the veth link" "$((rx1 - rx0)) bytes"
[ -n "$UTS" ] && echo "# hostnames: node-$A, node-$B" || echo "# hostnames: shared (unshare --uts not available)"
finish
