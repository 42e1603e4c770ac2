#!/bin/bash
# Peak resident memory (MiB) of one process per framework and workload, as in
# docs/PERFORMANCE.md "Peak memory": the peer scripts report none, so each runs under
# /usr/bin/time. Usage: scripts/peak_memory.sh [GRADUS_BINARY]
# (PEERS_DIR defaults to ../shared/bench/peers, PEERS_VENV to ~/.venvs/peers; WORKLOADS
# to all seven.)
set -u
GRADUS="$(realpath "${1:-target/release/gradus}")"
# shellcheck source=peers_env.sh
. "$(dirname "$0")/peers_env.sh"
cd "$PEERS" || exit 2
rss=$(mktemp)
trap 'rm -f "$rss"' EXIT
WORKLOADS="${WORKLOADS:-digits-mlp wide-mlp tiny-mlp-smallbatch tiny-mlp-smallbatch-f64 deqn-step pinn-step pinn-step-f64}"
for w in $WORKLOADS; do
  for fw in gradus jax torch; do
    case $fw in
      torch) cmd=("$PY" bench_torch.py --workload "$w" --json --repeats 2) ;;
      jax) cmd=("$PY" bench_jax.py --workload "$w" --json --variant loop --repeats 2) ;;
      gradus) cmd=("$GRADUS" bench "$w" --threads 2 --json --repeats 2) ;;
    esac
    /usr/bin/time -f "%M" -o "$rss" "${cmd[@]}" >/dev/null 2>&1 || echo "$w $fw failed" >&2
    awk -v w="$w" -v f="$fw" 'END { printf "%-26s %-7s %8.1f MiB\n", w, f, $1 / 1024 }' "$rss"
  done
done
