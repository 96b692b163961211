"""Benchmark: how fast Folkmoot counts STAR, Bloc STAR and Allocated Score votes, against the
reference tabulator `starvote` (2.1), in memory and from the ballot table the platform stores.

Run from the repository root:

    .venv/bin/python bench/tally.py [--sizes 10000,100000,1000000] [--database sqlite|postgres|both]

Every size is N ballots over 5 candidates, drawn from a fixed seed: five voter profiles (factions
with a favourite and a least favourite), per-voter noise and generosity, 8 % bullet voters and
3 % random ballots, so a large vote holds thousands of distinct ballots (at most 6**5 = 7,776).
STAR elects one; Bloc STAR and Allocated Score fill 3 seats. The same ballots are counted by
every method and by both programs.

(a) In memory, no database — the count alone.
    ours      star() / bloc_star() / allocated_score() on a ScoreBallots already built from the
              (N, 5) array. Building it (np.unique over the rows) is timed separately: "build".
    starvote  starvote.election(method, ballots, tiebreaker=None, verbosity=0) on the same
              ballots as a list of {candidate: score} dicts, built beforehand.
    "speed-up" is starvote ÷ ours (target ≥ 20×); "incl. build" is starvote ÷ (build + ours),
    shown for honesty: it is what a caller holding a raw array would see.

(b) End to end from the database. N secret Ballot rows are bulk-loaded for one Vote before any
    timing (PostgreSQL: COPY, then VACUUM ANALYZE as autovacuum would; SQLite: executemany in
    one transaction, into a temporary database file made for the run).
    ours      decisions.counting.score_ballots(vote) (one GROUP BY query) + the count;
              "(query)" is the score_ballots part.
    starvote  Ballot.objects.filter(vote=vote).values_list("marks", flat=True)
              .iterator(chunk_size=10000) turned into dicts, then starvote.election(...);
              "(load)" is the loading part.
    Targets: 1M STAR ballots counted from the database in < 2 s, ≥ 5× faster than the starvote
    path (the ratio is shown, and judged, on every row).

How it is measured. Each measurement runs in a fresh subprocess (so memory figures start from a
clean process). Times are wall clock (perf_counter), best of up to 3 runs — fewer once the runs
add up to more than 10 s; the same rule for ours and starvote. Memory, per path:
    tm    tracemalloc peak of Python allocations during one run (numpy's included), in a separate
          run after the timed ones (tracemalloc slows pure-Python code several times). Skipped
          ("n/a") when that run would not fit the time budget.
    ΔRSS  the process's peak resident memory during the first timed run minus its resident memory
          just before it: the peak is reset (/proc/self/clear_refs) before the run and read
          from VmHWM after. This counts what tracemalloc cannot see (the database driver, SQLite's
          own sort memory). resource.getrusage(RUSAGE_SELF).ru_maxrss is not used on Linux
          because a subprocess started by vfork inherits its parent's high-water mark, which
          would hide the figure; it is the fallback (marked ≥) where /proc is unavailable.
    Target: each of our paths < 300 MB by both measures (MB = 10**6 bytes).
Each starvote run has a budget of 300 s (--budget); a run cut short prints "> 300 s", and the
ratio computed from that lower bound is marked "≥" (it can PASS, never MISS: "?"). Winners are compared on every run ("agree" /
"DISAGREE"): STAR and Bloc STAR in seat order; Allocated Score as a set, since starvote returns
those winners sorted by name. A tie only a lot could break would be compared as a tie (ours run
with tiebreak="none", starvote with tiebreaker=None).

--smoke: a run of seconds for the test suite (tests/test_bench_smoke.py), so that a change that
breaks the benchmark fails CI: 60 ballots, every part and every path above (from the database,
STAR alone: the other methods differ only in the count, which (a) runs); its PASS/MISS say
nothing at that size. The database is PostgreSQL when DATABASE_URL names one (the throwaway
database is made on that server), SQLite otherwise. The exit status is 1 when a measurement
failed or the winners disagree, in any run.

Databases: each runs in its own subprocess of this script (`--_child sqlite|postgres`), because
Django reads its settings at import: DJANGO_SETTINGS_MODULE=folkmoot.config.settings.dev with
FOLKMOOT_DATA_DIR set to a temporary directory (SQLite), or DATABASE_URL pointing at a throwaway
database folkmoot_bench_<pid> on the server DATABASE_URL names (127.0.0.1:5432, user postgres,
when it names none), created before and dropped after the run; both are migrated. The name is
the run's own, so two runs at once never drop each other's database. No network other than
that PostgreSQL.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

THIS = Path(__file__).resolve()
ROOT = THIS.parent.parent
CANDIDATES = ["Amara", "Bastian", "Chiara", "Dmitri", "Esi"]
SEATS = 3
METHODS = ["star", "bloc", "allocated"]
# (b)'s methods. A smoke run counts STAR alone from the database: the methods differ only in
# the count, which (a) runs for all three, and each (b) row costs two Django start-ups.
DB_METHODS = list(METHODS)
METHOD_NAMES = {"star": "STAR", "bloc": "Bloc STAR", "allocated": "Allocated"}
SEED = 20251122
PG_DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
# The run's own throwaway database: two runs at once (parallel test workers) never meet.
PG_BENCH_DB = f"folkmoot_bench_{os.getpid()}"
SMOKE_SIZE = 60  # --smoke: ballots per vote
SMOKE_BUDGET = 60.0  # --smoke: seconds per starvote run (tiny votes take milliseconds)
REPEATS = 3  # timed runs at most
LONG = 10.0  # seconds: stop repeating once the timed runs add up to this
TRACE_SLOWDOWN = 10  # a traced run is skipped unless first run × this fits the budget
MB = 1_000_000
TARGET_A = 20.0
TARGET_B_RATIO = 5.0
TARGET_B_SECONDS = 2.0
TARGET_MB = 300
HEADLINE = 1_000_000  # the size of the headline (b) target; --smoke judges its own size


Check = tuple[str, str, bool | None, str]  # target, run, PASS/MISS/not judged, figure


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- ballots


def make_ballots(n: int) -> np.ndarray:
    """N realistic STAR ballots (N, 5) int8, the same for a given N in every process."""
    rng = np.random.default_rng([SEED, n])
    profiles = np.array(
        [
            [5, 4, 2, 1, 0],
            [1, 2, 5, 4, 1],
            [0, 1, 3, 5, 4],
            [3, 5, 1, 0, 2],
            [2, 1, 0, 3, 5],
        ],
        dtype=float,
    )
    kind = rng.choice(len(profiles), size=n, p=[0.30, 0.24, 0.22, 0.14, 0.10])
    noise = rng.normal(0, 1.1, (n, 5)) + rng.normal(0, 0.6, (n, 1))  # opinion + generosity
    scores = np.clip(np.rint(profiles[kind] + noise), 0, 5).astype(np.int8)
    bullet = rng.random(n) < 0.08  # only their favourite, at 5
    favourite = profiles[kind].argmax(axis=1)
    scores[bullet] = 0
    scores[bullet, favourite[bullet]] = 5
    noisy = rng.random(n) < 0.03  # anything at all
    scores[noisy] = rng.integers(0, 6, (int(noisy.sum()), 5))
    return scores


def as_marks(scores: np.ndarray) -> list[str]:
    """Rows as the `marks` strings of Ballot: one digit per candidate."""
    digits = np.ascontiguousarray(scores.astype(np.uint8) + ord("0"))
    return digits.view(f"S{scores.shape[1]}").ravel().astype(f"U{scores.shape[1]}").tolist()


def check_codes(n: int) -> list[str]:
    """n check codes in the platform's alphabet and length (decisions.ballots), as the opened
    box leaves them on counted ballots: 60 random bits each, so distinct in practice (a
    repeat would be refused by the (vote, check_code) constraint, and the run would say so)."""
    from folkmoot.decisions.ballots import CHECK_CODE_LENGTH, CODE_ALPHABET

    rng = np.random.default_rng([SEED, n, 1])
    letters = np.frombuffer(CODE_ALPHABET.encode("ascii"), dtype=np.uint8)
    drawn = letters[rng.integers(0, len(CODE_ALPHABET), (n, CHECK_CODE_LENGTH))]
    codes = np.ascontiguousarray(drawn).view(f"S{CHECK_CODE_LENGTH}").ravel()
    return codes.astype(f"U{CHECK_CODE_LENGTH}").tolist()


def as_dicts(scores: np.ndarray) -> list[dict[str, int]]:
    return [dict(zip(CANDIDATES, row, strict=True)) for row in scores.tolist()]


# --------------------------------------------------------------------------- counting


def ours(sb: Any, method: str) -> dict[str, Any]:
    from folkmoot.governance.tally.allocated import allocated_score
    from folkmoot.governance.tally.star import bloc_star, star

    if method == "star":
        result = star(sb, tiebreak="none")
    elif method == "bloc":
        result = bloc_star(sb, seats=SEATS, tiebreak="none")
    else:
        result = allocated_score(sb, seats=SEATS, tiebreak="none")
    tie = sorted(result.tie.candidates) if result.tie else None
    return {"winners": list(result.winners), "tie": tie}


def reference(ballots: list[dict[str, int]], method: str) -> dict[str, Any]:
    import starvote

    kind = {"star": starvote.star, "bloc": starvote.bloc, "allocated": starvote.allocated}[method]
    seats = {} if method == "star" else {"seats": SEATS}
    try:
        winners = starvote.election(kind, ballots, tiebreaker=None, verbosity=0, **seats)
    except starvote.UnbreakableTieError as tie:
        return {"winners": None, "tie": sorted(tie.candidates)}
    return {"winners": list(winners), "tie": None}


def agree(method: str, a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    if not a or not b or "outcome" not in a or "outcome" not in b:
        return False
    x, y = a["outcome"], b["outcome"]
    if x["tie"] or y["tie"]:
        return x["tie"] == y["tie"]
    if method == "allocated":  # starvote sorts Allocated Score winners by name
        return sorted(x["winners"]) == sorted(y["winners"])
    return x["winners"] == y["winners"]


# --------------------------------------------------------------------------- measuring


class OverBudget(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise OverBudget


def _proc_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def measure(run: Callable[[], tuple[dict[str, Any], dict[str, float]]], budget: float) -> dict:
    """Time `run` (best of up to REPEATS), its peak RSS growth on the first run, and its
    tracemalloc peak in one more run. `run` returns (outcome, {part: seconds})."""
    import resource

    signal.signal(signal.SIGALRM, _alarm)
    out: dict[str, Any] = {"timeout": False}
    times: list[float] = []
    parts: list[dict[str, float]] = []
    for attempt in range(REPEATS):
        gc.collect()
        exact = attempt == 0 and _reset_peak_rss()
        rss_before = _proc_kb("VmRSS") if exact else None
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        signal.setitimer(signal.ITIMER_REAL, budget)
        start = time.perf_counter()
        try:
            outcome, part = run()
        except OverBudget:
            out["timeout"] = True
            out["seconds"] = budget
            break
        finally:
            elapsed = time.perf_counter() - start
            signal.setitimer(signal.ITIMER_REAL, 0)
            if attempt == 0:
                peak = _proc_kb("VmHWM") if exact else None
                if exact and peak is not None and rss_before is not None:
                    out["rss_delta"], out["rss_exact"] = (peak - rss_before) * 1024, True
                else:
                    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                    out["rss_delta"], out["rss_exact"] = (maxrss - maxrss_before) * 1024, False
        times.append(elapsed)
        parts.append(part)
        out["outcome"] = outcome
        if sum(times) > LONG:
            break
    if times and not out["timeout"]:
        best = min(range(len(times)), key=times.__getitem__)
        out["seconds"], out["parts"], out["runs"] = times[best], parts[best], len(times)
        if times[0] * TRACE_SLOWDOWN <= budget:
            gc.collect()
            tracemalloc.start()
            signal.setitimer(signal.ITIMER_REAL, budget)
            try:
                run()
                out["tm_peak"] = tracemalloc.get_traced_memory()[1]
            except OverBudget:
                pass
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                tracemalloc.stop()
    return out


def job(spec: dict[str, Any]) -> dict[str, Any]:
    """One measurement, in this (fresh) process. Kinds: build, ours, starvote (in memory);
    ours-db, starvote-db (from the database named by the environment)."""
    kind, n, budget = spec["kind"], spec["n"], spec["budget"]
    method: str = spec.get("method", "")
    extra: dict[str, Any] = {}
    run: Callable[[], tuple[dict[str, Any], dict[str, float]]]
    if kind in ("build", "ours", "starvote"):
        from folkmoot.governance.tally.ballots import ScoreBallots

        scores = make_ballots(n)
        if kind == "build":
            raw = scores.copy()

            def run() -> tuple[dict[str, Any], dict[str, float]]:
                sb = ScoreBallots.from_array(CANDIDATES, raw)
                return {"distinct": len(sb.counts), "total": sb.total}, {}

        elif kind == "ours":
            sb = ScoreBallots.from_array(CANDIDATES, scores)
            extra["distinct"] = len(sb.counts)
            del scores

            def run() -> tuple[dict[str, Any], dict[str, float]]:
                return ours(sb, method), {}

        else:
            ballots = as_dicts(scores)
            del scores

            def run() -> tuple[dict[str, Any], dict[str, float]]:
                return reference(ballots, method), {}

    else:
        os.environ["DJANGO_SETTINGS_MODULE"] = "folkmoot.config.settings.dev"
        import django

        django.setup()
        from django.db import connection

        from folkmoot.decisions.counting import score_ballots
        from folkmoot.decisions.models import Ballot, Vote

        vote = Vote.objects.get(pk=spec["vote"])
        connection.ensure_connection()  # a counting process has its connection already
        if kind == "ours-db":

            def run() -> tuple[dict[str, Any], dict[str, float]]:
                start = time.perf_counter()
                sb = score_ballots(vote)
                query = time.perf_counter() - start
                return ours(sb, method), {"query": query, "distinct": len(sb.counts)}

        else:

            def run() -> tuple[dict[str, Any], dict[str, float]]:
                start = time.perf_counter()
                names = list(vote.options)
                rows = (
                    Ballot.objects.filter(vote=vote)
                    .values_list("marks", flat=True)
                    .iterator(chunk_size=10000)
                )
                ballots = [dict(zip(names, map(int, marks), strict=True)) for marks in rows]
                load = time.perf_counter() - start
                return reference(ballots, method), {"load": load, "ballots": len(ballots)}

    result = measure(run, budget)
    result.update(extra)
    return result


def run_job(spec: dict[str, Any]) -> dict[str, Any]:
    """A job in a fresh subprocess; its environment is ours (database settings included)."""
    cmd = [sys.executable, str(THIS), "--_job", json.dumps(spec)]
    limit = 2 * spec["budget"] + 180  # two budgeted runs (timed, traced) and set-up
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"killed after {limit:.0f} s"}
    if done.returncode != 0 or not done.stdout.strip():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {tail}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- (a) in memory


def in_memory(sizes: list[int], budget: float) -> dict[str, Any]:
    rows = []
    for n in sizes:
        log(f"(a) {n:,} ballots: building ScoreBallots")
        build = run_job({"kind": "build", "n": n, "budget": budget})
        for method in METHODS:
            log(f"(a) {n:,} ballots, {METHOD_NAMES[method]}: ours, then starvote")
            mine = run_job({"kind": "ours", "n": n, "method": method, "budget": budget})
            theirs = run_job({"kind": "starvote", "n": n, "method": method, "budget": budget})
            rows.append({"n": n, "method": method, "build": build, "ours": mine, "sv": theirs})
    return {"rows": rows}


# --------------------------------------------------------------------------- (b) databases


def child(database: str, sizes: list[int], budget: float) -> dict[str, Any]:
    """Runs in a subprocess whose environment selects the database: migrate, load, measure."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "folkmoot.config.settings.dev"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from folkmoot.decisions.models import Ballot, Vote

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
            server = "PostgreSQL " + cursor.fetchone()[0].split()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            server = "SQLite " + cursor.fetchone()[0] + " (temporary file, WAL)"
    table = Ballot._meta.db_table
    # Every NOT NULL column of a counted ballot, as the opened box writes it (decisions/box.py):
    # a random key, the marks, no validity answer, a check code, and no voter (secret).
    fields = ("id", "vote", "marks", "valid", "check_code")
    columns = ", ".join(Ballot._meta.get_field(f).column for f in fields)  # type: ignore[misc,union-attr]
    votes: dict[int, int] = {}
    loads: dict[int, float] = {}
    for n in sizes:
        vote = Vote.objects.create(
            title=f"Benchmark, {n:,} ballots",
            method="star",
            options=CANDIDATES,
            seats=1,
            max_score=5,
        )
        marks = as_marks(make_ballots(n))
        codes = check_codes(n)
        start = time.perf_counter()
        chunk = 100_000
        with transaction.atomic(), connection.cursor() as cursor:
            if vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for i in range(0, n, chunk):
                        copy.write(
                            "".join(
                                f"{uuid.uuid4()}\t{vote.pk}\t{m}\t\\N\t{c}\n"
                                for m, c in zip(
                                    marks[i : i + chunk], codes[i : i + chunk], strict=True
                                )
                            )
                        )
            else:
                sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"
                for i in range(0, n, chunk):
                    batch = zip(marks[i : i + chunk], codes[i : i + chunk], strict=True)
                    cursor.executemany(
                        sql, [(uuid.uuid4().hex, vote.pk, m, None, c) for m, c in batch]
                    )
        loads[n] = time.perf_counter() - start
        votes[n] = vote.pk
        assert Ballot.objects.filter(vote=vote).count() == n
        log(f"(b) {vendor}: loaded {n:,} ballots in {loads[n]:.1f} s (not timed)")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    connection.close()
    rows = []
    for n in sizes:
        for method in DB_METHODS:
            log(f"(b) {vendor}, {n:,} ballots, {METHOD_NAMES[method]}: ours, then starvote")
            spec = {"n": n, "method": method, "vote": votes[n], "budget": budget}
            mine = run_job({"kind": "ours-db", **spec})
            theirs = run_job({"kind": "starvote-db", **spec})
            rows.append({"n": n, "method": method, "ours": mine, "sv": theirs})
    return {"database": database, "server": server, "loads": loads, "rows": rows}


def pg_urls() -> tuple[str, str]:
    """(admin URL, throwaway URL) on the server DATABASE_URL names when it is a PostgreSQL
    URL (CI's), else on the loopback default; the database the URL names is never touched."""
    named = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(named if urlsplit(named).scheme in POSTGRES_SCHEMES else PG_DEFAULT_URL)
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    bench = urlunsplit(("postgres", parts.netloc, f"/{PG_BENCH_DB}", parts.query, ""))
    return admin, bench


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_urls()[0], autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql)


def run_database(database: str, sizes: list[int], budget: float) -> dict[str, Any]:
    bench_url = pg_urls()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FOLKMOOT_DATA_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "folkmoot.config.settings.dev"
    tmp = tempfile.mkdtemp(prefix="folkmoot-bench-")
    env["FOLKMOOT_DATA_DIR"] = tmp  # SQLite's file, and anything else dev writes
    try:
        if database == "postgres":
            try:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
                pg_admin(f"CREATE DATABASE {PG_BENCH_DB}")
            except Exception as error:
                return {"database": database, "error": f"PostgreSQL unavailable: {error}"}
            env["DATABASE_URL"] = bench_url
        cmd = [sys.executable, str(THIS), "--_child", database, "--sizes"]
        cmd += [",".join(map(str, sizes)), "--budget", str(budget)]
        cmd += ["--smoke"] if DB_METHODS != METHODS else []
        limit = len(sizes) * len(DB_METHODS) * 2 * (2 * budget + 180) + 1800
        try:
            done = subprocess.run(
                cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT, timeout=limit
            )
        except subprocess.TimeoutExpired:
            return {"database": database, "error": f"killed after {limit:.0f} s"}
        if done.returncode != 0 or not done.stdout.strip():
            return {"database": database, "error": f"child exited with {done.returncode}"}
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        if database == "postgres":
            try:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            except Exception as error:
                log(f"could not drop {PG_BENCH_DB}: {error}")
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- printing


def fmt_s(r: dict[str, Any] | None, key: str = "seconds") -> str:
    if not r or "error" in r:
        return "error"
    if r.get("timeout") and key == "seconds":
        return f"> {r['seconds']:.0f} s"
    s = r.get(key) if key == "seconds" else (r.get("parts") or {}).get(key)
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms" if s < 0.1 else f"{s * 1e3:.0f} ms"
    return f"{s:.2f} s"


def ratio(slow: dict | None, fast: dict | None, *extra: dict | None) -> tuple[float | None, str]:
    """starvote ÷ ours; a starvote run cut short gives a lower bound, marked ≥."""
    runs = [slow, fast, *extra]
    if any(not r or "error" in r or r.get("timeout") for r in runs[1:]):
        return None, "—"
    if not slow or "error" in slow:
        return None, "—"
    denominator = sum(r["seconds"] for r in runs[1:])  # type: ignore[index]
    value = slow["seconds"] / denominator
    text = f"{value:,.0f}×" if value >= 100 else f"{value:.1f}×"
    return value, ("≥ " + text if slow.get("timeout") else text)


def fmt_mb(r: dict[str, Any] | None, key: str) -> str:
    if not r or "error" in r:
        return "error"
    value = r.get(key)
    if value is None:
        return "n/a"
    cut = r.get("timeout") or (key == "rss_delta" and not r.get("rss_exact", True))
    mark = "≥" if cut else ""
    mb = value / MB
    return f"{mark}{mb:.1f} MB" if mb < 10 else f"{mark}{mb:.0f} MB"


def mem_ok(*runs: dict[str, Any] | None) -> bool:
    for r in runs:
        if not r or "error" in r or r.get("timeout"):
            return False
        for key in ("tm_peak", "rss_delta"):
            if r.get(key) is not None and r[key] >= TARGET_MB * MB:
                return False
    return True


def verdict(ok: bool | None, value: float | None = None) -> str:
    """PASS / MISS; "?" for a lower bound below the target; "—" where nothing is judged."""
    if ok is None:
        return "?" if value is not None else "—"
    return "PASS" if ok else "MISS"


def judge(value: float | None, target: float, slow: dict[str, Any] | None) -> bool | None:
    """A ratio against its target; from a starvote run cut short it is a lower bound, which
    can pass but cannot miss."""
    if value is None:
        return None
    if value >= target:
        return True
    return None if slow and slow.get("timeout") else False


def agreed(row: dict[str, Any]) -> bool | None:
    """Winners agree; None (not judged) when starvote was cut short by its budget."""
    if row["sv"] and row["sv"].get("timeout"):
        return None
    return agree(row["method"], row["ours"], row["sv"])


def winners_text(row: dict[str, Any]) -> str:
    mine, theirs = row["ours"], row["sv"]
    ok = agree(row["method"], mine, theirs)
    shown = mine.get("outcome") if mine else None
    names = (
        "tie " + ",".join(shown["tie"])
        if shown and shown["tie"]
        else ", ".join(shown["winners"])
        if shown
        else "?"
    )
    if ok:
        return f"agree ({names})"
    if theirs and theirs.get("timeout"):
        return f"unchecked: starvote cut short ({names})"
    other = theirs.get("outcome") if theirs else None
    return f"DISAGREE (ours {names}, starvote {other or theirs.get('error')})"


def table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def print_in_memory(a: dict[str, Any], checks: list[Check]) -> None:
    print("\n(a) The count alone, ballots already in memory (no database)")
    print("    ours = star()/bloc_star()/allocated_score() on a built ScoreBallots;")
    print("    starvote = election(..., tiebreaker=None) on the same ballots as dicts\n")
    timing, memory = [], []
    last_n = None
    for row in a["rows"]:
        n, method, build, mine, theirs = (
            row["n"],
            row["method"],
            row["build"],
            row["ours"],
            row["sv"],
        )
        first = n != last_n
        last_n = n
        value, text = ratio(theirs, mine)
        ok = judge(value, TARGET_A, theirs)
        _, with_build = ratio(theirs, mine, build)
        distinct = (build.get("outcome") or {}).get("distinct") if "error" not in build else None
        timing.append(
            [
                f"{n:,}" if first else "",
                METHOD_NAMES[method],
                f"{distinct:,}" if first and distinct else "",
                fmt_s(build) if first else "",
                fmt_s(mine),
                fmt_s(theirs),
                text,
                verdict(ok, value),
                with_build,
                winners_text(row),
            ]
        )
        memory.append(
            [
                f"{n:,}" if first else "",
                METHOD_NAMES[method],
                fmt_mb(build, "tm_peak") if first else "",
                fmt_mb(build, "rss_delta") if first else "",
                fmt_mb(mine, "tm_peak"),
                fmt_mb(mine, "rss_delta"),
                fmt_mb(theirs, "tm_peak"),
                fmt_mb(theirs, "rss_delta"),
                verdict(mem_ok(mine, build)),
            ]
        )
        label = f"(a) {n:,} {METHOD_NAMES[method]}"
        checks.append(("a", label, ok, text))
        checks.append(("agree", label, agreed(row), ""))
        checks.append(("memory", label, mem_ok(mine, build), peak_text(mine, build)))
    print(
        table(
            [
                "ballots",
                "method",
                "distinct",
                "build SB",
                "ours",
                "starvote",
                "speed-up",
                f"≥{TARGET_A:.0f}×",
                "incl. build",
                "winners",
            ],
            timing,
            {0, 2, 3, 4, 5, 6, 8},
        )
    )
    print("\n    peak memory (tm = tracemalloc peak, ΔRSS = peak resident growth)\n")
    print(
        table(
            [
                "ballots",
                "method",
                "build tm",
                "build ΔRSS",
                "ours tm",
                "ours ΔRSS",
                "starvote tm",
                "starvote ΔRSS",
                f"ours <{TARGET_MB} MB",
            ],
            memory,
            {0, 2, 3, 4, 5, 6, 7},
        )
    )


def print_database(b: dict[str, Any], checks: list[Check]) -> None:
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[b["database"]]
    if "error" in b:
        print(f"\n(b) From the database — {name}: {b['error']}")
        checks.append(("ran", f"(b) {name}", False, b["error"]))
        return
    print(f"\n(b) From the ballot table — {b['server']}")
    print("    ours = score_ballots(vote) (one GROUP BY) + count;")
    print("    starvote = values_list('marks').iterator(10000) → dicts + election(...)\n")
    timing, memory = [], []
    last_n = None
    for row in b["rows"]:
        n, method, mine, theirs = row["n"], row["method"], row["ours"], row["sv"]
        first = n != last_n
        last_n = n
        value, text = ratio(theirs, mine)
        ok_ratio = judge(value, TARGET_B_RATIO, theirs)
        headline = n == HEADLINE and method == "star"
        fast = None
        if headline:
            fast = "error" not in mine and mine["seconds"] < TARGET_B_SECONDS
        timing.append(
            [
                f"{n:,}" if first else "",
                METHOD_NAMES[method],
                fmt_s(mine),
                fmt_s(mine, "query"),
                fmt_s(theirs),
                fmt_s(theirs, "load"),
                text,
                verdict(ok_ratio, value),
                verdict(fast),
                winners_text(row),
            ]
        )
        memory.append(
            [
                f"{n:,}" if first else "",
                METHOD_NAMES[method],
                fmt_mb(mine, "tm_peak"),
                fmt_mb(mine, "rss_delta"),
                fmt_mb(theirs, "tm_peak"),
                fmt_mb(theirs, "rss_delta"),
                verdict(mem_ok(mine)),
            ]
        )
        label = f"(b) {name} {n:,} {METHOD_NAMES[method]}"
        if headline:
            checks.append(("b-fast", label, fast, fmt_s(mine)))
            checks.append(("b-headline", label, ok_ratio, text))
        checks.append(("b", label, ok_ratio, text))
        checks.append(("agree", label, agreed(row), ""))
        checks.append(("memory", label, mem_ok(mine), peak_text(mine)))
    print(
        table(
            [
                "ballots",
                "method",
                "ours",
                "(query)",
                "starvote",
                "(load)",
                "speed-up",
                f"≥{TARGET_B_RATIO:.0f}×",
                f"<{TARGET_B_SECONDS:.0f} s",
                "winners",
            ],
            timing,
            {0, 2, 3, 4, 5, 6},
        )
    )
    print("\n    peak memory (tm = tracemalloc peak, ΔRSS = peak resident growth)\n")
    print(
        table(
            [
                "ballots",
                "method",
                "ours tm",
                "ours ΔRSS",
                "starvote tm",
                "starvote ΔRSS",
                f"ours <{TARGET_MB} MB",
            ],
            memory,
            {0, 2, 3, 4, 5},
        )
    )
    loads = ", ".join(f"{int(n):,}: {s:.1f} s" for n, s in b["loads"].items())
    print(f"\n    bulk load before timing (not part of any figure): {loads}")


def targets() -> list[tuple[str, str]]:
    """The targets' titles; the headline size is 1M, or the smoke run's own size."""
    big = "1M" if HEADLINE == 1_000_000 else f"{HEADLINE:,}"
    return [
        ("a", f"(a) ours ≥ {TARGET_A:.0f}× faster than starvote, count only"),
        ("b-fast", f"(b) {big} STAR counted from the database in < {TARGET_B_SECONDS:.0f} s"),
        ("b-headline", f"(b) {big} STAR ≥ {TARGET_B_RATIO:.0f}× faster than the starvote path"),
        ("b", f"(b) ≥ {TARGET_B_RATIO:.0f}× faster than the starvote path, every row"),
        ("memory", f"our peak memory < {TARGET_MB} MB (tracemalloc and ΔRSS)"),
        ("agree", "our winners equal starvote's"),
        ("ran", "every database ran"),
    ]


def print_targets(checks: list[Check], has_headline: bool) -> None:
    print("\nTargets (PASS/MISS per run, as in the tables)")
    for key, title in targets():
        mine = [c for c in checks if c[0] == key]
        if not mine:
            if key.startswith("b-") and not has_headline:
                print(f"  {title}: not run (needs {HEADLINE} in --sizes)")
            continue
        judged = [c for c in mine if c[2] is not None]
        passed = sum(1 for c in judged if c[2])
        status = "MISS" if passed < len(judged) else "PASS" if len(judged) == len(mine) else "?   "
        if key in ("b-fast", "b-headline"):
            each = "; ".join(f"{c[1].split()[1]} {c[3]} {verdict(c[2])}" for c in mine)
            print(f"  {status}  {title}: {each}")
            continue
        summary = f"{passed}/{len(judged)} PASS"
        if len(judged) < len(mine):
            summary += f" ({len(mine) - len(judged)} not judged: starvote cut short)"
        if key == "memory":
            summary += f"; largest: {max(mine, key=lambda c: _peak(c[3]))[3]}"
        print(f"  {status}  {title}: {summary}")
        misses = [f"{c[1]} {c[3]}".strip() for c in judged if not c[2]]
        for miss in misses:
            print(f"          MISS {miss}")


def _peak(text: str) -> float:
    try:
        return float(text.split()[0])
    except (ValueError, IndexError):
        return 0.0


def peak_text(*runs: dict[str, Any] | None) -> str:
    """The largest of our peaks among `runs`, in MB, with which measure it was."""
    best, how = 0.0, ""
    for r in runs:
        for key, name in (("tm_peak", "tracemalloc"), ("rss_delta", "ΔRSS")):
            if r and r.get(key) is not None and r[key] / MB >= best:
                best, how = r[key] / MB, name
    return f"{best:.1f} MB {how}".strip()


def print_combined(dbs: list[dict[str, Any]]) -> None:
    ok = [b for b in dbs if "error" not in b]
    if len(ok) < 2:
        return
    names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    print("\n(b) Side by side: ours / starvote path, from the database\n")
    headers = ["ballots", "method"]
    for b in ok:
        headers += [f"{names[b['database']]} ours", "starvote", "speed-up"]
    rows = []
    for i, row in enumerate(ok[0]["rows"]):
        line = [f"{row['n']:,}", METHOD_NAMES[row["method"]]]
        for b in ok:
            r = b["rows"][i]
            line += [fmt_s(r["ours"]), fmt_s(r["sv"]), ratio(r["sv"], r["ours"])[1]]
        rows.append(line)
    print(table(headers, rows, set(range(len(headers))) - {1}))


def header(sizes: list[int], databases: list[str], budget: float) -> None:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("django", "numpy", "psycopg", "starvote")
    )
    print("Folkmoot vote counting benchmark")
    print(f"  machine: {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}")
    print(f"  {versions}")
    print(f"  sizes: {', '.join(f'{n:,}' for n in sizes)} ballots × {len(CANDIDATES)} candidates;")
    print(f"  STAR (1 seat), Bloc STAR and Allocated Score ({SEATS} seats)")
    print(f"  databases: {', '.join(databases)}; starvote budget {budget:.0f} s per run")


def failures(a: dict[str, Any], dbs: list[dict[str, Any]]) -> list[str]:
    """What went wrong, as opposed to missed: a run that failed, a database that did not run,
    winners that differ from starvote's. Any of these makes the exit status 1."""
    found = [f"(b) {b['database']}: {b['error']}" for b in dbs if "error" in b]
    parts = [("(a)", a["rows"])] + [(f"(b) {b['database']}", b["rows"]) for b in dbs if "rows" in b]
    for where, rows in parts:
        for row in rows:
            label = f"{where} {row['n']:,} {METHOD_NAMES[row['method']]}"
            for key in ("build", "ours", "sv"):
                if row.get(key) and "error" in row[key]:
                    found.append(f"{label} {key}: {row[key]['error']}")
            if agreed(row) is False:
                found.append(f"{label}: {winners_text(row)}")
    return found


def pick_databases(choice: str | None, smoke: bool) -> list[str]:
    """--database, or by default both; a smoke run uses the database the test suite uses:
    PostgreSQL when DATABASE_URL names one, SQLite otherwise."""
    if choice is None and smoke:
        named = urlsplit(os.environ.get("DATABASE_URL", "")).scheme in POSTGRES_SCHEMES
        choice = "postgres" if named else "sqlite"
    if choice in (None, "both"):
        return ["sqlite", "postgres"]
    return [choice]


def main() -> None:
    global HEADLINE, DB_METHODS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default=None)
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per starvote run")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"a few seconds for the test suite: {SMOKE_SIZE} ballots, every part and path",
    )
    parser.add_argument("--_child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--_job", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._job:
        print(json.dumps(job(json.loads(args._job))))
        return
    if args.smoke:
        args.sizes, args.budget = str(SMOKE_SIZE), SMOKE_BUDGET
        HEADLINE = SMOKE_SIZE  # so the headline rows and targets are printed too
        DB_METHODS = ["star"]
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if not sizes or any(not 1 <= n <= 5_000_000 for n in sizes):
        parser.error("sizes are 1 to 5,000,000 ballots")
    if not 1 <= args.budget <= 3600:
        parser.error("budget is 1 to 3600 seconds")
    if args._child:
        print(json.dumps(child(args._child, sizes, args.budget)))
        return
    databases = pick_databases(args.database, args.smoke)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so run_database cleans up
    started = time.perf_counter()
    header(sizes, databases, args.budget)
    checks: list[Check] = []
    a = in_memory(sizes, args.budget)
    print_in_memory(a, checks)
    sys.stdout.flush()
    dbs = []
    for database in databases:
        dbs.append(run_database(database, sizes, args.budget))
        print_database(dbs[-1], checks)
        sys.stdout.flush()
    print_combined(dbs)
    print_targets(checks, HEADLINE in sizes)
    print(f"\nTotal time {time.perf_counter() - started:.0f} s")
    problems = failures(a, dbs)
    for problem in problems:
        log(f"FAILED {problem}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
