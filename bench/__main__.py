"""`make bench [SCENARIO=<name>]`: run the benchmark scenarios.

Each scenario starts from an empty bench database, writes bench/results/<name>.json
(metric -> number) and prints its numbers next to their targets. The targets are
reported, not asserted: these machines are shared and small.
"""

import argparse
import importlib
import signal
import sys

SCENARIOS = (
    "ingest",
    "orders_list",
    "polling",
    "live_push",
    "messages",
    "invoices",
    "portal",
    "discord",
    "slow_clients",
    "dashboard",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "scenarios", nargs="*", metavar="SCENARIO", help=f"one of {SCENARIOS}"
    )
    names = parser.parse_args(argv).scenarios or list(SCENARIOS)
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; known: {SCENARIOS}")

    from bench import common

    # Stopped from outside (devstack forwards SIGTERM): unwind, so the web server
    # a scenario started is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    common.setup()
    for name in names:
        scenario = importlib.import_module(f"bench.{name}")
        print(f"bench: {name} ...", flush=True)
        common.reset()
        metrics = scenario.run()
        path = common.write_results(name, metrics)
        common.print_table(name, metrics, scenario.TARGETS)
        print(f"  -> {path.relative_to(common.ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
