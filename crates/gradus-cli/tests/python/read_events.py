"""Reads the TensorBoard event files of a run folder with TensorBoard's own reader.

Usage: read_events.py RUN_DIR

Prints JSON: {tag: [[step, value], ...]} for every scalar TensorBoard finds. The Rust
test compares it with the run's metrics.json.
"""

import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def main():
    acc = EventAccumulator(sys.argv[1])
    acc.Reload()
    scalars = {
        tag: [[e.step, e.value] for e in acc.Scalars(tag)]
        for tag in acc.Tags()["scalars"]
    }
    print(json.dumps(scalars))


if __name__ == "__main__":
    main()
