#!/bin/bash
# gradus against JAX on one workload, measured pair by pair: N times, one fresh JAX process
# and then one fresh gradus process, as `run_all.sh --quick` runs them. JAX runs its scan
# variant, the fastest JAX on digits, tiny and deqn; set JAX_ARGS="--variant loop --pinn-mode
# jvp" for the pinn workloads, where that one is fastest. On a VM whose speed drifts between
# phases of seconds to minutes, a ratio taken within a pair compares like with like; a
# run's three processes per side may fall into different phases (docs/PERFORMANCE.md,
# "Paired measurements").
# Usage: scripts/paired_jax.sh WORKLOAD [GRADUS_BINARY] [N]
# (PEERS_DIR defaults to ../shared/bench/peers, PEERS_VENV to ~/.venvs/peers.)
set -u
W="${1:?usage: scripts/paired_jax.sh WORKLOAD [GRADUS_BINARY] [N]}"
GRADUS="$(realpath "${2:-target/release/gradus}")"
N="${3:-20}"
# shellcheck source=peers_env.sh
. "$(dirname "$0")/peers_env.sh"
step_us() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read().split("\n")[-2])["median_step_us"])'; }
ratios=()
for i in $(seq 1 "$N"); do
  # shellcheck disable=SC2086 # JAX_ARGS is a list of flags
  j=$("$PY" "$PEERS/bench_jax.py" --workload "$W" --json ${JAX_ARGS:---variant scan} --repeats 2 2>/dev/null | step_us)
  g=$("$GRADUS" bench "$W" --threads 2 --json 2>/dev/null | step_us)
  r=$(python3 -c "print(f'{$g / $j:.3f}')")
  printf 'pair %2d: JAX %8.1f us, gradus %8.1f us, ratio %s\n' "$i" "$j" "$g" "$r"
  ratios+=("$r")
done
python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f"median ratio {statistics.median(v):.3f} (min {min(v):.2f}, max {max(v):.2f}, {len(v)} pairs)")' "${ratios[@]}"
