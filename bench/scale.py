"""Benchmark: the cost of reading a restricted assembly as its federation grows (issue 11,
"Cost grows with members"), at a small and a large number of members, side by side.

Run from the repository root:

    .venv/bin/python bench/scale.py                                   # SQLite (temporary)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/scale.py
        [--small 500] [--large 100000] [--iterations 15] [--budget 10] [--smoke]

The database. With DATABASE_URL set to a PostgreSQL URL, the benchmark connects to that
server's "postgres" database as the URL's user, creates the throwaway database
folkmoot_bench_scale_<pid> there, and drops it at the end; the database the URL names is
never read or written. Without DATABASE_URL it uses SQLite in a file in a temporary directory
(through FOLKMOOT_DATA_DIR), deleted at the end. Settings: bench/bench_settings.py (DEBUG
off, as in production).

What is built (not timed). The demo (call_command("demo")) gives the RED15M assembly, slug
"red15m", under the red15m protocol; the benchmark makes it restricted (only its members see
it: the case where who may see it depends on membership), opens a vote in it (a "referendum"
choice vote over two options) and a thread in its "votes" forum. The federation then gets
--small members (users and active memberships, bulk-inserted in batches of 5,000), each in
the vote's electorate; on PostgreSQL, VACUUM ANALYZE follows, as autovacuum would do. The
reads below are measured; then members are added up to --large, and the same reads are
measured again.

What is measured, in this process, as one signed-in member (Django's test Client with
force_login; the session is in the database as in production):
    visible_to             list(Assembly.objects.visible_to(member)): every assembly they see;
    access_vote            decisions.ballots.access_vote(member, vote): the vote, if visible;
    access_assembly        federation.actions.access_assembly (what assembly_or_404 calls);
    vote/assembly/forum/thread page   GET of each page, which must answer 200;
    ballot POST            POST /votes/<id>/ballot/ by a member who has not voted yet (each
                           iteration is another member's first ballot; it must be accepted).
and, for comparison, the rule as it was before issue 11 (a LEFT JOIN over every membership
with DISTINCT), as visible_to (old) and access_vote (old), built here from the ORM.
Each read runs once untimed (warm-up), then --iterations times, or until --budget seconds
have passed for that read (at least once); the median time is shown. Its SQL queries are
counted on one more run with CaptureQueriesContext. The ratio is large ÷ small.

Everything is bounded: sizes have upper limits, each read's loop by --iterations and by
--budget. --smoke runs 50 and 500 members, 2 iterations, a 2 s budget (well under a minute),
for tests/test_bench_smoke.py. Progress goes to stderr, results to stdout. The only network
traffic is to the PostgreSQL of DATABASE_URL.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The log line and the throwaway PostgreSQL database are made as bench/voting.py makes them.
from voting import log, pg_admin, pg_urls

THIS = Path(__file__).resolve()
ROOT = THIS.parent.parent
SETTINGS = "bench.bench_settings"
PG_BENCH_DB = f"folkmoot_bench_scale_{os.getpid()}"
ASSEMBLY = "red15m"
BATCH = 5000
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
MAX_MEMBERS = 1_000_000
MAX_ITERATIONS = 1000

Read = Callable[[], object]


# --------------------------------------------------------------------------- the database


def describe_database() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
            return f"PostgreSQL {version} (throwaway database {PG_BENCH_DB})"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]} (temporary file) — DATABASE_URL is not set"


def analyze() -> None:
    """What autovacuum would have done by the time a federation is this large."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# --------------------------------------------------------------------------- the federation


class World:
    """RED15M, restricted, with a vote, a thread, a reader and the members added so far."""

    def __init__(self) -> None:
        from django.utils import timezone

        from folkmoot.decisions.models import Vote
        from folkmoot.federation.models import AccessMode, Assembly
        from folkmoot.forums.actions import do_open_thread

        Assembly.objects.filter(slug=ASSEMBLY).update(access_mode=AccessMode.RESTRICTED)
        self.assembly = Assembly.objects.get(slug=ASSEMBLY)
        now = timezone.now()
        self.vote = Vote.objects.create(
            assembly=self.assembly,
            kind="referendum",
            title="Which room do we open first?",
            method="choice",
            options=["Library", "Garden"],
            ask_validity=True,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=7),
        )
        self.members: list[Any] = []
        self.add_members(1)
        self.reader = self.members[0]
        self.thread = do_open_thread(
            assembly=self.assembly,
            forum_key="votes",
            author=self.reader,
            title="Referendum on the room",
            tag="[PROPUESTA-REFERENDUM]",
            body="Which room do we open first?",
        )
        self.voted = 0  # members[1 + voted] is the next one to cast a first ballot

    def add_members(self, n: int) -> None:
        """n members (users, active memberships, places in the vote's electorate), in bulk."""
        from django.db import transaction
        from django.utils import timezone

        from folkmoot.accounts.models import User
        from folkmoot.decisions.models import Eligible
        from folkmoot.federation.models import Membership
        from folkmoot.governance.membership import Status

        start = len(self.members)
        joined = timezone.now() - timedelta(days=400)
        with transaction.atomic():
            people = User.objects.bulk_create(
                (
                    User(
                        email=f"member{start + i:07d}@bench.folkmoot.invalid",
                        display_name=f"Member {start + i}",
                        password="!bench",  # unusable: the Client signs in with force_login
                        date_joined=joined,
                    )
                    for i in range(n)
                ),
                batch_size=BATCH,
            )
            Membership.objects.bulk_create(
                (
                    Membership(
                        user=u, assembly=self.assembly, status=Status.MEMBER, started_at=joined
                    )
                    for u in people
                ),
                batch_size=BATCH,
            )
            Eligible.objects.bulk_create(
                (Eligible(vote=self.vote, person=u, member_since=joined.date()) for u in people),
                batch_size=BATCH,
            )
        self.members.extend(people)

    def grow_to(self, total: int) -> None:
        if total > len(self.members):
            self.add_members(total - len(self.members))
        analyze()

    def next_voter(self) -> Any:
        self.voted += 1
        if self.voted >= len(self.members):
            raise RuntimeError("no member left who has not voted")
        return self.members[self.voted]


# --------------------------------------------------------------------------- the reads


def old_visible_to(user: Any) -> Any:
    """The rule as it was before issue 11: every membership joined, then DISTINCT."""
    from django.db.models import Q

    from folkmoot.federation.models import AccessMode, Assembly

    return Assembly.objects.filter(
        ~Q(access_mode=AccessMode.RESTRICTED)
        | Q(memberships__user=user, memberships__ended_at__isnull=True)
    ).distinct()


def reads(world: World) -> dict[str, Read]:
    from django.test import Client

    from folkmoot.decisions.ballots import access_vote
    from folkmoot.decisions.models import Vote
    from folkmoot.federation.actions import access_assembly
    from folkmoot.federation.models import Assembly

    member, vote, slug = world.reader, world.vote, world.assembly.slug
    client = Client()
    client.force_login(member)

    def page(path: str) -> Read:
        def get() -> None:
            status = client.get(path).status_code
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")

        return get

    def ballot() -> None:
        voter = Client()
        voter.force_login(world.next_voter())
        response = voter.post(f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"})
        if response.status_code != 200:
            raise RuntimeError(f"the ballot POST answered {response.status_code}")

    def old_access_vote() -> object:
        return (
            Vote.objects.select_related("assembly", "proposal", "office")
            .filter(pk=vote.pk, assembly__in=old_visible_to(member))
            .first()
        )

    return {
        "visible_to": lambda: list(Assembly.objects.visible_to(member)),
        "access_vote": lambda: access_vote(member, vote.pk),
        "access_assembly": lambda: access_assembly(member, slug),
        "vote page": page(f"/votes/{vote.pk}/"),
        "assembly page": page(f"/assemblies/{slug}/"),
        "forum page": page(f"/assemblies/{slug}/forums/votes/"),
        "thread page": page(f"/assemblies/{slug}/threads/{world.thread.pk}/"),
        "ballot POST": ballot,
        "visible_to (old)": lambda: list(old_visible_to(member)),
        "access_vote (old)": old_access_vote,
    }


Measured = tuple[float, int, str]


def measure(read: Read, iterations: int, budget: float) -> Measured:
    """(median seconds, SQL queries, its slowest query) of one read: a warm-up, then timed
    runs bounded in number and in time, then one run with the queries captured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    read()
    times: list[float] = []
    deadline = time.perf_counter() + budget
    while len(times) < iterations and (not times or time.perf_counter() < deadline):
        began = time.perf_counter()
        read()
        times.append(time.perf_counter() - began)
    with CaptureQueriesContext(connection) as queries:
        read()
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default=None)
    where = f"{float(slowest['time']) * 1000:.2f} ms: {slowest['sql'][:150]}" if slowest else ""
    return statistics.median(times), len(queries), where


def measure_all(world: World, iterations: int, budget: float) -> dict[str, Measured]:
    from folkmoot.decisions.models import Participation

    out = {}
    for name, read in reads(world).items():
        out[name] = measure(read, iterations, budget)
        log(f"  {name}: {out[name][0] * 1000:.2f} ms, {out[name][1]} queries")
    # Every ballot POST was a first ballot that counted: one "has voted" row per voter.
    voted = Participation.objects.filter(vote=world.vote).count()
    if voted != world.voted:
        raise RuntimeError(f"{world.voted} ballots posted but {voted} recorded")
    return out


def plan_of_visible_to(world: World) -> str:
    """The database's plan for visible_to's query, to show which index it reads."""
    from folkmoot.federation.models import Assembly

    return Assembly.objects.visible_to(world.reader).explain()


# --------------------------------------------------------------------------- the output


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs]
        return "  " + "  ".join(cells).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def report(
    args: argparse.Namespace,
    database: str,
    small: dict[str, Measured],
    large: dict[str, Measured],
    plan: str,
) -> None:
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("django", "psycopg"))
    print("Folkmoot scale benchmark (issue 11): a restricted assembly as the federation grows")
    machine = platform.processor() or platform.machine()
    print(f"  machine: {os.cpu_count()} cores, {machine}; Python {platform.python_version()}")
    print(f"  {versions}")
    print(f"  database: {database}")
    print(
        f"  members: {args.small:,} and {args.large:,}; median of up to {args.iterations} "
        f"runs or {args.budget:g} s per read, after one warm-up\n"
    )
    s, lg = f"{args.small:,} members", f"{args.large:,} members"
    rows = []
    for name in small:
        (t_small, q_small, _), (t_large, q_large, _) = small[name], large[name]
        rows.append(
            [
                name,
                f"{t_small * 1000:.2f} ms",
                f"{t_large * 1000:.2f} ms",
                f"{t_large / t_small:.2f}×" if t_small > 0 else "—",
                str(q_small),
                str(q_large),
            ]
        )
    print(table(["read", s, lg, "ratio", "queries", "queries"], rows))
    same = all(small[n][1] == large[n][1] for n in small)
    print(f"\n  same number of queries at both sizes: {'yes' if same else 'NO'}")
    print(f"\n  slowest query of each read at {args.large:,} members (one run, SQL cut):")
    for name, (_, _, slowest) in large.items():
        print(f"    {name}: {slowest}")
    print(f"\n  plan of visible_to at {args.large:,} members:")
    print("\n".join(f"    {line}" for line in plan.splitlines()))


# --------------------------------------------------------------------------- main


def run(args: argparse.Namespace, tmp: str, bench_url: str | None) -> None:
    import django

    started = time.perf_counter()
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["FOLKMOOT_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    if bench_url is not None:
        os.environ["DATABASE_URL"] = bench_url
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test Client's host, and emails kept in memory
    log("migrating and loading the demo")
    call_command("migrate", verbosity=0)
    call_command("demo", stdout=io.StringIO())
    world = World()
    # Each size needs a member per ballot POST (warm-up, runs, counted run) besides the rest.
    log(f"{args.small:,} members (not timed)")
    world.grow_to(args.small)
    small = measure_all(world, args.iterations, args.budget)
    log(f"{args.large:,} members (not timed)")
    world.grow_to(args.large)
    large = measure_all(world, args.iterations, args.budget)
    report(args, describe_database(), small, large, plan_of_visible_to(world))
    print(f"\nTotal time {time.perf_counter() - started:.0f} s")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--small", type=int, default=500, help="members, first size")
    parser.add_argument("--large", type=int, default=100_000, help="members, second size")
    parser.add_argument("--iterations", type=int, default=15, help="timed runs per read")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per read at most")
    parser.add_argument("--smoke", action="store_true", help="50 and 500 members, 2 runs")
    args = parser.parse_args()
    if args.smoke:
        args.small, args.large, args.iterations, args.budget = 50, 500, 2, 2.0
    if not 1 <= args.iterations <= MAX_ITERATIONS:
        parser.error(f"--iterations is 1 to {MAX_ITERATIONS}")
    if not 0 < args.budget <= 120:
        parser.error("--budget is up to 120 seconds")
    # Every ballot POST takes a member who has not voted: 2 + iterations per size.
    if not (2 * (args.iterations + 2) + 1 < args.small < args.large <= MAX_MEMBERS):
        parser.error(
            f"--small must exceed {2 * (args.iterations + 2) + 1} (a voter per ballot POST) "
            f"and be below --large, which is at most {MAX_MEMBERS:,}"
        )
    return args


def main() -> None:
    args = parse()
    database_url = os.environ.get("DATABASE_URL", "")
    postgres = urlsplit(database_url).scheme in POSTGRES_SCHEMES
    if database_url and not postgres:
        sys.exit("DATABASE_URL is set but is not a PostgreSQL URL (unset it for SQLite)")
    admin_url, bench_url = pg_urls(database_url, PG_BENCH_DB) if postgres else ("", "")
    if not postgres:
        log("DATABASE_URL is not set: SQLite in a temporary directory")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the clean-up below runs
    tmp = tempfile.mkdtemp(prefix="folkmoot-bench-scale-")
    created = False
    try:
        if postgres:
            pg_admin(admin_url, f"CREATE DATABASE {PG_BENCH_DB}")
            created = True
        run(args, tmp, bench_url if postgres else None)
    finally:
        if created:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            try:
                pg_admin(admin_url, f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            except Exception as error:
                log(f"could not drop {PG_BENCH_DB}: {error}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
