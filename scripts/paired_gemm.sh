#!/bin/bash
# wide-mlp's step against the machine's GEMM rate, measured pair by pair: N times,
# `bench_gemm.py` (PyTorch/MKL, 2 threads, f32, wide-mlp's two layer shapes) and then one
# fresh `gradus bench wide-mlp` process. Prints each pair's GEMM rates, the rate of wide-mlp's
# products over its whole step, and their ratio (the issue's ≥ 80% target;
# docs/PERFORMANCE.md, "Paired measurements").
# Usage: scripts/paired_gemm.sh [GRADUS_BINARY] [N]
# (PEERS_DIR defaults to ../shared/bench/peers, PEERS_VENV to ~/.venvs/peers.)
set -u
GRADUS="$(realpath "${1:-target/release/gradus}")"
N="${2:-10}"
# shellcheck source=peers_env.sh
. "$(dirname "$0")/peers_env.sh"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for i in $(seq 1 "$N"); do
  "$PY" "$PEERS/bench_gemm.py" --lib torch --threads 2 --json 2>/dev/null | python3 -c "
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    if d.get('dtype') == 'float32' and d['workload'] in ('gemm-256x784x512', 'gemm-512x784x256'):
        print(json.dumps({'pair': $i, 'gflops': d['gflops']}))" >> "$out"
  "$GRADUS" bench wide-mlp --threads 2 --json 2>/dev/null | python3 -c "
import json, sys
print(json.dumps({'pair': $i, 'us': json.loads(sys.stdin.read())['median_step_us']}))" >> "$out"
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
# wide-mlp's products per step: 2·256·(784·512·2 + 512·512·3 + 512·10·3) = 0.8216 GFLOP.
flop = 2 * 256 * (784 * 512 * 2 + 512 * 512 * 3 + 512 * 10 * 3)
fast, slow = [], []
for p in sorted({r["pair"] for r in rows}):
    g = [r["gflops"] for r in rows if r["pair"] == p and "gflops" in r]
    us = [r["us"] for r in rows if r["pair"] == p and "us" in r]
    if not g or not us:
        print(f"pair {p}: incomplete, skipped")
        continue
    rate = flop / (us[0] * 1e-6) / 1e9
    fast.append(rate / max(g))
    slow.append(rate / min(g))
    print(f"pair {p:2d}: MKL {min(g):6.1f}-{max(g):6.1f} GFLOP/s, wide-mlp {us[0]:6.0f} us "
          f"= {rate:6.1f} GFLOP/s, ratio {fast[-1]:.2f}-{slow[-1]:.2f}")
if fast:
    print(f"median ratio {statistics.median(fast):.3f} against MKL's faster shape, "
          f"{statistics.median(slow):.3f} against its slower ({len(fast)} pairs)")
PY
