"""Benchmark: a mixed day of a federation under load — reading, posting and voting at once —
served by gunicorn on loopback, with p50/p95 per endpoint and every error counted.

Run from the repository root:

    .venv/bin/python bench/mixed.py                                        # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/mixed.py
        [--voters 2000] [--seconds 20] [--concurrency 8] [--workers 2] [--smoke]

What is built (not timed): a throwaway database (SQLite in a temporary directory, or a
PostgreSQL database named for this run, created here and dropped at the end), migrated, the
demo federation loaded, then --voters citizens of RED15M with API tokens (bulk), an open
secret STAR vote with all of them in its electorate, and a Debates thread for replies.

What is measured: gunicorn (sync workers, bench/bench_settings.py: DEBUG off) serves the
project. --concurrency client threads each run a closed loop for --seconds (after a short
warm-up, not recorded): each request is drawn from a fixed mix that stands for a busy
evening of a national vote —

    45 %  GET  the Votes forum page                       (anonymous reader)
    20 %  GET  the Debates thread page                    (anonymous reader)
    10 %  GET  /api/v1/votes/<id>                         (a voter's app, with its token)
    15 %  POST /api/v1/votes/<id>/ballot                  (each voter's first ballot: 201)
    10 %  POST /api/v1/threads/<id>/posts                 (a citizen's reply: 201)

— and, first, GET /healthz/ alone as the trivial baseline of the same server and client.
Every request's latency is from writing it to reading the last byte (a new connection each
time: sync workers close it). A request whose status is not the expected one is an error,
counted by endpoint and status. Afterwards the stored data is checked: as many ballots in
the box and "has voted" rows as 201 ballots, as many replies as 201 replies.

Everything is bounded: --seconds per run (at most 120), 30 s per request, 60 s for gunicorn to
start, every size capped; all traffic is on 127.0.0.1. --smoke runs a tiny size in seconds
(the suite runs it, so a schema change that breaks this script fails CI)."""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The voters and the vote are made as bench/voting.py makes them; the server, the client's
# helpers and the tables are bench/forums.py's.
from voting import log, make_citizens, make_vote, pg_admin, pg_urls

from forums import fmt_ratio, fmt_s, percentile, serve, stop_server, table

THIS = Path(__file__).resolve()
ROOT = THIS.parent.parent
SETTINGS = "bench.bench_settings"
SEED = 20261204
REQUEST_TIMEOUT = 30.0
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
HEADERS = {"Accept-Language": "en", "User-Agent": "folkmoot-bench/mixed"}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# (name, share of requests, expected status)
MIX = [
    ("forum page", 45, 200),
    ("thread page", 20, 200),
    ("vote (API)", 10, 200),
    ("ballot (API)", 15, 201),
    ("reply (API)", 10, 201),
]


class Scenario:
    """What the clients need: paths, tokens, and a shared supply of first ballots."""

    def __init__(self, vote_id: int, thread_id: int, raws: list[str]) -> None:
        self.vote_id = vote_id
        self.thread_id = thread_id
        self.raws = raws
        self.next_voter = 0
        self.lock = threading.Lock()

    def voter(self) -> str | None:
        with self.lock:
            if self.next_voter >= len(self.raws):
                return None
            self.next_voter += 1
            return self.raws[self.next_voter - 1]

    def request(self, name: str, rng: random.Random) -> tuple[str, str, bytes | None, dict]:
        token = {"Authorization": f"Bearer {rng.choice(self.raws)}"}
        json_headers = {**HEADERS, "Content-Type": "application/json"}
        if name == "forum page":
            return "GET", "/assemblies/red15m/forums/votes/", None, HEADERS
        if name == "thread page":
            return "GET", f"/assemblies/red15m/threads/{self.thread_id}/", None, HEADERS
        if name == "vote (API)":
            return "GET", f"/api/v1/votes/{self.vote_id}", None, {**HEADERS, **token}
        if name == "reply (API)":
            body = json.dumps({"body": f"Agreed, point {rng.randrange(10**6)}."}).encode()
            return (
                "POST",
                f"/api/v1/threads/{self.thread_id}/posts",
                body,
                {
                    **json_headers,
                    **token,
                },
            )
        raw = self.voter()
        if raw is None:  # every voter has voted: read the vote instead
            return self.request("vote (API)", rng)
        scores = {o: rng.randrange(6) for o in ("Library", "Garden", "Kitchen")}
        body = json.dumps({"scores": scores, "valid": True}).encode()
        return (
            "POST",
            f"/api/v1/votes/{self.vote_id}/ballot",
            body,
            {
                **json_headers,
                "Authorization": f"Bearer {raw}",
            },
        )


def send(port: int, method: str, path: str, body: bytes | None, headers: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def run_mix(
    port: int, scenario: Scenario | None, seconds: float, concurrency: int, limit: int
) -> dict[str, Any]:
    """Closed loops on `concurrency` threads for `seconds` (or `limit` requests in all).
    Without a scenario, every request is GET /healthz/."""
    names = [n for n, _w, _s in MIX]
    weights = [w for _n, w, _s in MIX]
    expected = {n: s for n, _w, s in MIX} | {"healthz": 200}
    lock = threading.Lock()
    sent = [0]
    latencies: dict[str, list[int]] = {}
    errors: Counter[str] = Counter()
    deadline = time.monotonic() + seconds

    def client(k: int) -> None:
        rng = random.Random(SEED + k)
        mine: dict[str, list[int]] = {}
        failed: Counter[str] = Counter()
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= limit:
                    break
                sent[0] += 1
            name = "healthz" if scenario is None else rng.choices(names, weights)[0]
            if scenario is None:
                method, path, body, headers = "GET", "/healthz/", None, HEADERS
            else:
                method, path, body, headers = scenario.request(name, rng)
                if name == "ballot (API)" and path.endswith("/votes/" + str(scenario.vote_id)):
                    name = "vote (API)"  # the voters ran out
            began = time.perf_counter_ns()
            try:
                status = send(port, method, path, body, headers)
            except (OSError, http.client.HTTPException) as error:
                failed[f"{name}: {type(error).__name__}"] += 1
                continue
            if status != expected[name]:
                failed[f"{name}: HTTP {status}"] += 1
                continue
            mine.setdefault(name, []).append(time.perf_counter_ns() - began)
        with lock:
            for name, values in mine.items():
                latencies.setdefault(name, []).extend(values)
            errors.update(failed)

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 2 * REQUEST_TIMEOUT)
    return {"latencies": latencies, "errors": errors, "elapsed": time.monotonic() - began}


def seed(voters: int) -> tuple[Scenario, Any]:
    from django.core import mail
    from django.core.management import call_command
    from django.test.utils import override_settings

    from folkmoot.accounts.models import User
    from folkmoot.federation.models import Assembly
    from folkmoot.forums.actions import do_open_thread

    override_settings(MAILERS=LOCMEM).enable()
    log("migrating and loading the demo")
    call_command("migrate", verbosity=0)
    call_command("demo", stdout=io.StringIO())
    mail.outbox = []
    log(f"seeding {voters:,} citizens with API tokens, an open vote and a thread (not timed)")
    people, raws = make_citizens("mixed", voters, tokens=True)
    vote = make_vote("Which room do we open first?", people, closes_in=timedelta(days=1))
    thread = do_open_thread(
        assembly=Assembly.objects.get(slug="red15m"),
        forum_key="debates",
        author=User.objects.get(email="erin@folkmoot.example"),
        title="How do we welcome newcomers at the assembly?",
        tag="[DEBATE]",
        body="Ideas for the first evening of people who just joined.",
    )
    return Scenario(vote.pk, thread.pk, raws), vote


def check_stored(vote: Any, thread_id: int, done: dict[str, Any]) -> list[str]:
    from folkmoot.decisions.models import BoxedBallot, Participation
    from folkmoot.forums.models import Post

    ballots = len(done["latencies"].get("ballot (API)", []))
    replies = len(done["latencies"].get("reply (API)", []))
    problems = []
    boxed = BoxedBallot.objects.filter(vote=vote).count()
    voted = Participation.objects.filter(vote=vote).count()
    if not boxed == voted == ballots:
        problems.append(f"{ballots} ballots accepted, {boxed} boxed, {voted} 'has voted' rows")
    stored = Post.objects.filter(thread_id=thread_id).count() - 1  # the opening post
    if stored != replies:
        problems.append(f"{replies} replies accepted, {stored} stored")
    return problems


def report(healthz: dict[str, Any], mixed: dict[str, Any], seconds: float) -> None:
    base = len(healthz["latencies"].get("healthz", [])) / max(healthz["elapsed"], 1e-9)
    rows = []
    total = 0
    for name, _w, _s in [("healthz", 0, 200), *MIX]:
        source = healthz if name == "healthz" else mixed
        values = sorted(source["latencies"].get(name, []))
        total += len(values) if name != "healthz" else 0
        rate = len(values) / max(source["elapsed"], 1e-9)
        failed = sum(n for k, n in source["errors"].items() if k.startswith(name + ":"))
        rows.append(
            [
                name,
                f"{len(values):,}",
                f"{failed:,}",
                f"{rate:,.1f}",
                fmt_s(percentile(values, 50)),
                fmt_s(percentile(values, 95)),
            ]
        )
    print(table(["request", "ok", "errors", "req/s", "p50", "p95"], rows, {1, 2, 3, 4, 5}))
    mixed_rate = total / max(mixed["elapsed"], 1e-9)
    print(
        f"\n  the mix: {total:,} requests in {mixed['elapsed']:.1f} s = {mixed_rate:,.1f}/s, "
        f"{fmt_ratio(mixed_rate / base if base else None)} of /healthz/'s {base:,.1f}/s "
        "in the same run"
    )
    errors = healthz["errors"] + mixed["errors"]
    listed = "".join(f"\n    {k}: {n}" for k, n in errors.items())
    print(f"  errors: {sum(errors.values()):,}{listed}")


def run(args: argparse.Namespace, tmp: str, bench_url: str | None) -> int:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["FOLKMOOT_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    if bench_url is not None:
        os.environ["DATABASE_URL"] = bench_url  # the server started below inherits it
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection, connections

    scenario, vote = seed(args.voters)
    vendor = connection.vendor
    connections.close_all()
    print("Folkmoot: a mixed load of reading, posting and voting")
    print(
        f"  database: {vendor}; gunicorn {args.workers} sync workers; {args.concurrency} "
        f"client threads on loopback; {args.seconds:g} s per run; {args.voters:,} voters"
    )
    with open(Path(tmp) / "gunicorn.log", "wb") as server_log:
        server, port = serve(args.workers, server_log)
        try:
            run_mix(port, None, args.warmup, args.concurrency, 10**9)
            healthz = run_mix(port, None, args.seconds, args.concurrency, args.max_requests)
            log(f"healthz: {len(healthz['latencies'].get('healthz', [])):,} requests")
            mixed = run_mix(port, scenario, args.seconds, args.concurrency, args.max_requests)
        finally:
            stop_server(server)
    print()
    report(healthz, mixed, args.seconds)
    problems = check_stored(vote, scenario.thread_id, mixed)
    print(
        "  check of what was stored: "
        + ("; ".join(problems) if problems else "every 201 left its ballot or reply: OK")
    )
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=2000, help="citizens with tokens")
    parser.add_argument("--seconds", type=float, default=20.0, help="per run, after warm-up")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds, not recorded")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per run")
    parser.add_argument("--smoke", action="store_true", help="a tiny run, in seconds")
    args = parser.parse_args()
    if args.smoke:
        args.voters, args.seconds, args.warmup, args.concurrency = 30, 1.5, 0.3, 2
        args.workers, args.max_requests = 1, 200
    if not 10 <= args.voters <= 50_000:
        parser.error("--voters is 10 to 50,000")
    if not (0 < args.seconds <= 120 and 0 <= args.warmup <= 30):
        parser.error("--seconds is up to 120, --warmup up to 30")
    if not (1 <= args.concurrency <= 64 and 1 <= args.workers <= 16 and args.max_requests >= 1):
        parser.error("--concurrency is 1 to 64, --workers 1 to 16, --max-requests at least 1")

    database_url = os.environ.get("DATABASE_URL", "")
    postgres = urlsplit(database_url).scheme in POSTGRES_SCHEMES
    if database_url and not postgres:
        parser.error("DATABASE_URL is set but is not a PostgreSQL URL (unset it for SQLite)")
    name = f"folkmoot_bench_mixed_{os.getpid()}"
    admin_url, bench_url = pg_urls(database_url, name)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the clean-up below runs
    tmp = tempfile.mkdtemp(prefix="folkmoot-bench-mixed-")
    created = False
    status = 1
    try:
        if postgres:
            pg_admin(admin_url, f"CREATE DATABASE {name}")
            created = True
        status = run(args, tmp, bench_url if postgres else None)
    finally:
        if created:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            try:
                pg_admin(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except Exception as error:
                log(f"could not drop {name}: {error}")
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
