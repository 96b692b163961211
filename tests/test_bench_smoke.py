"""Benchmarks that never rot (issue 11): every script in bench/ runs in its --smoke size
inside the suite, so a schema or API change that breaks a benchmark fails CI.

The scripts are discovered, not listed: every bench/*.py with a `__main__` block (helpers
such as bench_settings.py have none), so a new benchmark is run, and fails here until it has
--smoke. Each runs as a subprocess, as a person would run it, on the suite's database:
PostgreSQL when DATABASE_URL names one (the script makes its own throwaway database on that
server, named after its process id, and drops it), SQLite otherwise. Scripts bind their
gunicorn to a port the system picks, so parallel workers (pytest -n 2) never collide.
Nothing about speed is asserted: a smoke run's figures mean nothing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TIMEOUT = 240  # seconds per script; a smoke run takes well under a minute
MAIN_BLOCK = re.compile(r"^if __name__ == [\"']__main__[\"']:", re.MULTILINE)

# What each known script prints once every part has run (a new script: any output).
PRINTS = {
    "tally.py": [
        "(a) The count alone, ballots already in memory",
        "(b) From the ballot table",
        "Targets (PASS/MISS per run, as in the tables)",
        "our winners equal starvote's",
    ],
    "forums.py": [
        "SQL queries per request",
        "Same number of queries on the demo data and on the seeded data",
        "Under load (GETs by a visitor who is not signed in, and, marked ⓢ, by Alice signed in",
        "thread ⓢ",
        "home ⓢ ÷ forum:",
        "Total time",
    ],
    "voting.py": [
        "one ballot in-process",
        "(a) ballots cast through the API and (b) the trivial view",
        "as many 'has voted' rows and ballots, every check code handed out is a boxed ballot: OK",
        "(c) From the close to the published result",
        "Total time",
    ],
    "sealed.py": [
        "(a) The server's check per ballot, against belenios-tool election verify",
        "(b) Casts over HTTP",
        "every answer 201 with the ballot's tracker",
        "(c) From the close to the published result",
        "belenios-tool election verify on the published archive: OK",
        "the published result equals the count of the cast vectors: OK",
        "Total time",
    ],
}


def bench_scripts() -> list[Path]:
    """Every runnable script in bench/: a .py file with a `__main__` block."""
    return sorted(
        path for path in BENCH.glob("*.py") if MAIN_BLOCK.search(path.read_text(encoding="utf-8"))
    )


SCRIPTS = bench_scripts()


def script_env() -> dict[str, str]:
    """The suite's environment (DATABASE_URL included), without the test settings: each
    script chooses its own."""
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if urlsplit(url).scheme in ("postgres", "postgresql", "pgsql") else None


def run(script: Path, *args: str, timeout: float = TIMEOUT) -> tuple[int, str, str, int]:
    """(exit status, stdout, stderr, pid). On timeout the script gets SIGTERM first, so it
    stops its gunicorn and drops its database, then SIGKILL."""
    proc = subprocess.Popen(
        [sys.executable, str(script.relative_to(ROOT)), *args],
        cwd=ROOT,
        env=script_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        pytest.fail(f"{script.name} --smoke took over {timeout} s:\n{err[-3000:]}")
    return proc.returncode, out, err, proc.pid


def leftover_databases(pid: int) -> list[str]:
    """Throwaway databases a run with this process id left on DATABASE_URL's server."""
    import psycopg

    url = postgres_url()
    assert url is not None
    parts = urlsplit(url)
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'folkmoot_bench%%' "
            "AND datname LIKE %s",
            [f"%\\_{pid}"],
        ).fetchall()
    return [name for (name,) in rows]


def test_the_benchmarks_are_discovered() -> None:
    """Issue 11: the discovery finds the known benchmarks and leaves helpers out, so none
    of them silently stops being run."""
    names = {path.name for path in SCRIPTS}
    assert {"tally.py", "forums.py", "voting.py"} <= names
    assert "bench_settings.py" not in names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_every_benchmark_offers_smoke(script: Path) -> None:
    """Issue 11: every bench script has a --smoke flag (a new one fails here until it does)."""
    status, out, err, _ = run(script, "--help", timeout=60)
    assert status == 0, err[-2000:]
    assert "--smoke" in out, f"{script.name} has no --smoke flag"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_benchmark_runs_in_smoke_size(script: Path) -> None:
    """Issue 11 ("benchmarks that never rot"): the script runs every part at its smoke size
    on the suite's database, exits 0 (a failed request, an error or a wrong result makes it
    exit 1) and prints its result tables; on PostgreSQL it drops its throwaway database."""
    status, out, err, pid = run(script, "--smoke")
    assert status == 0, f"{script.name} --smoke exited {status}:\n{err[-4000:]}"
    assert out.strip(), f"{script.name} --smoke printed nothing"
    for line in PRINTS.get(script.name, []):
        assert line in out, f"{script.name} --smoke did not print {line!r}:\n{out[-3000:]}"
    if postgres_url() is not None:
        assert leftover_databases(pid) == []
