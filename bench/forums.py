"""Benchmark: Folkmoot's forum pages under load, served by gunicorn, against the trivial
/healthz/ view measured in the same run.

Run from the repository root:

    .venv/bin/python bench/forums.py [--database sqlite|postgres] [--threads 10000]
        [--posts 100000] [--seconds 10] [--concurrency 8] [--redis] [--smoke]

--redis keeps the cache and the sessions in Redis on 127.0.0.1:6379, as production does when
REDIS_URL is set (cached_db sessions: a signed-in request reads its session from Redis), under
a key prefix of the run's own, deleted at the end; without it they are in the database, as
without REDIS_URL.

--smoke is a run of seconds for the test suite (tests/test_bench_smoke.py), so that a change
that breaks the benchmark fails CI: 10 threads and 80 posts, 1 gunicorn worker, 2 clients,
0.3 s warm-up and 1 s per URL, every step below; its figures mean nothing at that size. Its
database is the test suite's: PostgreSQL when DATABASE_URL names one, SQLite otherwise. Any
failed request makes the exit status 1, in every run.

What is built (not timed). A throwaway database: SQLite in a temporary directory (through
FOLKMOOT_DATA_DIR), or the PostgreSQL database folkmoot_bench_forums_<pid> on the server
DATABASE_URL names (127.0.0.1:5432, user postgres, when it names none), created here and
dropped at the end: the name is the run's own, so two runs at once never meet. It is migrated, the demo federation is loaded
(call_command("demo"): the RED15M assembly, slug "red15m", under the red15m protocol), then
the assembly's "votes" and "debates" forums are filled with bulk_create:
    --threads threads, half in each forum, each with an opening post; --posts posts in all.
    One thread in votes gets 200 posts (the thread page shows 50 per page, so 4 pages); the
    other posts are spread over the other threads with a skewed (log-normal) weight.
    300 generated people, all members (citizens) of the assembly, write them, with a few
    heavy posters; the demo's Alice and Erin write some too, Erin sometimes "as Coordinator".
    Tags are the forums' own tags from the protocol. Threads start over the last 60 days and
    replies follow until now, so none is archived (History takes threads quiet for 90 days;
    the script checks that every seeded thread is still listed in its forum). Bodies are
    Markdown rendered once with forums.text.render; 8 % of replies quote an earlier post, 2 %
    of posts were edited (one revision), 0.5 % of replies are in the trash, and there are
    about 1.2 reactions per post (+1 four times in five; some "+1 as Coordinator").
    On PostgreSQL, VACUUM ANALYZE follows, as autovacuum would do; SQLite gets no ANALYZE,
    as the project never runs one.

SQL queries per page are counted in-process before the server starts, with Django's test
Client and CaptureQueriesContext, after one warm-up request: first on the demo data alone
(the votes forum with 1 thread, the demo referendum thread with 2 posts), then on the seeded
data (the votes forum, the big thread's first page). The count does not depend on the data
size when the two rows are equal. Anonymous visitors and a signed-in citizen (Alice) are
both counted. A visitor who is not signed in gets the page's content from the shared cache
(pages/shared.py: rendered once every ANONYMOUS_PAGE_SECONDS, 10 s) after the warm-up GET,
as every visitor after the first does in production; a signed-in reader's page is rendered
for them on every request. The same table gives the median time of 5 such
GETs in-process (no HTTP, no server, one warm database connection) and the part of it spent
inside cursor.execute ("in SQL"); the rest is Python: view, ORM and template.

What is measured. gunicorn serves the project (`python -m gunicorn --workers 2` with gunicorn's
default sync workers, as in the README's production line) with bench/bench_settings.py:
the base settings, DEBUG off, and CONN_MAX_AGE from the environment as in production
(unset: the base settings' 60 s, one connection per worker kept between requests). It listens on a loopback socket this
script binds to a port the system picks and hands over (gunicorn's fd://), so no other
process can take the port in between. For each of five runs
    healthz   /healthz/: no database, no template, no session (the trivial baseline)
    forum     /assemblies/red15m/forums/votes/ (page 1: 25 threads), not signed in
    thread    /assemblies/red15m/threads/<big thread>/ (page 1: 20 of its 200 posts), the same
    forum ⓢ, thread ⓢ  the same two pages for Alice, signed in (her session cookie, made as
              signing in makes one: each request reads her session, and the page is hers)
    home ⓢ     / for Alice: her home page (issue 12), after --home-assemblies more assemblies
              (20) each with --home-votes open votes she may cast (10) were added for her,
              so 200 votes wait for her besides her demo agenda (the page shows the soonest
              20, the rest behind "Show all"); "home ⓢ ÷ forum" is printed (issue 12's bar:
              at least 0.40 of the forum page's req/s)
--concurrency client threads in this process each send a GET, wait for the whole response,
then send the next (a closed loop, over loopback only), first for a warm-up (--warmup
seconds, not recorded), then for --seconds or until --max-requests requests have been sent,
whichever comes first. Every request's latency is recorded: from just before the request is
written to just after the last byte of the response is read, connection set-up included
(gunicorn's sync workers close the connection after each response; the client would keep it
alive otherwise). Requests are sent one URL at a time, in the order above.

How to read the results.
    req/s        successful (200) responses ÷ elapsed time (first request to last response).
    p50/p95/p99  latency percentiles (nearest rank) over the successful requests. In a closed
                 loop the latency includes waiting for a free worker: with 8 clients, the
                 mean latency ≈ 8 ÷ req/s (Little's law). A slow page gets few requests in
                 --seconds; the count is shown, and with under 100 the tail is coarse.
    errors       requests that got another status or failed (timeouts, resets).
    healthz around  /healthz/'s req/s around the page: it is measured again right after each
                 page (for a third of --seconds), and a page is compared with the mean of
                 the measurements just before and just after it, so that a machine whose
                 speed drifts during the run (shared cores) moves a page and its baseline
                 together. For /healthz/ itself, its own first measurement.
    ÷ healthz    the page's req/s divided by /healthz/'s around it (how much of the trivial
                 view's throughput is left), and its p95 divided by /healthz/'s p95 around
                 it (how many times slower), from the same run on the same machine.
    client CPU   the cores this benchmark process used while sending (it competes with
                 gunicorn and the database for the same cores; its threads share one GIL).
    machine CPU  the share of all cores busy (from /proc/stat), near 100 % when saturated.
The load generator, gunicorn and PostgreSQL share the machine, so the figures are for this
machine as a whole, not for the server alone. Other processes' load is sampled for 2 s
before and after the load (this benchmark idle) and a warning is printed above 5 %: such a
run is not representative. Progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import itertools
import math
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

THIS = Path(__file__).resolve()
ROOT = THIS.parent.parent
SETTINGS = "bench.bench_settings"
PG_DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
# The run's own throwaway database: two runs at once (parallel test workers) never meet.
PG_BENCH_DB = f"folkmoot_bench_forums_{os.getpid()}"
# --smoke: the sizes of a run of seconds inside the test suite.
SMOKE = {
    "threads": 10,
    "posts": 80,
    "seconds": 1.0,
    "warmup": 0.3,
    "concurrency": 2,
    "workers": 1,
    "max_requests": 200,
    "home_assemblies": 3,
    "home_votes": 2,
}
QUIET_SECONDS = 2.0  # other processes' load is sampled this long before and after the load
SEED = 20260315
ASSEMBLY = "red15m"
FORUMS = ("votes", "debates")
MEMBERS = 300
BIG_THREAD = 200  # posts in the big thread: 4 pages of 50
DAYS = 60  # threads start within the last DAYS days: History takes 90 days of quiet
BATCH = 2000
HEADERS = {"Accept-Language": "en", "User-Agent": "folkmoot-bench/forums"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- text


FIRST_NAMES = (  # of the generated members
    "Aitana Bruno Carmen Diego Elena Fátima Gonzalo Hana Iker Julia Kenji Lucía Marc "
    "Nuria Óscar Paula Quique Rosa Sergio Tomás Uxue Valeria Xavi Yolanda Zoe Amaia Borja "
    "Chloé Dario Emma Farid Greta Hugo Inés Jonas Kiri Leo Maite Nils Olga"
)
LAST_NAMES = (
    "García López Martín Sánchez Pérez Gómez Ruiz Díaz Moreno Álvarez Romero Navarro "
    "Torres Domínguez Vázquez Ramos Gil Serrano Blanco Molina Castro Ortega Rubio Marín "
    "Sanz Iglesias"
)
TOPICS = [
    "the quarterly assembly in person",
    "the coordinators' minutes",
    "the chat moderation rules",
    "a shared calendar of actions",
    "the translation of the protocol into Catalan",
    "the budget for posters",
    "a mutual aid fund",
    "the housing campaign",
    "the referendum deadlines",
    "online voting hours",
    "the newcomers' guide",
    "the press contact list",
    "rotating the meeting cities",
    "a code of conduct for assemblies",
    "the archive of past votes",
    "the summer school",
    "the transparency report",
    "local assemblies in every district",
]
VERBS = ["Hold", "Publish", "Rotate", "Fund", "Translate", "Record", "Limit", "Review", "Adopt"]
SENTENCES = [
    "I propose that we decide this before the end of the month.",
    "The protocol already allows it, but nobody has asked for it yet.",
    "We tried something similar last year and learnt a lot from it.",
    "Three coordinators would need to support it before it goes to a vote.",
    "It costs little and it makes the assembly easier to join.",
    "Could someone who was at the last meeting summarise what was agreed?",
    "I am not convinced: the people it affects were not asked.",
    "Here is a first draft; corrections are welcome.",
    "The numbers are in the spreadsheet the treasurer shared.",
    "Let us keep the debate on the proposal itself, please.",
    "This would need an amendment to article 10, which takes a referendum.",
    "I support it, with one change to the deadline.",
    "We should ask the drafting team to read it before it is published.",
    "In my city this already works well, with a rota of volunteers.",
    "What happens if fewer than half of the citizens take part?",
    "The last vote on this was close, so a poll first seems wise.",
]
EXTRAS = [
    "\n\n- first, a poll for two weeks\n- then, if it passes, a referendum\n- finally, the protocol is amended",
    "\n\n> The most recent norm approved by referendum prevails.",
    "\n\n**Deadline:** seven days from today.",
    "\n\nMore in [the minutes](https://example.org/minutes).",
    "\n\n1. Read the draft\n2. Comment here\n3. Vote",
    "",
    "",
    "",
]


def make_bodies(rng: random.Random, n: int = 64) -> list[tuple[str, str]]:
    """(Markdown, sanitised HTML) pairs, rendered once with the project's renderer."""
    from folkmoot.forums.text import render

    bodies = []
    for _ in range(n):
        paragraphs = [
            " ".join(rng.sample(SENTENCES, rng.randint(1, 3))) for _ in range(rng.randint(1, 4))
        ]
        text = "\n\n".join(paragraphs) + rng.choice(EXTRAS)
        bodies.append((text, render(text)))
    return bodies


def thread_title(rng: random.Random, forum: str) -> str:
    topic = rng.choice(TOPICS)
    if forum == "votes":
        return f"{rng.choice(VERBS)} {topic}"
    return rng.choice(["About ", "News: ", "Why not ", "Again: ", ""]) + topic


# --------------------------------------------------------------------------- seeding


def seed(n_threads: int, n_posts: int) -> dict[str, Any]:
    """Bulk-load the RED15M votes and debates forums; returns what was made."""
    from django.db import connection, transaction
    from django.utils import timezone

    from folkmoot.accounts.models import User
    from folkmoot.federation.models import Assembly, Membership
    from folkmoot.forums.models import Post, PostRevision, Reaction, Thread
    from folkmoot.governance.membership import Status
    from folkmoot.protocols.selectors import protocol_in_force

    rng = random.Random(SEED)
    now = timezone.now()
    assembly = Assembly.objects.get(slug=ASSEMBLY)
    in_force = protocol_in_force(assembly)
    assert in_force is not None
    tags = {f: list(in_force.protocol.forums[f].tags) for f in FORUMS}
    demo = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@folkmoot.example")
    }
    erin, alice = demo["erin"], demo["alice"]
    bodies = make_bodies(rng)
    first, last = FIRST_NAMES.split(), LAST_NAMES.split()

    with transaction.atomic():
        people = User.objects.bulk_create(
            [
                User(
                    email=f"member{i:03d}@bench.folkmoot.invalid",
                    display_name=f"{rng.choice(first)} {rng.choice(last)}",
                    password="!bench",  # unusable: nobody signs in as them
                    date_joined=now - timedelta(days=rng.uniform(120, 700)),
                )
                for i in range(MEMBERS)
            ],
            batch_size=BATCH,
        )
        Membership.objects.bulk_create(
            Membership(
                user=u,
                assembly=assembly,
                status=Status.MEMBER,
                started_at=u.date_joined + timedelta(days=1),
            )
            for u in people
        )
        member_ids = [u.pk for u in people]
        # Who writes: a few heavy posters (Zipf-like), Alice and Erin among the busy ones.
        writers = [*member_ids[:4], alice.pk, *member_ids[4:9], erin.pk, *member_ids[9:]]
        cum, total = [], 0.0
        for rank in range(len(writers)):
            total += 1 / (rank + 1) ** 0.7
            cum.append(total)

        # The plan: one big thread in votes, the other posts spread with log-normal weights.
        big = min(BIG_THREAD, n_posts - n_threads + 1)
        others = n_threads - 1
        weights = [rng.lognormvariate(0, 0.8) for _ in range(others)]
        sizes = [1] * others
        for i in rng.choices(range(others), weights=weights, k=n_posts - big - others):
            sizes[i] += 1
        plans = []  # (forum, created, posts, is the big thread)
        span = DAYS * 86400
        for i, size in enumerate(sizes):
            created = now - timedelta(seconds=rng.uniform(600, span - 3600))
            plans.append((FORUMS[i % 2], created, size, False))
        plans.append(("votes", now - timedelta(days=14), big, True))
        plans.sort(key=lambda p: p[1])  # ids follow time, as they would

        threads, post_times = [], []
        pinned = set(rng.sample(range(len(plans)), 2))
        for i, (forum, created, size, is_big) in enumerate(plans):
            window = (now - created).total_seconds()
            replies = sorted(window * rng.random() ** 2 for _ in range(size - 1))
            times = [created, *(created + timedelta(seconds=s) for s in replies)]
            if is_big:  # still lively: its last reply a few minutes ago
                times[-1] = max(times[-1], now - timedelta(minutes=3))
            post_times.append(times)
            author = rng.choices(writers, cum_weights=cum)[0]
            threads.append(
                Thread(
                    assembly=assembly,
                    forum_key=forum,
                    title=(
                        "Referendum: a yearly congress, open to every citizen"
                        if is_big
                        else thread_title(rng, forum)
                    ),
                    tag=tags[forum][0] if is_big else rng.choice(tags[forum]),
                    author_id=author,
                    pinned=i in pinned,
                    created_at=created,
                    last_activity_at=times[-1],
                )
            )
        threads = Thread.objects.bulk_create(threads, batch_size=BATCH)
        big_thread = next(t for t, p in zip(threads, plans, strict=True) if p[3])
        log(f"seed: {len(people)} members, {len(threads):,} threads")

        # Posts, thread by thread, flushed in batches; their ids are kept per thread.
        post_ids: list[list[int]] = [[] for _ in threads]
        pending: list[Post] = []
        owners: list[int] = []
        revisions: list[PostRevision] = []
        edited: list[tuple[int, datetime]] = []  # (index in pending, edited at)

        def flush() -> None:
            made = Post.objects.bulk_create(pending, batch_size=BATCH)
            for post, owner in zip(made, owners, strict=True):
                post_ids[owner].append(post.pk)
            for index, at in edited:
                revisions.append(
                    PostRevision(post_id=made[index].pk, body=bodies[0][0], replaced_at=at)
                )
            pending.clear()
            owners.clear()
            edited.clear()

        for t, (thread, times) in enumerate(zip(threads, post_times, strict=True)):
            for k, at in enumerate(times):
                author = thread.author_id if k == 0 else rng.choices(writers, cum_weights=cum)[0]
                body, html = rng.choice(bodies)
                post = Post(
                    thread_id=thread.pk,
                    author_id=author,
                    as_office="coordinator" if author == erin.pk and rng.random() < 0.3 else "",
                    body=body,
                    body_html=html,
                    created_at=at,
                )
                if rng.random() < 0.02:
                    post.edited_at = min(now, at + timedelta(minutes=rng.uniform(1, 60)))
                    edited.append((len(pending), post.edited_at))
                if k and rng.random() < 0.005:
                    post.trashed_at = min(now, at + timedelta(hours=1))
                    post.trash_reason = "Off topic (moderation)"
                pending.append(post)
                owners.append(t)
            if len(pending) >= 10_000:
                flush()
        flush()
        PostRevision.objects.bulk_create(revisions, batch_size=BATCH)
        log(f"seed: {sum(map(len, post_ids)):,} posts")

        # Quotes of an earlier post of the same thread.
        quotes = [
            (rng.choice(ids[:k]), ids[k])
            for ids in post_ids
            for k in range(1, len(ids))
            if rng.random() < 0.08
        ]
        table = connection.ops.quote_name(Post._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET quote_of_id = %s WHERE id = %s", quotes)

        # Reactions: more on opening posts; +1 four times in five; some as Coordinator.
        reactions: list[Reaction] = []
        n_reactions = 0
        for t, ids in enumerate(post_ids):
            for k, pk in enumerate(ids):
                at = post_times[t][k]
                if k == 0:
                    n = min(40, int(rng.expovariate(1 / 4)))
                else:
                    n = 0 if rng.random() < 0.55 else 1 + int(rng.expovariate(1 / 1.5))
                for user in rng.sample(member_ids, n):
                    when = min(now, at + timedelta(minutes=rng.uniform(1, 600)))
                    value = 1 if rng.random() < 0.8 else -1
                    reactions.append(
                        Reaction(post_id=pk, user_id=user, value=value, created_at=when)
                    )
                if rng.random() < (0.05 if k == 0 else 0.01):
                    reactions.append(
                        Reaction(
                            post_id=pk, user=erin, as_office="coordinator", value=1, created_at=at
                        )
                    )
            if len(reactions) >= 20_000:
                n_reactions += len(Reaction.objects.bulk_create(reactions, batch_size=BATCH))
                reactions.clear()
        n_reactions += len(Reaction.objects.bulk_create(reactions, batch_size=BATCH))
        log(f"seed: {n_reactions:,} reactions, {len(quotes):,} quotes")

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    sizes_by_thread = [len(ids) for ids in post_ids]
    return {
        "members": len(people),
        "threads": len(threads),
        "posts": sum(sizes_by_thread),
        "reactions": n_reactions,
        "quotes": len(quotes),
        "revisions": len(revisions),
        "big_thread": big_thread.pk,
        "big_posts": len(post_ids[threads.index(big_thread)]),
        "largest_other": max(
            s for s, t in zip(sizes_by_thread, threads, strict=True) if t != big_thread
        ),
        "median_posts": sorted(sizes_by_thread)[len(sizes_by_thread) // 2],
    }


def forum_facts() -> dict[str, Any]:
    """What the forums hold now, and what the two pages list (the archival check)."""
    from folkmoot.federation.models import Assembly
    from folkmoot.forums.models import Post, Thread
    from folkmoot.forums.selectors import threads_in
    from folkmoot.protocols.selectors import protocol_in_force

    assembly = Assembly.objects.get(slug=ASSEMBLY)
    in_force = protocol_in_force(assembly)
    assert in_force is not None
    facts: dict[str, Any] = {}
    for forum in FORUMS:
        stored = Thread.objects.filter(assembly=assembly, forum_key=forum).count()
        listed = threads_in(assembly, in_force.protocol, forum).count()
        facts[forum] = {"stored": stored, "listed": listed}
    facts["posts"] = Post.objects.filter(
        thread__assembly=assembly, thread__forum_key__in=FORUMS
    ).count()
    return facts


# --------------------------------------------------------------------------- counting queries


def count_queries(path: str, user: Any = None, repeats: int = 5) -> dict[str, Any]:
    """SQL queries of one GET, in this process, after a warm-up GET of the same page; and the
    median time of `repeats` GETs, with the part spent in cursor.execute (SQL)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    assert client.get(path).status_code == 200, path
    in_sql = [0.0]

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql[0] += time.perf_counter() - began

    counts, totals, sqls = [], [], []
    for _ in range(repeats):
        in_sql[0] = 0.0
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed):
            began = time.perf_counter()
            response = client.get(path)
            totals.append(time.perf_counter() - began)
        assert response.status_code == 200, path
        counts.append(len(queries.captured_queries))
        sqls.append(in_sql[0])
    assert len(set(counts)) == 1, f"{path}: {counts} queries"
    return {
        "n": counts[0],
        "total": sorted(totals)[repeats // 2],
        "sql": sorted(sqls)[repeats // 2],
    }


def query_row(label: str, data: str, path: str, shows: str) -> dict[str, Any]:
    from folkmoot.accounts.models import User

    alice = User.objects.get(email="alice@folkmoot.example")
    return {
        "label": label,
        "data": data,
        "path": path,
        "shows": shows,
        "anonymous": count_queries(path),
        "citizen": count_queries(path, alice),
    }


def seed_home(assemblies: int, votes: int) -> int:
    """Issue 12's home page at its size: Alice in `assemblies` more assemblies of Harmony,
    each with `votes` open votes she may cast (folkmoot.agenda.sample)."""
    from folkmoot.accounts.models import User
    from folkmoot.agenda.sample import give_agenda
    from folkmoot.federation.models import Assembly

    alice = User.objects.get(email="alice@folkmoot.example")
    harmony = Assembly.objects.get(slug="harmony-party-uk")
    return give_agenda(alice, harmony, assemblies=assemblies, votes=votes, tag="bench-home")


def alice_session() -> str:
    """A `Cookie` header value that signs Alice in: a session made as signing in makes one,
    stored where the server reads sessions."""
    from django.conf import settings
    from django.test import Client

    from folkmoot.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="alice@folkmoot.example"))
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(
    port: int, path: str, timeout: float = 30, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or HEADERS)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_server(port: int, workers: int, log_file: Any) -> subprocess.Popen[bytes]:
    """gunicorn on a given loopback port (kept for callers that choose one; serve() picks a
    free one without a race)."""
    server = launch(f"127.0.0.1:{port}", workers, log_file)
    wait_until_up(server, port)
    return server


def serve(workers: int, log_file: Any) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn on a loopback port the system picks: the socket is bound here and handed to
    gunicorn (fd://), so no other process (another benchmark, a parallel test worker) can
    take the port between choosing it and listening on it. Returns (server, port)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(2048)
        port = listener.getsockname()[1]
        fd = listener.fileno()
        server = launch(f"fd://{fd}", workers, log_file, pass_fds=(fd,))
    finally:
        listener.close()  # gunicorn holds its own copy
    wait_until_up(server, port)
    return server, port


def launch(
    bind: str, workers: int, log_file: Any, pass_fds: tuple[int, ...] = ()
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        bind,
        "--log-level",
        "warning",
        "django.core.wsgi:get_wsgi_application()",
    ]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, pass_fds=pass_fds
    )


def wait_until_up(server: subprocess.Popen[bytes], port: int) -> None:
    """Until /healthz/ answers 200, for 60 s at most; stops the server if it never does."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if get(port, "/healthz/", timeout=2)[0] == 200:
                return
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer /healthz/ within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the gunicorn master we started (it stops its workers), SIGKILL if stuck."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --------------------------------------------------------------------------- the load


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores, from /proc/stat; (0, 0) where it is missing."""
    try:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def background_cpu(seconds: float = 2.0) -> float | None:
    """Share of all cores busy while this benchmark does nothing: other processes' load."""
    busy0, total0 = cpu_ticks()
    time.sleep(seconds)
    busy1, total1 = cpu_ticks()
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else None


def closed_loop(
    port: int,
    path: str,
    seconds: float,
    concurrency: int,
    limit: int,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`concurrency` threads, each: GET, read the whole response, again; until `seconds` have
    passed or `limit` requests were sent. Returns every successful latency (ns) and the rest."""
    lock = threading.Lock()
    sent = [0]
    start_gate = threading.Barrier(concurrency + 1)
    stop_at = [0]
    latencies: list[list[int]] = [[] for _ in range(concurrency)]
    errors: list[Counter[str]] = [Counter() for _ in range(concurrency)]
    connects = [0] * concurrency
    sizes = [0] * concurrency

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = latencies[i], errors[i]
        clock = time.perf_counter_ns
        start_gate.wait()
        try:
            while True:
                with lock:
                    if sent[0] >= limit or clock() >= stop_at[0]:
                        break
                    sent[0] += 1
                if conn.sock is None:
                    connects[i] += 1
                began = clock()
                try:
                    conn.request("GET", path, headers=headers or HEADERS)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as error:
                    failed[type(error).__name__] += 1
                    conn.close()
                    continue
                ended = clock()
                if response.status == 200:
                    mine.append(ended - began)
                    sizes[i] = len(body)
                else:
                    failed[f"HTTP {response.status}"] += 1
        finally:
            conn.close()

    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for w in workers:
        w.start()
    busy0, total0 = cpu_ticks()
    cpu0 = time.process_time()
    began = time.perf_counter_ns()
    stop_at[0] = began + int(seconds * 1e9)
    start_gate.wait()
    for w in workers:
        w.join()
    elapsed = (time.perf_counter_ns() - began) / 1e9
    cpu = time.process_time() - cpu0
    busy1, total1 = cpu_ticks()
    done = sorted(x for part in latencies for x in part)
    failed = sum(errors, Counter())
    return {
        "sent": sent[0],
        "ok": len(done),
        "errors": sum(failed.values()),
        "error_kinds": dict(failed),
        "elapsed": elapsed,
        "rps": len(done) / elapsed if elapsed else 0.0,
        "p50": percentile(done, 50),
        "p95": percentile(done, 95),
        "p99": percentile(done, 99),
        "max": done[-1] / 1e9 if done else None,
        "connects": sum(connects),
        "bytes": max(sizes),
        "stopped_by": "count" if sent[0] >= limit else "time",
        "client_cpu": cpu / elapsed if elapsed else 0.0,
        "machine_cpu": (busy1 - busy0) / (total1 - total0) if total1 > total0 else None,
    }


def percentile(ordered: list[int], q: float) -> float | None:
    """Nearest rank, in seconds."""
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1] / 1e9


# --------------------------------------------------------------------------- printing


def fmt_s(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return (
            f"{s * 1e3:.2f} ms"
            if s < 0.01
            else f"{s * 1e3:.1f} ms"
            if s < 0.1
            else f"{s * 1e3:.0f} ms"
        )
    return f"{s:.2f} s"


def fmt_rate(x: float | None) -> str:
    return "—" if x is None else f"{x:,.1f}/s"


def fmt_ratio(x: float | None) -> str:
    if x is None:
        return "—"
    return (
        f"{x:.3f}×"
        if x < 0.1
        else f"{x:.2f}×"
        if x < 10
        else f"{x:.1f}×"
        if x < 100
        else f"{x:,.0f}×"
    )


def fmt_bytes(n: int) -> str:
    return f"{n} B" if n < 1000 else f"{n / 1000:.1f} kB"


def table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def print_header(args: argparse.Namespace, server: str) -> None:
    from django.conf import settings

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as info:
        cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("django", "gunicorn", "psycopg"))
    print("Folkmoot forum pages under load")
    print(f"  machine: {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}")
    print(f"  {versions}")
    print(f"  database: {server}")
    print(
        f"  server: gunicorn, {args.workers} sync workers, settings {SETTINGS} (DEBUG off), "
        # What the server runs with: base settings' default unless the environment sets it.
        f"CONN_MAX_AGE={settings.DATABASES['default'].get('CONN_MAX_AGE')}"
    )
    kept = "Redis (cached_db), as with REDIS_URL" if args.redis else "the database"
    print(f"  cache and sessions: {kept}")
    print(
        f"  load: {args.concurrency} client threads (http.client) on loopback; per URL "
        f"{args.warmup:g} s warm-up, then {args.seconds:g} s or {args.max_requests:,} requests"
    )


def print_data(stats: dict[str, Any], facts: dict[str, Any], seconds: float) -> None:
    votes, debates = facts["votes"], facts["debates"]
    print(
        f"  data: {ASSEMBLY}: votes {votes['stored']:,} threads, debates {debates['stored']:,} "
        f"threads (demo's included), {facts['posts']:,} posts in the two"
    )
    print(
        f"        {stats['members']} generated members; {stats['reactions']:,} reactions, "
        f"{stats['quotes']:,} quoting replies, {stats['revisions']:,} edited posts"
    )
    print(
        f"        posts per thread: big thread {stats['big_posts']}, largest other "
        f"{stats['largest_other']}, median {stats['median_posts']}"
    )
    archived = sum(f["stored"] - f["listed"] for f in (votes, debates))
    print(
        f"        listed in their forum now: votes {votes['listed']:,}, debates "
        f"{debates['listed']:,} ({'none' if archived == 0 else archived} archived)"
    )
    print(f"  seeding (not timed): {seconds:.0f} s")


def print_queries(rows: list[dict[str, Any]]) -> None:
    print("\nSQL queries per request (in-process test client, after one warm-up request)")
    print("    time: one GET in-process, median of 5 (no HTTP, no server); in SQL: the part")
    print("    spent in cursor.execute (the rest is Python: the view, the ORM and the template)\n")
    body = [
        [
            r["label"],
            r["data"],
            r["shows"],
            str(r["anonymous"]["n"]),
            str(r["citizen"]["n"]),
            fmt_s(r["anonymous"]["total"]),
            fmt_s(r["anonymous"]["sql"]),
            fmt_s(r["citizen"]["total"]),
            fmt_s(r["citizen"]["sql"]),
        ]
        for r in rows
    ]
    headers = [
        "page",
        "data",
        "the page shows",
        "queries anonymous",
        "signed-in",
        "time anonymous",
        "in SQL",
        "time signed-in",
        "in SQL",
    ]
    print(table(headers, body, set(range(3, len(headers)))))
    same = all(
        a[who]["n"] == b[who]["n"]
        for a, b in zip(rows[::2], rows[1::2], strict=True)
        for who in ("anonymous", "citizen")
    )
    print(
        "\n  "
        + (
            "Same number of queries on the demo data and on the seeded data: it does not grow "
            "with the data."
            if same
            else "The number of queries CHANGES with the data size."
        )
    )


def print_load(results: list[dict[str, Any]]) -> None:
    print(
        "\nUnder load (GETs by a visitor who is not signed in, and, marked ⓢ, by Alice signed in;"
        "\nlatency percentiles over successful requests)\n"
    )
    rows = []
    for r in results:
        base = r.get("around") or results[0]
        rps_ratio = r["rps"] / base["rps"] if base["rps"] else None
        p95_ratio = r["p95"] / base["p95"] if r["p95"] and base["p95"] else None
        machine = f"{r['machine_cpu'] * 100:.0f} %" if r["machine_cpu"] is not None else "—"
        rows.append(
            [
                r["label"],
                f"{r['ok']:,}",
                f"{r['errors']:,}",
                f"{r['rps']:,.1f}",
                fmt_s(r["p50"]),
                fmt_s(r["p95"]),
                fmt_s(r["p99"]),
                fmt_rate(base["rps"]),
                fmt_ratio(rps_ratio),
                fmt_ratio(p95_ratio),
                fmt_bytes(r["bytes"]),
                f"{r['client_cpu']:.2f}",
                machine,
            ]
        )
    headers = [
        "page",
        "requests",
        "errors",
        "req/s",
        "p50",
        "p95",
        "p99",
        "healthz around",
        "req/s ÷ healthz",
        "p95 ÷ healthz",
        "size",
        "client CPU",
        "machine CPU",
    ]
    print(table(headers, rows, set(range(1, len(headers)))))
    print()
    for r in results:
        stop = "request limit" if r["stopped_by"] == "count" else "time limit"
        keep = (
            "a new connection per request"
            if r["connects"] >= r["sent"]
            else f"{r['connects']:,} connections"
        )
        few = "; few samples, the tail is coarse" if r["ok"] < 100 else ""
        print(
            f"  {r['label']:<8} {r['path']}: {r['elapsed']:.1f} s ({stop}), {keep}, "
            f"max {fmt_s(r['max'])}{few}"
        )
        for kind, n in sorted(r["error_kinds"].items()):
            print(f"           error {kind}: {n:,}")


def print_background(before: float | None, after: float | None) -> None:
    if before is None or after is None:
        return
    print(
        f"\n  Other processes kept {before * 100:.0f} % of the cores busy just before the load and "
        f"{after * 100:.0f} % just after ({QUIET_SECONDS:g} s each, this benchmark idle)."
    )
    if max(before, after) > 0.05:
        print(
            "  WARNING: the machine was not quiet; the figures above are lower than they would be."
        )


# --------------------------------------------------------------------------- main


def pg_urls(database: str = PG_BENCH_DB) -> tuple[str, str]:
    """(admin URL, throwaway URL) on the server DATABASE_URL names when it is a PostgreSQL
    URL (the test suite's, in CI), else on the loopback default, as that URL's user; the
    database the URL names is never read or written."""
    named = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(named if is_postgres(named) else PG_DEFAULT_URL)
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    bench = urlunsplit(("postgres", parts.netloc, f"/{database}", parts.query, ""))
    return admin, bench


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_urls()[0], autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql)


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            shown = []
            for name in ("server_version", "jit", "shared_buffers", "work_mem"):
                cursor.execute(f"SHOW {name}")
                shown.append(cursor.fetchone()[0].split()[0])
            version, *rest = shown
            settings = ", ".join(
                f"{k} {v}" for k, v in zip(("jit", "shared_buffers", "work_mem"), rest, strict=True)
            )
            return f"PostgreSQL {version} ({settings}; throwaway database {PG_BENCH_DB}, loopback)"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]} (temporary file, WAL)"


def run(args: argparse.Namespace, tmp: str) -> None:
    import django

    started = time.perf_counter()
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["FOLKMOOT_DATA_DIR"] = tmp
    bench_url = pg_urls()[1]
    os.environ.pop("DATABASE_URL", None)
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = bench_url  # the server started below inherits it
    if args.redis:  # the server inherits these too (bench_settings.py)
        os.environ["FOLKMOOT_BENCH_REDIS"] = BENCH_REDIS_URL
        os.environ["FOLKMOOT_BENCH_RUN"] = REDIS_RUN
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from folkmoot.forums.models import Thread
    from folkmoot.forums.selectors import POSTS_PER_PAGE

    log(f"{args.database}: migrating and loading the demo")
    call_command("migrate", verbosity=0)
    call_command("demo", stdout=io.StringIO())
    forum_path = f"/assemblies/{ASSEMBLY}/forums/votes/"
    demo_thread = Thread.objects.get(assembly__slug=ASSEMBLY, title__startswith="Referendum:")
    demo_rows = [
        query_row("forum", "demo", forum_path, "1 thread"),
        query_row(
            "thread",
            "demo",
            f"/assemblies/{ASSEMBLY}/threads/{demo_thread.pk}/",
            f"{demo_thread.posts.count()} posts",
        ),
    ]

    home_demo = query_row("home", "demo", "/", "Alice's demo agenda")

    log(f"seeding {args.threads:,} threads and {args.posts:,} posts (not timed)")
    seeding = time.perf_counter()
    stats = seed(args.threads, args.posts)
    stats["agenda"] = seed_home(args.home_assemblies, args.home_votes)
    seeding = time.perf_counter() - seeding
    facts = forum_facts()
    thread_path = f"/assemblies/{ASSEMBLY}/threads/{stats['big_thread']}/"
    listed, big = facts["votes"]["listed"], stats["big_posts"]
    per_page = POSTS_PER_PAGE
    queries = [
        demo_rows[0],
        query_row(
            "forum",
            "seeded",
            forum_path,
            f"25 of {listed:,} threads (page 1 of {math.ceil(listed / 25)})",
        ),
        demo_rows[1],
        query_row(
            "thread",
            "seeded",
            thread_path,
            f"{per_page} of {big} posts (page 1 of {math.ceil(big / per_page)})",
        ),
        home_demo,
        query_row(
            "home",
            "seeded",
            "/",
            f"{stats['agenda']} open votes in {args.home_assemblies} more assemblies",
        ),
    ]
    server = server_version()
    connections.close_all()

    print_header(args, server)
    print_data(stats, facts, seeding)
    print_queries(queries)
    sys.stdout.flush()

    # Alice (a citizen of RED15M) signed in: her session cookie, as a browser sends it. A
    # signed-in page is rendered for her on every request (pages/shared.py shares only what
    # visitors who are not signed in see).
    signed_in = {**HEADERS, "Cookie": alice_session()}
    targets = [
        ("healthz", "/healthz/", HEADERS),
        ("forum", forum_path, HEADERS),
        ("thread", thread_path, HEADERS),
        ("forum ⓢ", forum_path, signed_in),
        ("thread ⓢ", thread_path, signed_in),
        ("home ⓢ", "/", signed_in),
    ]
    quiet_before = background_cpu(QUIET_SECONDS)
    with open(Path(tmp) / "gunicorn.log", "wb") as server_log:
        log("starting gunicorn on a free loopback port")
        try:
            gunicorn, port = serve(args.workers, server_log)
        except RuntimeError:
            server_log.flush()
            sys.stderr.write((Path(tmp) / "gunicorn.log").read_text(errors="replace")[-4000:])
            raise
        results = []
        before: dict[str, Any] | None = None  # /healthz/ just before the page measured next
        try:
            for label, path, headers in targets:
                status, body = get(port, path, headers=headers)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                if label.startswith("thread") and b"a yearly congress" not in body:
                    raise RuntimeError(f"{path} is not the big thread")
                if label == "home ⓢ" and b"What needs you" not in body:
                    raise RuntimeError("/ is not Alice's home page")
                if label.endswith("ⓢ") and b"Sign out" not in body:
                    raise RuntimeError(f"{path}: Alice's session was not recognised")
                log(f"{label}: warm-up {args.warmup:g} s, then {args.seconds:g} s")
                closed_loop(port, path, args.warmup, args.concurrency, args.max_requests, headers)
                result = closed_loop(
                    port, path, args.seconds, args.concurrency, args.max_requests, headers
                )
                result.update(label=label, path=path)
                log(f"{label}: {result['ok']:,} requests, {result['rps']:,.1f}/s")
                if before is not None:
                    # /healthz/ again right after the page: its ratio is taken against the
                    # mean of the two around it, so a machine whose speed drifts during the
                    # run (shared cores) moves the page and its baseline together.
                    after = closed_loop(
                        port,
                        "/healthz/",
                        args.seconds / 3,
                        args.concurrency,
                        args.max_requests,
                        HEADERS,
                    )
                    result["around_errors"] = after["errors"]
                    result["around"] = {
                        key: (before[key] + after[key]) / 2 if before[key] and after[key] else None
                        for key in ("rps", "p95")
                    }
                    log(f"{label}: /healthz/ around it {fmt_rate(result['around']['rps'])}")
                    before = after
                else:
                    before = result
                results.append(result)
        finally:
            log("stopping gunicorn")
            stop_server(gunicorn)
    quiet_after = background_cpu(QUIET_SECONDS)
    print_load(results)
    by_label = {r["label"]: r for r in results}
    home = by_label["home ⓢ"]["rps"]
    for other in ("forum", "forum ⓢ"):
        rps = by_label[other]["rps"]
        print(f"  home ⓢ ÷ {other}: {home / rps:.2f}" if rps else f"  home ⓢ ÷ {other}: —")
    print_background(quiet_before, quiet_after)
    print(f"\nTotal time {time.perf_counter() - started:.0f} s")
    failed = sum(r["errors"] + r.get("around_errors", 0) for r in results)
    if failed:
        raise SystemExit(f"{failed:,} requests failed (0 expected): see the table above")


def main() -> None:
    global QUIET_SECONDS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default=None)
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per URL, after the warm-up")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per URL")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per URL")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--home-assemblies", type=int, default=20, help="more assemblies for Alice's home page"
    )
    parser.add_argument(
        "--home-votes", type=int, default=10, help="open votes for her in each of them"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a run of seconds for the test suite (tiny sizes)"
    )
    parser.add_argument(
        "--redis",
        action="store_true",
        help="the cache and sessions in Redis on 127.0.0.1:6379, as production with REDIS_URL",
    )
    args = parser.parse_args()
    if args.smoke:
        vars(args).update(SMOKE)
        QUIET_SECONDS = 0.2
        if args.database is None:  # the test suite's database
            postgres = is_postgres(os.environ.get("DATABASE_URL", ""))
            args.database = "postgres" if postgres else "sqlite"
    args.database = args.database or "sqlite"
    if not 2 <= args.threads <= 1_000_000:
        parser.error("--threads is 2 to 1,000,000")
    if not args.threads + 1 <= args.posts <= 10_000_000:
        parser.error("--posts is at least --threads + 1 (every thread has its opening post)")
    if not (0 < args.seconds <= 600 and 0 <= args.warmup <= 60):
        parser.error("--seconds is up to 600, --warmup up to 60")
    if not (0 <= args.home_assemblies <= 1_000 and 0 <= args.home_votes <= 100):
        parser.error("--home-assemblies is 0 to 1,000, --home-votes 0 to 100")
    if not (1 <= args.concurrency <= 256 and 1 <= args.workers <= 64 and args.max_requests >= 1):
        parser.error("--concurrency is 1 to 256, --workers 1 to 64, --max-requests at least 1")

    if args.redis and not redis_answers():
        parser.error(f"--redis: nothing answers at {BENCH_REDIS_URL}")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the clean-up below runs
    tmp = tempfile.mkdtemp(prefix="folkmoot-bench-forums-")
    created = False
    try:
        if args.database == "postgres":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {PG_BENCH_DB}")
            created = True
        run(args, tmp)
    finally:
        if created:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            try:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            except Exception as error:
                log(f"could not drop {PG_BENCH_DB}: {error}")
        shutil.rmtree(tmp, ignore_errors=True)
        if args.redis:
            forget_redis_keys()


BENCH_REDIS_URL = "redis://127.0.0.1:6379/0"
# The run's own key prefix on that Redis (bench_settings.py): deleted at the end.
REDIS_RUN = f"forums-{uuid.uuid4().hex}"


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BENCH_REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def forget_redis_keys() -> None:
    """Deletes this run's keys, and only them (its prefix), a bounded number of them."""
    import redis

    client = redis.Redis.from_url(BENCH_REDIS_URL, socket_timeout=5)
    pattern = f"folkmoot-bench-{REDIS_RUN}:*"
    keys = list(itertools.islice(client.scan_iter(match=pattern, count=1000), 1_000_000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    log(f"redis: deleted this run's {len(keys):,} keys")


if __name__ == "__main__":
    main()
