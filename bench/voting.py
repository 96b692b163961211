"""Benchmark: ballots cast through the API under load, against the trivial /healthz/ view in
the same run, and the time from a vote's close to its published result for 100,000 ballots.

Run from the repository root:

    .venv/bin/python bench/voting.py                                  # SQLite (temporary)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/voting.py
        [--voters 3000] [--concurrency 8] [--seconds 15] [--warmup 2] [--workers 2]
        [--ballots 100000] [--electorate 100000] [--smoke]

--smoke is a run of seconds for the test suite (tests/test_bench_smoke.py), so that a change
that breaks the benchmark fails CI: 20 voters, 40 ballots in (c), 1 gunicorn worker, 2
clients, 0.3 s warm-up and 1 s per run, every step below; its figures mean nothing at that
size. In every run the exit status is 1 when a request failed or a check below finds a
mismatch.

The database. With DATABASE_URL set to a PostgreSQL URL, the benchmark runs on that server:
it connects to the server's "postgres" database as the URL's user, creates the throwaway
database folkmoot_bench_voting_<pid> there (the run's own name, so two runs at once never
meet), and drops it at the end; the database the URL names
is never read or written. Without DATABASE_URL it falls back to SQLite, in a file in a
temporary directory (through FOLKMOOT_DATA_DIR), and says so in its output. Either way it
migrates the database and loads the demo (call_command("demo"): the RED15M assembly,
slug "red15m", under the red15m protocol), whose "referendum" kind gives the votes their
validity rules; the votes here are secret STAR votes over 5 options that ask whether the
voter holds the vote valid (VOTE-8), as RED15M's do.

(a) and (b): casting under load. --voters people (bulk-created, each a citizen of RED15M
with an API token made as accounts.actions.do_create_api_token makes them) are the
electorate of two open votes: one for the warm-up, one measured. gunicorn serves the
project as in bench/forums.py (`python -m gunicorn --workers 2`, sync workers,
bench/bench_settings.py: DEBUG off, CONN_MAX_AGE from the environment as in production).
--concurrency client threads in this process run a closed loop over loopback (send a
request, read the whole response, send the next), with the same client code for:
    healthz   GET /healthz/ (no database, no template, no session): the trivial baseline;
    ballot    POST /api/v1/votes/<id>/ballot, {"scores": {...}, "valid": ...} with the
              voter's bearer token: each request is a different voter's first ballot (201).
Each runs for --warmup seconds first (ballots on the warm-up vote; not recorded), then for
--seconds, or until every voter has cast (ballots) or --max-requests (healthz), whichever
comes first. Latency is from writing the request to reading the last byte, connection
set-up included (gunicorn's sync workers close the connection after each response).
Afterwards the measured vote is checked: as many "has voted" rows and ballot rows as 201
responses, and every check code handed out is a boxed ballot. Before the server starts, the SQL
queries of one ballot are counted in-process (Django's test Client and
CaptureQueriesContext, as bench/forums.py counts a page's), after one warm-up ballot, with
the median time of 5 ballots and the part of it spent in cursor.execute.

(c): from the close to the published result. A third vote gets --electorate citizens
(bulk-created) and --ballots secret ballots, bulk-inserted into the vote's box (bulk_create,
batches of 5,000, each with a unique check code and change hash) with "has voted" rows for as many voters; the marks come from a
fixed seed (five voter profiles with noise, 8 % bullet votes, 3 % random ballots, 5 %
answering "null"), so there are thousands of distinct ballots. On PostgreSQL, VACUUM
ANALYZE follows, as autovacuum would do by the close. Nothing of this is timed. Then the
moment just after the vote's close is taken as now and decisions.settle.settle_vote(vote, now)
is timed: the
count with the protocol's rules, the VoteResult row, the register entry and the audit row
(what any reader waits for); then, separately, the worker's pass: notify.pending, which
tells every elector once on the site, then notifications.mailing.mail_pending, which claims
those notifications in batches and emails them as people's preferences say (with no
preferences stored, everyone; the email backend is Django's locmem here, so the emails are
built but not sent). The parts are timed by
wrapping decisions.counting.grouped_marks (the GROUP BY query), settle.count_with_rules,
notify.result_published and mailing._send, only in this process. Then
count_vote(vote) is timed on its own, warm, best of 3, and so is its GROUP BY query.

Everything is bounded: --seconds and --max-requests per run, 30 s per request, 60 s for
gunicorn to start; sizes have upper limits. Progress goes to stderr, results to stdout.
All traffic is on loopback; the only other connection is to the PostgreSQL of DATABASE_URL.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# The server, the client's helpers and the tables are bench/forums.py's own.
from forums import (
    background_cpu,
    cpu_ticks,
    fmt_ratio,
    fmt_s,
    get,
    percentile,
    serve,
    stop_server,
    table,
)

THIS = Path(__file__).resolve()
ROOT = THIS.parent.parent
SETTINGS = "bench.bench_settings"
# The run's own throwaway database: two runs at once (parallel test workers) never meet.
PG_BENCH_DB = f"folkmoot_bench_voting_{os.getpid()}"
SEED = 20260315
ASSEMBLY = "red15m"
KIND = "referendum"
OPTIONS = ["Library", "Garden", "Kitchen", "Workshop", "Clinic"]
MAX_SCORE = 5
BATCH = 5000
REQUEST_TIMEOUT = 30.0
QUERY_SAMPLES = 6  # in-process ballots for the query count: 1 warm-up, then 5
HEADERS = {"Accept-Language": "en", "User-Agent": "folkmoot-bench/voting"}
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# --smoke: the sizes of a run of seconds inside the test suite.
SMOKE = {
    "voters": 20,
    "seconds": 1.0,
    "concurrency": 2,
    "warmup": 0.3,
    "max_requests": 200,
    "workers": 1,
    "ballots": 40,
    "electorate": 50,
}
QUIET_SECONDS = 2.0  # other processes' load is sampled this long before and after the load


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the database


def pg_urls(database_url: str, name: str = PG_BENCH_DB) -> tuple[str, str]:
    """(admin URL, URL of the throwaway database `name`) on the server DATABASE_URL names, as
    its user. bench/scale.py and bench/mixed.py use it too, with names of their own."""
    parts = urlsplit(database_url)
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    bench = urlunsplit(("postgres", parts.netloc, f"/{name}", parts.query, ""))
    return admin, bench


def pg_admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql)


def server_version(host: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            shown = []
            for name in ("server_version", "shared_buffers", "work_mem"):
                cursor.execute(f"SHOW {name}")
                shown.append(cursor.fetchone()[0].split()[0])
            version, buffers, work = shown
            return (
                f"PostgreSQL {version} (shared_buffers {buffers}, work_mem {work}; "
                f"throwaway database {PG_BENCH_DB} on {host})"
            )
        cursor.execute("SELECT sqlite_version()")
        return (
            f"SQLite {cursor.fetchone()[0]} (temporary file, WAL) — DATABASE_URL is not set, "
            "so not PostgreSQL"
        )


# --------------------------------------------------------------------------- ballots


def score_ballots(n: int, seed: int) -> tuple[list[str], list[bool]]:
    """n STAR ballots over OPTIONS as digit strings, and their validity answers: five voter
    profiles with per-voter noise and generosity, 8 % bullet votes, 3 % random ballots; 5 %
    of the voters hold the vote null (far from the half that would void it)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    profiles = np.array(
        [
            [5.0, 3.5, 2.0, 1.0, 0.5],
            [1.0, 5.0, 3.0, 2.5, 0.5],
            [2.0, 1.0, 4.5, 4.0, 1.5],
            [0.5, 2.5, 1.0, 4.5, 3.5],
            [3.0, 0.5, 0.5, 2.0, 5.0],
        ]
    )
    weights = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
    who = rng.choice(len(profiles), size=n, p=weights)
    generosity = rng.normal(0, 0.7, size=(n, 1))
    scores = profiles[who] + generosity + rng.normal(0, 1.1, size=(n, len(OPTIONS)))
    scores = np.clip(np.rint(scores), 0, MAX_SCORE).astype(np.int64)
    kind = rng.random(n)
    bullet = kind < 0.08
    favourite = scores.argmax(axis=1)
    scores[bullet] = 0
    scores[bullet, favourite[bullet]] = MAX_SCORE
    noise = (kind >= 0.08) & (kind < 0.11)
    scores[noise] = rng.integers(0, MAX_SCORE + 1, size=(int(noise.sum()), len(OPTIONS)))
    marks = ["".join(map(str, row)) for row in scores.tolist()]
    valid = (rng.random(n) >= 0.05).tolist()
    return marks, valid


def check_codes(n: int, seed: int) -> list[str]:
    """n distinct check codes in the platform's alphabet (decisions.ballots.new_code's)."""
    from folkmoot.decisions.ballots import CHECK_CODE_LENGTH, CODE_ALPHABET

    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < n:
        seen.add("".join(rng.choices(CODE_ALPHABET, k=CHECK_CODE_LENGTH)))
    out = sorted(seen)
    rng.shuffle(out)
    return out


# --------------------------------------------------------------------------- seeding


def make_citizens(prefix: str, n: int, tokens: bool) -> tuple[list[Any], list[str]]:
    """n citizens of RED15M (bulk), and a raw API token for each when asked."""
    from django.db import transaction
    from django.utils import timezone

    from folkmoot.accounts.models import ApiToken, User, hash_token
    from folkmoot.federation.models import Assembly, Membership
    from folkmoot.governance.membership import Status

    assembly = Assembly.objects.get(slug=ASSEMBLY)
    joined = timezone.now() - timedelta(days=400)
    raws: list[str] = []
    with transaction.atomic():
        people = User.objects.bulk_create(
            (
                User(
                    email=f"{prefix}{i:06d}@bench.folkmoot.invalid",
                    display_name=f"{prefix.title()} {i}",
                    password="!bench",  # unusable: nobody signs in as them
                    date_joined=joined,
                )
                for i in range(n)
            ),
            batch_size=BATCH,
        )
        Membership.objects.bulk_create(
            (
                Membership(
                    user=u,
                    assembly=assembly,
                    status=Status.MEMBER,
                    started_at=joined + timedelta(days=1),
                )
                for u in people
            ),
            batch_size=BATCH,
        )
        if tokens:
            raws = [ApiToken.generate() for _ in people]
            ApiToken.objects.bulk_create(
                (
                    ApiToken(user=u, name="bench", key_hash=hash_token(raw), prefix=raw[:8])
                    for u, raw in zip(people, raws, strict=True)
                ),
                batch_size=BATCH,
            )
    return people, raws


def make_vote(title: str, people: list[Any], *, closes_in: timedelta) -> Any:
    """An open secret STAR vote of RED15M with the referendum kind's validity rules (as
    actions.do_open_vote would fix them) and these people as its electorate."""
    from django.utils import timezone

    from folkmoot.decisions.models import Eligible, Vote
    from folkmoot.federation.models import Assembly
    from folkmoot.protocols.selectors import protocol_in_force

    assembly = Assembly.objects.get(slug=ASSEMBLY)
    in_force = protocol_in_force(assembly)
    assert in_force is not None
    kind = in_force.protocol.decision_kinds[KIND]
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=assembly,
        kind=KIND,
        title=title,
        method="star",
        options=OPTIONS,
        max_score=MAX_SCORE,
        secret=True,
        random_order=kind.random_order,
        ask_validity=True,
        may_change_ballot=kind.may_change_ballot,
        validity=kind.validity.model_dump() | {"ask_validity": True},
        opens_at=now - timedelta(days=7),
        closes_at=now + closes_in,
        created_at=now - timedelta(days=7),
    )
    Eligible.objects.bulk_create(
        (Eligible(vote=vote, person=p, member_since=p.date_joined.date()) for p in people),
        batch_size=BATCH,
    )
    return vote


# --------------------------------------------------------------------------- the load


Request = tuple[str, str, bytes | None, dict[str, str]]


def closed_loop(
    port: int,
    request_for: Callable[[int], Request],
    ok_status: int,
    seconds: float,
    concurrency: int,
    limit: int,
) -> dict[str, Any]:
    """`concurrency` threads, each: take the next request number (0, 1, 2, …), send it, read
    the whole response, again; until `seconds` have passed or `limit` requests were sent.
    `request_for(i)` gives request i. Returns every successful latency and the rest."""
    lock = threading.Lock()
    taken = [0]
    gate = threading.Barrier(concurrency + 1)
    stop_at = [0]
    latencies: list[list[int]] = [[] for _ in range(concurrency)]
    errors: list[Counter[str]] = [Counter() for _ in range(concurrency)]
    answers: list[list[bytes]] = [[] for _ in range(concurrency)]

    def client(k: int) -> None:
        mine, failed, kept = latencies[k], errors[k], answers[k]
        clock = time.perf_counter_ns
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait(timeout=60)
        while True:
            with lock:
                if taken[0] >= limit or clock() >= stop_at[0]:
                    break
                i = taken[0]
                taken[0] += 1
            method, path, body, headers = request_for(i)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            began = clock()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as error:
                failed[type(error).__name__] += 1
                continue
            finally:
                conn.close()
            ended = clock()
            if response.status == ok_status:
                mine.append(ended - began)
                kept.append(payload)
            else:
                code = ""
                with contextlib.suppress(ValueError, KeyError, IndexError, TypeError):
                    code = " " + json.loads(payload)["reasons"][0]["code"]
                failed[f"HTTP {response.status}{code}"] += 1

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(concurrency)]
    for t in threads:
        t.start()
    busy0, total0 = cpu_ticks()
    cpu0 = time.process_time()
    began = time.perf_counter_ns()
    stop_at[0] = began + int(seconds * 1e9)
    gate.wait(timeout=60)
    for t in threads:
        t.join(timeout=seconds + 2 * REQUEST_TIMEOUT)
    elapsed = (time.perf_counter_ns() - began) / 1e9
    cpu = time.process_time() - cpu0
    busy1, total1 = cpu_ticks()
    done = sorted(x for part in latencies for x in part)
    failed = sum(errors, Counter())
    return {
        "sent": taken[0],
        "ok": len(done),
        "errors": sum(failed.values()),
        "error_kinds": dict(failed),
        "answers": [a for part in answers for a in part],
        "elapsed": elapsed,
        "rps": len(done) / elapsed if elapsed else 0.0,
        "p50": percentile(done, 50),
        "p95": percentile(done, 95),
        "p99": percentile(done, 99),
        "max": done[-1] / 1e9 if done else None,
        "stopped_by": "count" if taken[0] >= limit else "time",
        "client_cpu": cpu / elapsed if elapsed else 0.0,
        "machine_cpu": (busy1 - busy0) / (total1 - total0) if total1 > total0 else None,
    }


def healthz_request(_i: int) -> Request:
    return "GET", "/healthz/", None, HEADERS


def ballot_requests(vote_id: int, raws: list[str], seed: int) -> Callable[[int], Request]:
    """Request i: voter i's first ballot in this vote."""
    marks, valid = score_ballots(len(raws), seed)
    path = f"/api/v1/votes/{vote_id}/ballot"

    def request_for(i: int) -> Request:
        body = {
            "scores": {name: int(d) for name, d in zip(OPTIONS, marks[i], strict=True)},
            "valid": valid[i],
        }
        headers = HEADERS | {
            "Authorization": f"Bearer {raws[i]}",
            "Content-Type": "application/json",
        }
        return "POST", path, json.dumps(body).encode(), headers

    return request_for


def check_vote(vote: Any, result: dict[str, Any]) -> str:
    """Every 201 a ballot and a "has voted" row; every check code handed out a boxed ballot."""
    from folkmoot.decisions.models import BoxedBallot, Participation

    codes = [json.loads(a)["check_code"].replace("-", "") for a in result["answers"]]
    stored = set(BoxedBallot.objects.filter(vote=vote).values_list("check_code", flat=True))
    voted = Participation.objects.filter(vote=vote).count()
    problems = []
    if len(stored) != len(codes) or set(codes) != stored:
        problems.append(f"{len(codes):,} check codes handed out, {len(stored):,} ballots boxed")
    if voted != len(codes):
        problems.append(f"{voted:,} 'has voted' rows for {len(codes):,} ballots")
    return "; ".join(problems)


def count_queries(vote: Any, raws: list[str]) -> dict[str, Any]:
    """SQL queries of one ballot POST, in this process (Django's test Client, no HTTP), after
    one warm-up POST; each POST is another voter's (raws), the median time of the rest and
    the part of it spent in cursor.execute."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
    request_for = ballot_requests(vote.pk, raws, SEED + 5)
    in_sql = [0.0]

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql[0] += time.perf_counter() - began

    counts, totals, sqls = [], [], []
    for i in range(len(raws)):
        _method, path, body, headers = request_for(i)
        in_sql[0] = 0.0
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed):
            began = time.perf_counter()
            response = client.post(
                path,
                body,
                content_type="application/json",
                headers={"Authorization": headers["Authorization"]},
            )
            elapsed = time.perf_counter() - began
        if response.status_code != 201:
            raise RuntimeError(f"in-process ballot: {response.status_code} {response.content!r}")
        if i:  # the first one warms up
            counts.append(len(queries.captured_queries))
            totals.append(elapsed)
            sqls.append(in_sql[0])
    return {
        "n": sorted(counts)[len(counts) // 2],
        "spread": (min(counts), max(counts)),
        "total": sorted(totals)[len(totals) // 2],
        "sql": sorted(sqls)[len(sqls) // 2],
        "samples": len(counts),
    }


# --------------------------------------------------------------------------- close → result


def load_big_vote(n_ballots: int, n_electorate: int) -> tuple[Any, dict[str, Any]]:
    """A vote with n_electorate citizens and n_ballots ballots, bulk-loaded (not timed)."""
    from django.db import connection, transaction

    from folkmoot.decisions.models import BoxedBallot, Participation

    began = time.perf_counter()
    people, _ = make_citizens("elector", n_electorate, tokens=False)
    vote = make_vote("Which room do we open first? (100k)", people, closes_in=timedelta(hours=1))
    marks, valid = score_ballots(n_ballots, SEED + 3)
    codes = check_codes(n_ballots, SEED + 4)
    with transaction.atomic():
        for start in range(0, n_ballots, BATCH):
            stop = min(n_ballots, start + BATCH)
            BoxedBallot.objects.bulk_create(
                BoxedBallot(
                    vote=vote,
                    marks=marks[i],
                    valid=valid[i],
                    check_code=codes[i],
                    change_hash=f"{i:064x}",
                )
                for i in range(start, stop)
            )
        Participation.objects.bulk_create(
            (Participation(vote=vote, person=p) for p in people[:n_ballots]), batch_size=BATCH
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return vote, {
        "seconds": time.perf_counter() - began,
        "distinct": len(set(marks)),
        "null": valid.count(False),
        "voted": min(n_ballots, n_electorate),
    }


def time_settle(vote: Any) -> dict[str, Any]:
    """settle_vote(vote, now) right after the close, with its parts timed."""
    from django.core import mail
    from django.test.utils import override_settings

    from folkmoot.decisions import box, counting, notify, settle
    from folkmoot.notifications import mailing

    parts: dict[str, Any] = {
        "queries": [],
        "box": 0.0,
        "count": 0.0,
        "notify": 0.0,
        "notified": 0,
        "mail": 0.0,
    }
    originals: dict[tuple[Any, str], Any] = {
        (counting, "grouped_marks"): counting.grouped_marks,
        (settle, "grouped_marks"): settle.grouped_marks,
        (settle, "count_with_rules"): settle.count_with_rules,
        (settle, "open_box"): box.open_box,
        (notify, "result_published"): notify.result_published,
        (mailing, "_send"): mailing._send,
    }

    def timed_box(v: Any) -> int:
        began = time.perf_counter()
        try:
            return originals[settle, "open_box"](v)
        finally:
            parts["box"] += time.perf_counter() - began

    def timed_marks(v: Any) -> Any:
        began = time.perf_counter()
        rows = originals[counting, "grouped_marks"](v)
        parts["queries"].append(time.perf_counter() - began)
        parts["rows"] = len(rows)
        return rows

    def timed_count(v: Any) -> Any:
        began = time.perf_counter()
        try:
            return originals[settle, "count_with_rules"](v)
        finally:
            parts["count"] += time.perf_counter() - began

    def timed_notify(v: Any) -> int:
        began = time.perf_counter()
        try:
            told = originals[notify, "result_published"](v)
            if v.pk == vote.pk:  # the worker's pass may also publish other closed votes
                parts["notified"] = told
            return told
        finally:
            parts["notify"] += time.perf_counter() - began

    def timed_mail(*args: Any, **kwargs: Any) -> int:
        began = time.perf_counter()
        try:
            return originals[mailing, "_send"](*args, **kwargs)
        finally:
            parts["mail"] += time.perf_counter() - began

    # An opened vote's times are fixed (issue 10): the count runs at the moment just after
    # its close instead of moving the close to now.
    vote.refresh_from_db()
    now = vote.closes_at + timedelta(seconds=1)
    wrappers = {
        (counting, "grouped_marks"): timed_marks,
        (settle, "grouped_marks"): timed_marks,
        (settle, "count_with_rules"): timed_count,
        (settle, "open_box"): timed_box,
        (notify, "result_published"): timed_notify,
        (mailing, "_send"): timed_mail,
    }
    for (module, name), wrapper in wrappers.items():
        setattr(module, name, wrapper)
    try:
        with override_settings(MAILERS=LOCMEM):
            mail.outbox = []
            began = time.perf_counter()
            row = settle.settle_vote(vote, now)
            parts["total"] = time.perf_counter() - began
            # Then the worker's pass tells the electorate (pages never do).
            began = time.perf_counter()
            notify.pending(now)
            parts["worker_notify"] = time.perf_counter() - began
            began = time.perf_counter()
            mailing.mail_pending(now, max_batches=1_000, max_seconds=3_600)
            parts["worker_mail"] = time.perf_counter() - began
            parts["worker"] = parts["worker_notify"] + parts["worker_mail"]
            parts["emails"] = len(mail.outbox)
            mail.outbox = []
    finally:
        for (module, name), original in originals.items():
            setattr(module, name, original)
    assert row is not None, "the vote did not settle"
    parts["row"] = row
    return parts


def time_count_alone(vote: Any, repeats: int = 3) -> dict[str, float]:
    """count_vote(vote) after the settle (warm), best of `repeats`; and its GROUP BY alone."""
    from folkmoot.decisions.counting import count_vote, grouped_marks

    queries, counts = [], []
    for _ in range(repeats):
        began = time.perf_counter()
        grouped_marks(vote)
        queries.append(time.perf_counter() - began)
        began = time.perf_counter()
        count_vote(vote)
        counts.append(time.perf_counter() - began)
    return {"query": min(queries), "count": min(counts)}


# --------------------------------------------------------------------------- printing


def print_header(args: argparse.Namespace, server: str, conn_max_age: Any) -> None:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as info:
        cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("django", "django-ninja", "gunicorn", "psycopg")
    )
    print("Folkmoot voting under load, and from the close to the result")
    print(f"  machine: {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}")
    print(f"  {versions}")
    print(f"  database: {server}")
    print(
        f"  server: gunicorn, {args.workers} sync workers, settings {SETTINGS} (DEBUG off), "
        f"CONN_MAX_AGE={conn_max_age}"
    )
    print(
        f"  load: {args.concurrency} client threads (http.client) on loopback; per run "
        f"{args.warmup:g} s warm-up, then {args.seconds:g} s, or {args.voters:,} ballots "
        f"(one per voter) / {args.max_requests:,} GETs"
    )


def print_queries(q: dict[str, Any]) -> None:
    low, high = q["spread"]
    spread = "" if low == high else f" (from {low} to {high})"
    print(
        f"\n  one ballot in-process (test Client, no HTTP; median of {q['samples']} voters, "
        f"after a warm-up ballot):\n    {q['n']} SQL queries{spread}, {fmt_s(q['total'])}, of "
        f"which {fmt_s(q['sql'])} in cursor.execute"
    )


def print_load(healthz: dict[str, Any], ballots: dict[str, Any], vote_id: int) -> None:
    print("\n(a) ballots cast through the API and (b) the trivial view, same client and load")
    print("    latency percentiles over successful requests (201 ballots, 200 GETs)\n")
    rows = []
    for label, path, r in (
        ("healthz", "GET /healthz/", healthz),
        ("ballot", f"POST /api/v1/votes/{vote_id}/ballot", ballots),
    ):
        machine = f"{r['machine_cpu'] * 100:.0f} %" if r["machine_cpu"] is not None else "—"
        rows.append(
            [
                label,
                path,
                f"{r['ok']:,}",
                f"{r['errors']:,}",
                f"{r['rps']:,.1f}",
                fmt_s(r["p50"]),
                fmt_s(r["p95"]),
                fmt_s(r["p99"]),
                fmt_s(r["max"]),
                f"{r['elapsed']:.1f} s ({'count' if r['stopped_by'] == 'count' else 'time'})",
                f"{r['client_cpu']:.2f}",
                machine,
            ]
        )
    headers = [
        "run",
        "request",
        "ok",
        "errors",
        "req/s",
        "p50",
        "p95",
        "p99",
        "max",
        "elapsed (limit)",
        "client CPU",
        "machine CPU",
    ]
    print(table(headers, rows, set(range(2, len(headers)))))
    for label, r in (("healthz", healthz), ("ballot", ballots)):
        for kind, n in sorted(r["error_kinds"].items()):
            print(f"  {label} error {kind}: {n:,}")
    ratio = ballots["rps"] / healthz["rps"] if healthz["rps"] else None
    p95 = ballots["p95"] / healthz["p95"] if ballots["p95"] and healthz["p95"] else None
    print(
        f"\n  ballots/s ÷ healthz req/s = {fmt_ratio(ratio)}   "
        f"(ballot p95 ÷ healthz p95 = {fmt_ratio(p95)})"
    )


def print_settle(
    args: argparse.Namespace, loaded: dict[str, Any], parts: dict[str, Any], alone: dict[str, Any]
) -> None:
    row = parts["row"]
    print(f"\n(c) From the close to the published result: {args.ballots:,} ballots")
    print(
        f"    electorate {args.electorate:,} citizens, {loaded['voted']:,} of them voted; "
        f"{loaded['distinct']:,} distinct ballots; {loaded['null']:,} hold the vote null"
    )
    print(f"    bulk load before timing (not part of any figure): {loaded['seconds']:.1f} s\n")
    queries = parts["queries"]
    committed = parts["total"]
    body = [
        [
            "settle_vote(vote, now), in all",
            fmt_s(parts["total"]),
            f"outcome {row.outcome}, winners {', '.join(row.winners) or '—'}",
        ],
        [
            "  opening the box (secret ballots re-written in a random order)",
            fmt_s(parts["box"]),
            "box.open_box: read, shuffle, bulk insert, delete (docs/secrecy.md)",
        ],
        [
            "  GROUP BY queries (grouped_marks)",
            fmt_s(sum(queries)),
            f"{len(queries)} {'query' if len(queries) == 1 else 'queries'}: "
            + ", ".join(fmt_s(q) for q in queries)
            + f"; {parts.get('rows', 0):,} (marks, valid) groups",
        ],
        [
            "  the count with the protocol's rules",
            fmt_s(parts["count"]),
            "count_with_rules, its queries included",
        ],
        [
            "  result row, register, audit",
            fmt_s(committed - parts["count"] - parts["box"]),
            "the rest, up to the commit of the VoteResult",
        ],
        [
            "  → result published (committed)",
            fmt_s(committed),
            "what a reader of the vote waits for",
        ],
        [
            "then the worker, in all",
            fmt_s(parts["worker"]),
            "tells the electorate, once; pages never wait for this",
        ],
        [
            "  notify.pending",
            fmt_s(parts["worker_notify"]),
            f"result_published: {parts['notified']:,} people notified on the site",
        ],
        [
            "  mailing.mail_pending",
            fmt_s(parts["worker_mail"]),
            "claims the notifications in batches of 2,000, builds and sends the emails",
        ],
        [
            "    of which sending mail",
            fmt_s(parts["mail"]),
            f"{parts['emails']:,} emails handed to the locmem backend",
        ],
        [
            "count_vote(vote) alone, warm",
            fmt_s(alone["count"]),
            f"best of 3; its GROUP BY query alone, best of 3: {fmt_s(alone['query'])}",
        ],
    ]
    print(table(["step", "time", "what"], body, {1}))
    print(f"\n  VoteResult.ballots = {row.ballots:,} (stored {args.ballots:,})")


# --------------------------------------------------------------------------- main


def run(args: argparse.Namespace, tmp: str, bench_url: str | None, host: str) -> None:
    import django

    started = time.perf_counter()
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["FOLKMOOT_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    if bench_url is not None:
        os.environ["DATABASE_URL"] = bench_url  # the server started below inherits it
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import override_settings

    # Emails stay in this process (the settings print them on stdout): the demo's, and
    # those of (c), which are built and kept in memory, never sent.
    override_settings(MAILERS=LOCMEM).enable()
    log("migrating and loading the demo")
    call_command("migrate", verbosity=0)
    call_command("demo", stdout=io.StringIO())
    mail.outbox = []
    log(f"seeding {args.voters:,} voters with API tokens and two votes (not timed)")
    voters, raws = make_citizens("voter", args.voters + QUERY_SAMPLES, tokens=True)
    warm_vote = make_vote("Warm-up vote", voters, closes_in=timedelta(days=1))
    vote = make_vote("Which room do we open first?", voters, closes_in=timedelta(days=1))
    # The last few voters cast in-process, on the warm-up vote, to count the queries.
    queries = count_queries(warm_vote, raws[args.voters :])
    raws = raws[: args.voters]
    server = server_version(host)
    conn_max_age = settings.DATABASES["default"].get("CONN_MAX_AGE")
    connections.close_all()

    print_header(args, server, conn_max_age)
    print_queries(queries)
    sys.stdout.flush()

    quiet_before = background_cpu(QUIET_SECONDS)
    with open(Path(tmp) / "gunicorn.log", "wb") as server_log:
        log("starting gunicorn on a free loopback port")
        try:
            gunicorn, port = serve(args.workers, server_log)
        except RuntimeError:
            server_log.flush()
            sys.stderr.write((Path(tmp) / "gunicorn.log").read_text(errors="replace")[-4000:])
            raise
        try:
            status, _ = get(port, "/healthz/")
            if status != 200:
                raise RuntimeError(f"/healthz/ answered {status}")
            warm_ballots = ballot_requests(warm_vote.pk, raws, SEED + 1)
            log(f"warm-up {args.warmup:g} s: healthz, then ballots on the warm-up vote")
            closed_loop(port, healthz_request, 200, args.warmup, args.concurrency, 10**9)
            warm = closed_loop(port, warm_ballots, 201, args.warmup, args.concurrency, len(raws))
            if warm["ok"] == 0:
                raise RuntimeError(f"no ballot accepted in the warm-up: {warm['error_kinds']}")
            log(f"healthz: {args.seconds:g} s")
            healthz = closed_loop(
                port, healthz_request, 200, args.seconds, args.concurrency, args.max_requests
            )
            log(f"healthz: {healthz['ok']:,} requests, {healthz['rps']:,.1f}/s")
            log(f"ballots: {args.seconds:g} s or {len(raws):,} voters")
            cast = closed_loop(
                port,
                ballot_requests(vote.pk, raws, SEED + 2),
                201,
                args.seconds,
                args.concurrency,
                len(raws),
            )
            log(f"ballots: {cast['ok']:,} cast, {cast['rps']:,.1f}/s")
        finally:
            log("stopping gunicorn")
            stop_server(gunicorn)
    quiet_after = background_cpu(QUIET_SECONDS)
    print_load(healthz, cast, vote.pk)
    problem = check_vote(vote, cast)
    print(
        f"\n  check of the measured vote: {cast['ok']:,} ballots accepted, "
        + (
            f"MISMATCH: {problem}"
            if problem
            else "as many 'has voted' rows and ballots, every "
            "check code handed out is a boxed ballot: OK"
        )
    )
    if quiet_before is not None and quiet_after is not None:
        print(
            f"  Other processes kept {quiet_before * 100:.0f} % of the cores busy just before "
            f"the load and {quiet_after * 100:.0f} % just after ({QUIET_SECONDS:g} s each, "
            "this benchmark idle)."
        )
        if max(quiet_before, quiet_after) > 0.05:
            print("  WARNING: the machine was not quiet; the figures above are lower than usual.")
    sys.stdout.flush()

    log(f"loading {args.ballots:,} ballots, electorate {args.electorate:,} (not timed)")
    big, loaded = load_big_vote(args.ballots, args.electorate)
    log("settling after the close")
    parts = time_settle(big)
    alone = time_count_alone(big)
    print_settle(args, loaded, parts, alone)
    if parts["row"].ballots != args.ballots:
        print(f"  MISMATCH: the result counts {parts['row'].ballots:,} ballots")
    print(f"\nTotal time {time.perf_counter() - started:.0f} s")
    failures = [
        f"{r['errors']:,} {name} requests failed"
        for name, r in (("healthz", healthz), ("ballot", cast))
        if r["errors"]
    ]
    failures += [f"the measured vote: {problem}"] if problem else []
    if parts["row"].ballots != args.ballots:
        failures.append(f"the result counts {parts['row'].ballots:,} of {args.ballots:,} ballots")
    if failures:
        raise SystemExit("FAILED: " + "; ".join(failures))


def main() -> None:
    global QUIET_SECONDS
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=3000, help="voters with tokens, (a)")
    parser.add_argument("--seconds", type=float, default=15.0, help="per run, after the warm-up")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per run")
    parser.add_argument("--max-requests", type=int, default=100_000, help="healthz GETs")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--ballots", type=int, default=100_000, help="ballots for (c)")
    parser.add_argument(
        "--electorate", type=int, default=None, help="citizens in (c)'s vote (default: --ballots)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a run of seconds for the test suite (tiny sizes)"
    )
    args = parser.parse_args()
    if args.smoke:
        vars(args).update(SMOKE)
        QUIET_SECONDS = 0.2
    if args.electorate is None:
        args.electorate = args.ballots
    if not 10 <= args.voters <= 50_000:
        parser.error("--voters is 10 to 50,000")
    if not (0 < args.seconds <= 120 and 0 <= args.warmup <= 30):
        parser.error("--seconds is up to 120, --warmup up to 30")
    if not (1 <= args.concurrency <= 64 and 1 <= args.workers <= 16 and args.max_requests >= 1):
        parser.error("--concurrency is 1 to 64, --workers 1 to 16, --max-requests at least 1")
    if not (1 <= args.ballots <= 1_000_000 and args.ballots <= args.electorate <= 1_000_000):
        parser.error("--ballots is 1 to 1,000,000, --electorate from --ballots to 1,000,000")

    with throwaway_place(parser, PG_BENCH_DB, "folkmoot-bench-voting-") as (tmp, bench_url, host):
        run(args, tmp, bench_url, host)


@contextlib.contextmanager
def throwaway_place(
    parser: argparse.ArgumentParser, database: str, prefix: str
) -> Iterator[tuple[str, str | None, str]]:
    """A temporary directory, and a throwaway PostgreSQL database `database` on the server
    DATABASE_URL names (None: SQLite in the directory), dropped and removed at the end, also
    when the run is stopped (SIGTERM). Yields (directory, database URL or None, host).
    bench/sealed.py uses it too."""
    database_url = os.environ.get("DATABASE_URL", "")
    postgres = urlsplit(database_url).scheme in POSTGRES_SCHEMES
    if database_url and not postgres:
        parser.error("DATABASE_URL is set but is not a PostgreSQL URL (unset it for SQLite)")
    admin_url, bench_url = pg_urls(database_url, database) if postgres else ("", "")
    host = (urlsplit(database_url).hostname or "localhost") if postgres else ""
    if not postgres:
        log("DATABASE_URL is not set: falling back to SQLite in a temporary directory")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the clean-up below runs
    tmp = tempfile.mkdtemp(prefix=prefix)
    created = False
    try:
        if postgres:
            pg_admin(admin_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            pg_admin(admin_url, f"CREATE DATABASE {database}")
            created = True
        yield tmp, bench_url if postgres else None, host
    finally:
        if created:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            try:
                pg_admin(admin_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            except Exception as error:
                log(f"could not drop {database}: {error}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
