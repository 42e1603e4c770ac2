# Sourced by the scripts that time gradus beside the peers: where the peer scripts and their
# Python are (PEERS_DIR defaults to ../shared/bench/peers, PEERS_VENV to ~/.venvs/peers), and
# the environment `run_all.sh --quick` gives every process (2 threads, quick repeats).
PEERS="$(realpath "${PEERS_DIR:-../shared/bench/peers}")"
PY="${PEERS_VENV:-$HOME/.venvs/peers}/bin/python"
export OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 BENCH_THREADS=2
export PYTHONHASHSEED=0 BENCH_QUICK=1 TF_CPP_MIN_LOG_LEVEL=2
