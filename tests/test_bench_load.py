"""The load benchmark reads wrk's report and names its copies of static files right."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


WRK_REPORT = """Running 5s test @ http://127.0.0.1:8000/banking/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    41.20ms   10.11ms 120.50ms   70.00%
    Req/Sec   190.10     20.00   230.00     80.00%
  Latency Distribution
     50%   40.10ms
     75%   45.00ms
     90%   55.00ms
     99%    1.20s
  1901 requests in 5.00s, 30.10MB read
  Socket errors: connect 0, read 0, write 0, timeout 3
  Non-2xx or 3xx responses: 2
Requests/sec:    380.20
Transfer/sec:      6.02MB
"""


def test_wrk_figures_are_read_with_their_units(load):
    run = load.parse_wrk(WRK_REPORT)
    assert run.rps == pytest.approx(380.2)
    assert run.requests == 1901
    assert run.p50_ms == pytest.approx(40.1)
    assert run.p99_ms == pytest.approx(1200.0)
    assert run.errors == 5


def test_a_row_compares_with_the_baseline_run_beside_it(load):
    row = load.Row("/", "customer", load.Run(rps=50.0), load.Run(rps=200.0))
    assert row.ratio == pytest.approx(0.25)
    assert load.Row("/", "customer", load.Run(rps=50.0), load.Run()).ratio == 0.0
    [line] = load.table([row])[2:]
    assert line.startswith("| / | customer | 50.0 |")


def test_the_ingest_script_sends_each_reading_once_in_the_past(load, tmp_path):
    script = load.ingest_script(tmp_path, "batch", "/api/v1/automotive/telemetry", "tok", 100)
    text = script.read_text()
    assert "for i = 0, 100 - 1 do" in text
    assert '"Bearer tok"' in text
    assert "%(" not in text
