"""Every `make bench` scenario still runs: each once at a tiny size (BENCH_SMOKE),
against this test run's own PostgreSQL and Redis, with make bench's database
roles. The numbers mean nothing at this size; a scenario that raises (a seeding
that no longer fits the schema, a changed answer, a statement the application
role may not run) fails here the day it breaks instead of the day someone
measures."""

import json
import os
import subprocess
import sys

import pytest

from bench import __main__ as bench_main
from bench import common
from performile.db import roles

pytestmark = pytest.mark.bench_smoke


def redis_url(database: int) -> str:
    base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    return f"{base}/{database}"


@pytest.mark.parametrize("scenario", bench_main.SCENARIOS)
def test_the_scenario_runs(scenario):
    # A database and a Redis database of its own (the test workers' caches use
    # 1-15; devstack's Redis has 32), so scenarios on parallel workers never share a broker.
    # With the roles make bench has (devstack --roles): the scenario's web server
    # and workers connect as the application role.
    env = {
        **os.environ,
        **roles.trusted_urls(os.environ["DATABASE_URL"]),
        "BENCH_SMOKE": "1",
        "BENCH_DATABASE": f"performile_smoke_{scenario}",
        "REDIS_URL": redis_url(16 + bench_main.SCENARIOS.index(scenario)),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "bench", scenario],
        cwd=common.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(
        (common.ROOT / "bench" / "results" / "smoke" / f"{scenario}.json").read_text()
    )
    assert results["cpu_ms_per_event"] > 0
    if os.environ.get("PERFORMILE_PG_STAT_STATEMENTS") == "1":  # as make test runs
        assert results["statements_per_event"] > 0
