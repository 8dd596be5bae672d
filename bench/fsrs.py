"""Benchmark: FSRS Optimize on 10,000 and 100,000 synthetic reviews.

Usage: python bench/fsrs.py
A synthetic learner (tests/srs_synthetic.py: memory follows known FSRS-6 parameters) studies for a
year; 100,000 reviews are ten copies of such logs under other card ids. Prints, in seconds, the time
to build Anki's training items from the log and to fit and evaluate (fsrs-rs via fsrs_rs_python,
the work of one "Optimize" click), wall clock and the process's CPU time (a busy machine inflates
the first), then the simulator's times for a 365-day horizon (bench/fsrs_simulate.py).
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

# This file's own folder comes first on sys.path, where "fsrs" would be this script, not the fsrs
# library app.srs imports: put the repository root there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from app.srs import DayClock  # noqa: E402
from app.srs.optimize import DEFAULT_PARAMETERS, LogEntry, fit, training_set  # noqa: E402
from tests.srs_synthetic import entries, synthetic_log  # noqa: E402


def simulation_bench() -> None:
    """bench/fsrs_simulate.py's run, loaded by path (the bench folder is no package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "fsrs_simulate", Path(__file__).with_name("fsrs_simulate.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["fsrs_simulate"] = module
    spec.loader.exec_module(module)
    module.run()


def learner_log(target: int) -> list[LogEntry]:
    base = entries(synthetic_log(cards=1000, days=365, new_per_day=20, seed=1))
    copies, log = 0, []
    while len(log) < target:
        offset = copies * 1_000_000
        log.extend(replace(e, card_id=e.card_id + offset) for e in base)
        copies += 1
    return log[:target]


def main() -> None:
    everything = learner_log(100_000)
    rollover = DayClock().next_rollover(max(e.at for e in everything))
    print(f"{'reviews':>8} {'items':>8} {'build s':>8} {'fit s':>8} {'fit cpu s':>9}  kept")
    for size in (10_000, 100_000):
        log = everything[:size]
        started = time.perf_counter()
        data = training_set(log, rollover)
        built, cpu = time.perf_counter(), time.process_time()
        result = fit(data, DEFAULT_PARAMETERS)
        done, cpu = time.perf_counter(), time.process_time() - cpu
        print(
            f"{size:>8} {len(data.items):>8} {built - started:>8.2f} {done - built:>8.2f} {cpu:>9.2f}"
            f"  {result.kept}"
        )
    print()
    simulation_bench()  # the simulator on a 365-day horizon (bench/fsrs_simulate.py; --large there)


if __name__ == "__main__":
    main()
