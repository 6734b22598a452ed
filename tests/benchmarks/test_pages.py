"""benchmarks/pages.py reads wrk's report: real wrk 4.1.0 output with the script's NON200 line
(against the bare page, a missing path and a server that cuts every answer short), and one report
written in wrk's format for seconds and timeouts; and it counts a server's CPU from /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from benchmarks.pages import (
    backends_cpu_since,
    errors_text,
    figure,
    group_cpu_s,
    parse_wrk,
    process_cpu_s,
    table,
)

PAGE = """Running 1s test @ http://127.0.0.1:18765/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.08ms    2.29ms  14.56ms   86.70%
    Req/Sec     5.36k     2.21k    9.12k    60.00%
  Latency Distribution
     50%    0.99ms
     75%    2.44ms
     90%    5.24ms
     99%   11.26ms
  10715 requests in 1.01s, 52.47MB read
Requests/sec:  10628.76
Transfer/sec:     52.05MB
NON200 0
"""

NOT_FOUND = """Running 1s test @ http://127.0.0.1:18765/nope
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.71ms    2.09ms  21.72ms   88.78%
    Req/Sec     6.71k     3.15k   10.60k    55.00%
  Latency Distribution
     50%    1.01ms
     75%    1.57ms
     90%    4.02ms
     99%   10.40ms
  13411 requests in 1.01s, 2.20MB read
  Non-2xx or 3xx responses: 13411
Requests/sec:  13255.34
Transfer/sec:      2.17MB
NON200 13411
"""

BROKEN = """Running 1s test @ http://127.0.0.1:18766/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  0 requests in 1.01s, 461.67KB read
  Socket errors: connect 0, read 11252, write 0, timeout 0
Requests/sec:      0.00
Transfer/sec:    458.15KB
NON200 0
"""

SLOW = """  Latency Distribution
     50%    1.20s
     75%    1.50s
     90%    1.80s
     99%    1.95s
  31 requests in 10.00s, 2.00MB read
  Socket errors: connect 0, read 0, write 0, timeout 7
Requests/sec:      3.10
NON200 2
"""


def test_a_clean_run() -> None:
    result = parse_wrk(PAGE)
    assert result == {
        "requests": 10715,
        "req_s": 10628.76,
        "p50_ms": 0.99,
        "p99_ms": 11.26,
        "non_200": 0,
        "socket_errors": {},
    }
    assert errors_text(result) == "0"


def test_answers_other_than_200_are_errors() -> None:
    result = parse_wrk(NOT_FOUND)
    assert result["non_200"] == 13411
    assert errors_text(result) == "13411 ≠200"


def test_socket_errors_and_units() -> None:
    broken = parse_wrk(BROKEN)
    assert broken["socket_errors"] == {"connect": 0, "read": 11252, "write": 0, "timeout": 0}
    assert (broken["requests"], broken["req_s"], broken["p50_ms"]) == (0, 0.0, 0.0)
    assert errors_text(broken) == "ingen svar, 11252 read"
    slow = parse_wrk(SLOW)
    assert (slow["p50_ms"], slow["p99_ms"]) == (1200.0, 1950.0)
    assert errors_text(slow) == "2 ≠200, 7 timeout"


BURN = """
import subprocess, sys, time
def burn(seconds):
    while time.process_time() < seconds:
        pass
if sys.argv[1] == "parent":
    child = subprocess.Popen([sys.executable, "-c", __doc__, "child"], stdout=subprocess.PIPE)
    burn(0.3)
    child.stdout.readline()
    print("done", flush=True)
    sys.stdin.readline()
else:
    burn(0.2)
    print("done", flush=True)
    sys.stdin.readline()
"""


def test_the_cpu_of_a_servers_process_group_is_counted() -> None:
    """What ``pages.py`` counts per wrk run: a server and its workers are one process group."""
    script = f'"""{BURN}"""\n' + BURN
    server = subprocess.Popen(
        [sys.executable, "-c", script, "parent"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == b"done"
        both = group_cpu_s(server.pid)
        assert 0.45 <= both < 5, both  # 0.3 + 0.2 s, in clock ticks (10 ms) per process
        assert 0.28 <= process_cpu_s(server.pid) < both
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    assert process_cpu_s(server.pid) == 0.0


def test_the_table_shows_a_figure_the_run_could_not_compute_as_a_dash() -> None:
    wrk = {**parse_wrk(PAGE), "app_cpu_ms_per_request": 1.5, "db_cpu_ms_per_request": 0.0}
    bare = {**parse_wrk(PAGE), "cpu_ms_per_request": 0.1}
    page = {
        "path": "/fordeling",
        "persona": "leder",
        "card": False,
        "bytes": 1000,
        "p50_ms": 9.5,
        "max_ms": 12.0,
        "check": "ok",
        "wrk": wrk,
        "percent_of_bare": None,
        "cpu_percent_of_bare": 6.7,
    }
    result = {"bare": {"bytes": 1000, "before": bare, "after": bare, "req_s": bare["req_s"]}, "pages": [page]}

    row = table(result).splitlines()[2]

    assert row.startswith(
        "| `/fordeling` | leder | 1000 | 9.5 | 12.0 | 10628.8 | – | 1.50 + 0.00 | 6.7 % | 1 / 11 |"
    )
    assert figure(None) == "–"
    assert figure(2.345, digits=2) == "2.35"
    assert figure(1.25, " %") == "1.2 %"


def test_backends_opened_or_closed_during_a_run_never_make_its_cpu_negative() -> None:
    before = {101: 5.0, 102: 7.5}  # 102 is closed by the pool during the run (it was idle)
    after = {101: 5.25, 103: 0.5}  # 103 is opened during the run
    assert backends_cpu_since(before, after) == 0.75
    assert backends_cpu_since({}, {}) == 0.0
