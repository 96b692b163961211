"""Benchmark: a moot's live room with many people connected (issue 14), against the chat
measured in the same run.

Run from the repository root:

    .venv/bin/python bench/moot_room.py [--people 300] [--acts 20] [--database sqlite|postgres]
        [--smoke]

--smoke is a run of seconds for the test suite (tests/test_bench_smoke.py): 6 people, 3 acts,
every step below; its figures mean nothing at that size. Its database is the test suite's:
PostgreSQL when DATABASE_URL names one, SQLite otherwise. A delivery that never arrives, a
failed request or a frame without the expected content makes the exit status 1, in every run.

What is built (not timed). A throwaway database, as bench/forums.py makes one (SQLite in a
temporary directory, or the PostgreSQL database folkmoot_bench_moot_<pid>, dropped at the
end), migrated, with the demo federation loaded. In Harmony Party UK (the harmony protocol:
its secretary, Grace, calls moots; participants attend; its chat room is "rec"), --people
generated participants join; a consensus proposal is made, and a moot is under way now: the
proposal is its current point, everyone is present (online), and Grace has opened a
consensus check. Each person gets a session as signing in makes one (and a CSRF cookie, as
the room page sets), and an API token.

What is measured. Daphne serves the project's ASGI application (HTTP and WebSockets, one
process, as `folkmoot` runs it in production behind a proxy) with bench/bench_settings.py
and the Redis channel layer (channels_redis on 127.0.0.1:6379, under a prefix of this run's
own; the in-memory layer when no Redis answers, said in the header). It listens on a socket
this script binds to a port the system picks and hands over (--fd).
    moot room  --people WebSockets connect to the moot's room (/ws/moots/<id>/room/), each
               signed in as one participant. Then --acts times, one after the other, one of
               them responds "agree" through the API (POST /api/v1/moots/<id>/room/response);
               each socket is then sent the room as that person may see it now (its own
               permission check, its own controls and CSRF token), whose consensus counts
               read "Agree k".
    chat       the same number of WebSockets connect to Harmony's chat room
               (/ws/assemblies/harmony-party-uk/chat/rec/), and --acts times one participant
               posts a message through the API (POST /api/v1/assemblies/…/chat/rec/messages);
               each socket is sent it after the reader's own permission check.
A delivery's latency runs from just before the POST is sent to the moment the client has
read the frame that carries the act (the counts "Agree k", the message's text), so it
includes the request, the commit, the channel layer and the per-socket work. The next act
starts once every socket has its frame (or after 60 s, when the missing ones are failures).
The clients are asyncio tasks in this process (the `websockets` library), on loopback only.

SQL queries per delivery are counted in-process with CaptureQueriesContext, by handing one
consumer of each kind the group's event as the channel layer would.

How to read the results: p50/p95/p99/max are nearest-rank percentiles over every delivery
(people × acts); "last" is the median over acts of the time until the last socket had its
frame; "moot ÷ chat" is the ratio of the two p95s in the same run (issue 14's bar: report it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from forums import fmt_ratio, fmt_s, is_postgres, percentile, pg_admin, pg_urls, table

THIS = Path(__file__).resolve()
ROOT = THIS.parent.parent
SETTINGS = "bench.bench_settings"
PG_BENCH_DB = f"folkmoot_bench_moot_{os.getpid()}"
REDIS = ("127.0.0.1", 6379)
ASSEMBLY = "harmony-party-uk"
ROOM = "rec"
DELIVERY_TIMEOUT = 60.0
CONNECT_TIMEOUT = 60.0
SMOKE = {"people": 6, "acts": 3}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the data


def seed(n: int) -> dict[str, Any]:
    """The participants, the proposal, the live moot with its check open; their cookies and
    tokens."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from folkmoot.accounts.models import ApiToken, User, hash_token
    from folkmoot.decisions.actions import check_propose, decision_context
    from folkmoot.federation.models import Assembly, Membership
    from folkmoot.governance.membership import Status
    from folkmoot.moots import checks, live
    from folkmoot.moots.actions import moot_context
    from folkmoot.moots.models import AgendaPoint, Attendance, Moot

    hpuk = Assembly.objects.get(slug=ASSEMBLY)
    grace = User.objects.get(email="grace@folkmoot.example")
    now = timezone.now()
    joined = now - timedelta(days=400)
    with transaction.atomic():
        people = User.objects.bulk_create(
            User(
                email=f"p{i:05d}@bench.folkmoot.invalid",
                display_name=f"Participant {i}",
                password="!bench",  # unusable: they are signed in by the sessions below
                date_joined=joined,
            )
            for i in range(n)
        )
        Membership.objects.bulk_create(
            Membership(
                user=u,
                assembly_id=hpuk.membership_assembly_id,
                status=Status.MEMBER,
                started_at=joined + timedelta(days=1),
            )
            for u in people
        )
    proposal = check_propose(
        decision_context(grace, hpuk),
        grace,
        "consensus_proposal",
        title="Open a reading room",
        body="A room in the hall, open every evening.",
    )
    moot = Moot.objects.create(
        assembly=hpuk,
        called_by=grace,
        facilitator=grace,
        title="Evening moot",
        purpose="Decide the reading room.",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=6),
        online_link="https://meet.example.org/harmony-evening",
    )
    point = AgendaPoint.objects.create(
        moot=moot,
        title=proposal.title,
        minutes=60,
        proposal=proposal,
        state=AgendaPoint.State.ACCEPTED,
        added_by=grace,
    )
    Attendance.objects.bulk_create(
        Attendance(moot=moot, person=p, mode=Attendance.Mode.ONLINE) for p in [grace, *people]
    )
    ctx = moot_context(grace, hpuk)
    live.check_take_up(grace, ctx, moot, point)
    checks.check_open_check(grace, ctx, moot)

    engine = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"])
    cookies, tokens = [], []
    for person in people:
        store = engine.SessionStore()
        store[SESSION_KEY] = str(person.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = person.get_session_auth_hash()
        store.create()
        csrf = get_random_string(32)  # the room page's CSRF cookie
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf}; {settings.LANGUAGE_COOKIE_NAME}=en"
        )
    raws = [ApiToken.generate() for _ in people]
    ApiToken.objects.bulk_create(
        ApiToken(user=u, name="bench", key_hash=hash_token(raw), prefix=raw[:8])
        for u, raw in zip(people, raws, strict=True)
    )
    tokens = raws
    return {"moot": moot.pk, "cookies": cookies, "tokens": tokens, "people": people}


def queries_per_delivery(data: dict[str, Any]) -> dict[str, int]:
    """One consumer of each kind handed the group's event, as the channel layer hands it."""
    from importlib import import_module

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from folkmoot.chat.consumers import ChatConsumer
    from folkmoot.moots.consumers import MootRoomConsumer, room_event

    person = data["people"][0]
    cookie = dict(part.split("=", 1) for part in data["cookies"][0].split("; "))
    session = import_module(settings.SESSION_ENGINE).SessionStore(
        cookie[settings.SESSION_COOKIE_NAME]
    )
    sent: list[str] = []
    counts = {}

    moot = MootRoomConsumer()
    moot.scope = {"session": session, "cookies": cookie, "user": person}
    moot.moot_id, moot.user_id = data["moot"], person.pk
    moot.send = lambda text_data=None, **_: sent.append(text_data)  # type: ignore[method-assign]
    moot.room_changed(room_event())  # the first socket of the process builds what all share
    with CaptureQueriesContext(connection) as first:
        moot.room_changed(room_event())
    with CaptureQueriesContext(connection) as after:
        event = room_event()
        moot.room_changed(event)
        moot.room_changed(event)
    counts["moot room, first socket of an act"] = len(first)
    counts["moot room, each other socket"] = len(after) - len(first)

    chat = ChatConsumer()
    chat.scope = {"session": session, "cookies": cookie, "user": person}
    chat.slug, chat.room, chat.user_id = ASSEMBLY, ROOM, person.pk
    chat.send = lambda text_data=None, **_: sent.append(text_data)  # type: ignore[method-assign]
    with CaptureQueriesContext(connection) as chat_queries:
        chat.chat_message({"type": "chat.message", "html": "<li>hello</li>", "id": 0})
    counts["chat, each socket"] = len(chat_queries)
    if not all(sent) or len(sent) != 5:
        raise SystemExit("a consumer sent nothing when handed an event")
    return counts


# --------------------------------------------------------------------------- the server


def redis_answers() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(REDIS, timeout=1) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    return False


def serve(env: dict[str, str], log_file: Any) -> tuple[subprocess.Popen[bytes], int]:
    """Daphne on a loopback socket bound here and handed over (--fd): no other process can
    take the port in between."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(2048)
        port = listener.getsockname()[1]
        fd = listener.fileno()
        cmd = [
            sys.executable,
            "-m",
            "daphne",
            "--fd",
            str(fd),
            "--websocket_connect_timeout",
            str(int(CONNECT_TIMEOUT)),
            "-v",
            "0",
            "folkmoot.config.asgi:application",
        ]
        server = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, pass_fds=(fd,)
        )
    finally:
        listener.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"daphne exited with {server.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz/")
            if conn.getresponse().status == 200:
                return server, port
        time.sleep(0.2)
    stop(server)
    raise RuntimeError("daphne did not answer /healthz/ within 60 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def post(port: int, path: str, token: str, body: dict[str, Any]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DELIVERY_TIMEOUT)
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


# --------------------------------------------------------------------------- the load


async def measure(
    port: int,
    path: str,
    cookies: list[str],
    marker: re.Pattern[str],
    act: Any,
    acts: int,
) -> dict[str, Any]:
    """Connects a socket per cookie, then runs `acts` acts one after the other; `act(i)`
    POSTs the i-th (1-based) and returns its status; `marker` finds i in a frame."""
    from websockets.asyncio.client import connect

    received: list[dict[int, float]] = [{} for _ in cookies]
    errors: list[str] = []
    sockets = []
    gate = asyncio.Semaphore(20)  # connects in flight: each is a permission check

    async def open_one(cookie: str) -> Any:
        async with gate:
            return await connect(
                f"ws://127.0.0.1:{port}{path}",
                origin="http://127.0.0.1",  # type: ignore[arg-type]
                additional_headers={"Cookie": cookie},
                open_timeout=CONNECT_TIMEOUT,
                max_size=None,
                ping_interval=None,
            )

    async def listen(index: int, ws: Any) -> None:
        with contextlib.suppress(Exception):
            async for frame in ws:
                now = time.perf_counter()
                found = marker.search(frame if isinstance(frame, str) else frame.decode())
                if found:
                    received[index].setdefault(int(found.group(1)), now)

    started = time.perf_counter()
    sockets = await asyncio.gather(*(open_one(c) for c in cookies))
    connect_seconds = time.perf_counter() - started
    listeners = [asyncio.create_task(listen(i, ws)) for i, ws in enumerate(sockets)]
    latencies: list[float] = []
    lasts: list[float] = []
    try:
        for i in range(1, acts + 1):
            t0 = time.perf_counter()
            status = await asyncio.to_thread(act, i)
            if status not in (200, 201):
                errors.append(f"act {i}: HTTP {status}")
                continue
            deadline = t0 + DELIVERY_TIMEOUT
            while time.perf_counter() < deadline and not all(i in r for r in received):
                await asyncio.sleep(0.002)
            got = [r[i] - t0 for r in received if i in r]
            missing = len(cookies) - len(got)
            if missing:
                errors.append(f"act {i}: {missing} sockets never had it")
            latencies += got
            if got:
                lasts.append(max(got))
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        for task in listeners:
            task.cancel()
    latencies.sort()
    lasts.sort()
    return {
        "connect": connect_seconds,
        "deliveries": len(latencies),
        "p50": percentile_s(latencies, 50),
        "p95": percentile_s(latencies, 95),
        "p99": percentile_s(latencies, 99),
        "max": latencies[-1] if latencies else None,
        "last": lasts[len(lasts) // 2] if lasts else None,
        "errors": errors,
    }


def percentile_s(ordered: list[float], q: float) -> float | None:
    # forums.percentile takes integer nanoseconds and gives seconds.
    return percentile([round(x * 1e9) for x in ordered], q)


# --------------------------------------------------------------------------- main


def run(args: argparse.Namespace, tmp: str) -> None:
    import django

    started = time.perf_counter()
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["FOLKMOOT_DATA_DIR"] = tmp
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = pg_urls(PG_BENCH_DB)[1]
    else:
        os.environ.pop("DATABASE_URL", None)
    layer = "redis" if redis_answers() else "memory"
    os.environ["FOLKMOOT_BENCH_CHANNELS"] = layer
    os.environ["FOLKMOOT_BENCH_RUN"] = str(os.getpid())
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    log("migrating and loading the demo federation")
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("demo", stdout=io.StringIO())
    log(f"seeding {args.people} participants and a live moot")
    data = seed(args.people)
    queries = queries_per_delivery(data)
    connection.close()

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    log_path = Path(tmp) / "daphne.log"
    results: dict[str, dict[str, Any]] = {}
    with log_path.open("wb") as log_file:
        server, port = serve(env, log_file)
        try:
            moot = data["moot"]
            tokens = data["tokens"]

            def respond(i: int) -> int:
                return post(
                    port,
                    f"/api/v1/moots/{moot}/room/response",
                    tokens[i - 1],
                    {"response": "agree"},
                )

            def say(i: int) -> int:
                return post(
                    port,
                    f"/api/v1/assemblies/{ASSEMBLY}/chat/{ROOM}/messages",
                    tokens[i - 1],
                    {"body": f"bench message {i}."},
                )

            log(f"moot room: {args.people} sockets, {args.acts} responses")
            results["moot room"] = asyncio.run(
                measure(
                    port,
                    f"/ws/moots/{moot}/room/",
                    data["cookies"],
                    re.compile(r"Agree (\d+) ·"),
                    respond,
                    args.acts,
                )
            )
            log(f"chat: {args.people} sockets, {args.acts} messages")
            results["chat"] = asyncio.run(
                measure(
                    port,
                    f"/ws/assemblies/{ASSEMBLY}/chat/{ROOM}/",
                    data["cookies"],
                    re.compile(r"bench message (\d+)\."),
                    say,
                    args.acts,
                )
            )
        finally:
            stop(server)
    failures = [e for r in results.values() for e in r["errors"]]
    if failures:
        sys.stderr.write(log_path.read_text(errors="replace")[-4000:])

    print(f"# Folkmoot — the live room of a moot, {args.people} people connected\n")
    print(f"Server: daphne, one process; channel layer: {layer}; database: {connection.vendor}")
    print(f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs\n")
    print("SQL queries per delivery (in-process):")
    for label, n in queries.items():
        print(f"  {label}: {n}")
    print()
    rows = [
        [
            name,
            f"{r['deliveries']:,}",
            fmt_s(r["p50"]),
            fmt_s(r["p95"]),
            fmt_s(r["p99"]),
            fmt_s(r["max"]),
            fmt_s(r["last"]),
            f"{r['connect']:.1f} s",
            str(len(r["errors"])),
        ]
        for name, r in results.items()
    ]
    print(
        table(
            ["", "deliveries", "p50", "p95", "p99", "max", "last", "connect all", "errors"],
            rows,
            set(range(1, 9)),
        )
    )
    moot_p95, chat_p95 = results["moot room"]["p95"], results["chat"]["p95"]
    ratio = moot_p95 / chat_p95 if moot_p95 and chat_p95 else None
    print(f"\nmoot ÷ chat (p95): {fmt_ratio(ratio)}")
    print(f"\nTotal time {time.perf_counter() - started:.0f} s")
    if failures:
        raise SystemExit("failures: " + "; ".join(failures[:10]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default=None)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--acts", type=int, default=20)
    parser.add_argument("--smoke", action="store_true", help="a run of seconds (tiny sizes)")
    args = parser.parse_args()
    if args.smoke:
        vars(args).update(SMOKE)
        if args.database is None:
            args.database = "postgres" if is_postgres(os.environ.get("DATABASE_URL", "")) else None
    args.database = args.database or "sqlite"
    if not (2 <= args.people <= 2000 and 1 <= args.acts <= min(args.people, 200)):
        parser.error("--people is 2 to 2,000; --acts 1 to 200 and at most --people")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = tempfile.mkdtemp(prefix="folkmoot-bench-moot-")
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


if __name__ == "__main__":
    main()
