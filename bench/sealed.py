"""Benchmark (issue 16): sealed ballots. For N ballots of a sealed STAR vote: the server's
check of one ballot, against `belenios-tool election verify`'s time per ballot measured in
the same run; casts per second through the API; and the time from the close to the
published result, step by step. Then how it grows with N.

Run from the repository root:

    .venv/bin/python bench/sealed.py                           # 1,000 ballots, SQLite
    .venv/bin/python bench/sealed.py --sizes 1000,10000        # and how it grows
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/sealed.py
        [--sizes 1000] [--concurrency 4] [--workers 2] [--seconds 60] [--warmup 2]
        [--processes <cores>] [--project 10000] [--handback file|json|page] [--smoke]

--smoke is a run of seconds for the test suite (tests/test_bench_smoke.py): 20 ballots, 1
gunicorn worker, 2 clients, 0.3 s of warm-up and 1 s of load, every step below; its figures
mean nothing. In every run the exit status is 1 when a request fails or a check finds a
mismatch (a ballot refused or missing, the result not the count of the cast vectors, the
published archive refused by belenios-tool).

The database and the server are bench/voting.py's: a throwaway PostgreSQL database
folkmoot_bench_sealed_<pid> on the server DATABASE_URL names (dropped at the end), or SQLite
in a temporary directory; migrated, with the demo loaded (RED15M, whose "referendum" kind
gives the vote its validity rules). gunicorn (`--workers`, sync workers,
bench/bench_settings.py: DEBUG off) listens on a loopback port the system picks, with its
default worker timeout (30 s, SERVER_TIMEOUT), as production runs it: a guardian's shuffle or
decryption is checked by the task worker (sealed.handing), which this process plays, not
while the guardian's request waits; the output lists any request that took longer than 30 s
(none should). One thing differs from voting.py's server, said in the output:
- this file is also gunicorn's configuration module (`--config python:sealed`): its
  `post_worker_init` hook wraps, in each worker, folkmoot.sealed.tool.run (every
  belenios-tool call the server makes), closing._count, closing.settle_vote and
  closing.ensure_ended, and writes each call's duration to a file, so that a request's time
  can be split into its parts (`instrument`; the bench's own process, which plays the
  worker, is instrumented the same way). Nothing else changes in the server.

For each size N (--sizes), on a fresh vote:

Setup (not part of the figures). N citizens of RED15M with API tokens (bulk-created, as in
voting.py) are the electorate of a secret STAR vote over 5 options that asks whether the
voter holds the vote valid (VOTE-8): the sealed vector has 6 grades. Its sealed election is
made as folkmoot.sealed.launch.prepare_sealed makes one, with the first 3 citizens as its
guardians and a threshold of 2. The guardians make the key in this process through
ceremony.do_guardian_step, each with belenios-tool in a folder of their own (their device:
the private key never leaves it). Each voter's credential is made here
(belenios.new_credential) and its public half derived (belenios.derive_credential, in a
pool of --processes processes) and registered (VoterKey rows, bulk-created). Then the vote
opens (its opening time is moved to now, allowed until it opens), and the first GET of
election.json builds the Belenios election with the N credentials (timed, shown).

Client side. The N ballots are sealed beforehand in --processes processes
(belenios.make_ballot with each voter's credential; the grade vectors come from
voting.score_ballots's fixed-seed profiles, 5 % holding the vote null): the time is shown
as the client's, not the server's.

(a) The server's check of one ballot: belenios.check_ballot(election.json as stored, [the
voter's public credential], ballot), as casting.check_cast_sealed calls it (so parsing the
election is included), in this process, on every ballot up to CHECK_SAMPLE and on
CHECK_SAMPLE ballots spread over the N above that; mean and median. Against it,
`belenios-tool election verify` on the archive after the close (the N ballots, EndBallots
and the encrypted tally: exactly what the first guardian downloads), timed in this process,
divided by N; and the same minus verify's time on the archive at the opening (no ballot),
which is what verify spends per ballot beyond its fixed cost. The ratio is check ÷ tool.

(b) Casting over HTTP: --concurrency client threads (voting.closed_loop: a closed loop over
loopback, one voter's first ballot per request, POST /api/v1/votes/<id>/sealed/ballots with
the voter's bearer token) for --warmup seconds (at most N/20 ballots, not in the figures),
then for --seconds or until every remaining voter has cast. Ballots left when the time is up
are cast afterwards (a top-up, not in the figures), so that (c) has all N. Every answer must
be 201 with the ballot's tracker; then the box holds N ballots and N "has voted" rows.

(c) From the close to the published result. The close is moved to now: an open vote's
times are fixed by a trigger (decisions/migrations/0007), so the bench disables it for that
one UPDATE of its own throwaway database and restores it. Then, one step after another:
  - the worker's end of voting (what `folkmoot settle` does for a sealed vote that is due:
    closing.due_sealed, closing.move_on), in this process: every ballot appended (`archive
    add-event`, one call per ballot), EndBallots, the encrypted tally;
  - over HTTP, each guardian in turn downloads the archive, shuffles on their device
    (`belenios-tool election shuffle`, timed in this process) and hands the shuffle back
    (202: the request checks only who and what it is); then the worker's check, in this
    process as the worker runs it (sealed.handing.check_handed: `election verify` on the
    whole archive with the shuffle), keeps it;
  - two guardians download the archive and their decryption key, decrypt
    (`decrypt-threshold`) and hand it back, each checked by the worker the same way; the
    second check also combines the result (`compute-result`, then verify), counts the
    vectors and publishes the result.
A guardian hands a step back through the API as a file, POST .../sealed/guardian/<step>/file
(--handback file, the default: a shuffle is about 4.4 kB a ballot); or as JSON, POST
.../sealed/guardian/<step> (--handback json: Django refuses a body over its
DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MiB, about 600 ballots' shuffle; that is a failure, and the
step is then handed back as a file so that the rest is still measured); or on the vote's
page, signed in, as its form uploads the file (--handback page). Each request's time is
split into the server's parts (the hook above). The hand-backs get HANDBACK_TIMEOUT (1 hour)
on the client. At the end: the stage is "counted" with nothing
spoiled; the published archive passes `belenios-tool election verify` (run here, timed);
its decrypted vectors are the cast ones; and the published winners are those of
folkmoot.governance.tally.star on the cast grade vectors with the vote's lot seed.

Growth: with two sizes or more, each figure's ratio between the largest and the smallest
size next to the ratio of N, and the fitted exponent; --project (10,000) projects the
figures to that size from the two largest sizes (or linearly from one) when it was not run.
The end of voting is projected from its parts: each ballot's `archive add-event` costs more
as the archive grows (measured: the first and the last tenth of the calls), the rest is
taken as linear.

Everything is bounded: each belenios-tool call by TOOL_TIMEOUT, each request by
voting.REQUEST_TIMEOUT (casts) or HANDBACK_TIMEOUT (the close's steps), the pools by
POOL_TIMEOUT per ballot, sizes by upper limits. Progress goes to stderr, results to stdout.
All traffic is on loopback; the only other connection is to the PostgreSQL of DATABASE_URL.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib
import io
import json
import math
import multiprocessing
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

# The server, the load, the seeding and the tables are bench/voting.py's and bench/forums.py's.
from voting import (
    ASSEMBLY,
    KIND,
    MAX_SCORE,
    OPTIONS,
    closed_loop,
    make_citizens,
    score_ballots,
    throwaway_place,
)

from forums import background_cpu, fmt_ratio, fmt_s, get, percentile, serve, stop_server, table

THIS = Path(__file__).resolve()
ROOT = THIS.parent.parent
BENCH_DIR = THIS.parent
PG_BENCH_DB = f"folkmoot_bench_sealed_{os.getpid()}"
SEED = 20260316
GUARDIANS = 3
THRESHOLD = 2
CHECK_SAMPLE = 500  # ballots checked in process for (a), at most
TOOL_TIMEOUT = 3600.0  # seconds per belenios-tool call on a guardian's device or here
HANDBACK_TIMEOUT = 3600.0  # client timeout of the close's requests
GUNICORN_DEFAULT_TIMEOUT = 30
SERVER_TIMEOUT = GUNICORN_DEFAULT_TIMEOUT  # gunicorn's worker timeout, as in production
TOPUP_SECONDS = 3600.0  # casting the ballots left after the measured window, at most
POOL_TIMEOUT = 2.0  # seconds per ballot (or credential) for the pools, at most
TIMINGS_ENV = "FOLKMOOT_BENCH_SEALED_TIMINGS"
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
HEADERS = {"Accept-Language": "en", "User-Agent": "folkmoot-bench/sealed"}
SMOKE = {
    "sizes": "20",
    "seconds": 1.0,
    "warmup": 0.3,
    "concurrency": 2,
    "workers": 1,
    "processes": 2,
    "quiet": 0.2,
}
MAX_SIZE = 20_000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- gunicorn's hook


def post_worker_init(worker: Any) -> None:
    """gunicorn server hook (this module is the server's --config): in each worker, time every
    belenios-tool call and the count (`instrument`)."""
    target = os.environ.get(TIMINGS_ENV)
    if target:
        instrument(target)


def instrument(target: str) -> None:
    """Wraps folkmoot.sealed.tool.run (every belenios-tool call the server makes),
    closing._count, closing.settle_vote and closing.ensure_ended in this process so that each
    call writes one line of JSON to `target`: its label, wall-clock start and duration. In
    gunicorn's workers (the hook above) and in the bench's process, which plays the worker
    (`folkmoot settle`) for the end of voting."""
    from folkmoot.sealed import closing, tool

    def wrap(module: Any, name: str, label: Any) -> None:
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started, began = time.time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                line = {
                    "what": label(args),
                    "start": started,
                    "seconds": time.perf_counter() - began,
                    "pid": os.getpid(),
                }
                with open(target, "a", encoding="utf-8") as out:
                    out.write(json.dumps(line) + "\n")

        setattr(module, name, timed)

    def tool_label(args: tuple[Any, ...]) -> str:
        words = [str(a) for a in args[1:]]
        if words[:2] == ["archive", "add-event"]:
            kind = next((w.split("=", 1)[1] for w in words if w.startswith("--type=")), "?")
            return f"add-event {kind}"
        return words[1] if len(words) > 1 else " ".join(words)

    wrap(tool, "run", tool_label)
    wrap(closing, "_count", lambda _args: "count")
    wrap(closing, "settle_vote", lambda _args: "settle_vote")
    wrap(closing, "ensure_ended", lambda _args: "ensure_ended")


def server_parts(path: Path, began: float, ended: float) -> dict[str, dict[str, Any]]:
    """The server's timed calls that started within [began, ended] (wall clock), by label:
    {label: {"n": calls, "seconds": total, "each": [durations]}}."""
    parts: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return parts
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if began <= row["start"] <= ended:
                part = parts.setdefault(row["what"], {"n": 0, "seconds": 0.0, "each": []})
                part["n"] += 1
                part["seconds"] += row["seconds"]
                part["each"].append(row["seconds"])
    return parts


# --------------------------------------------------------------------------- the pools


_POOL_ELECTION: Any = None


def _pool_setup(election_json: str | None) -> None:
    global _POOL_ELECTION
    if election_json is not None:
        from folkmoot.sealed.belenios import Election

        _POOL_ELECTION = Election.from_json(election_json)


def _pool_public(task: tuple[str, str]) -> str:
    from folkmoot.sealed.belenios import derive_credential

    credential, uuid = task
    return str(derive_credential(credential, uuid)[1])


def _pool_seal(task: tuple[str, list[int]]) -> str:
    from folkmoot.sealed.belenios import make_ballot

    credential, vector = task
    return make_ballot(_POOL_ELECTION, credential, [vector])


def in_pool(processes: int, function: Any, tasks: list[Any], election_json: str | None) -> Any:
    """function over tasks in `processes` fresh processes (spawned: no Django, no database
    connection in them); returns (results, seconds of the map alone, pool start-up excluded)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_pool_setup, initargs=(election_json,)) as pool:
        pool.map(abs, range(processes))  # the processes are up before the clock starts
        began = time.perf_counter()
        chunk = max(1, min(50, len(tasks) // (processes * 8) or 1))
        results = pool.map_async(function, tasks, chunksize=chunk).get(
            timeout=60 + POOL_TIMEOUT * len(tasks)
        )
        return results, time.perf_counter() - began


# --------------------------------------------------------------------------- belenios-tool


def belenios(directory: Path, *args: str, stdin: str = "") -> tuple[str, float]:
    """belenios-tool in `directory`; (stdout, seconds). Fails loudly with the tool's words."""
    began = time.perf_counter()
    done = subprocess.run(
        ["belenios-tool", *args],
        cwd=directory,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"belenios-tool {' '.join(args)}: {done.stderr.strip()[-2000:]}")
    return done.stdout, seconds


def verify_archive(directory: Path, name: str, archive: bytes) -> float:
    """`belenios-tool election verify` on this archive alone, in a fresh folder; seconds."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    (directory / name).write_bytes(archive)
    return belenios(directory, "election", "verify", f"--dir={directory}")[1]


@dataclass
class Device:
    """A guardian's own folder, as tests/sealed/conftest.GuardianDevice plays it (with the
    bench's time bounds, and timing the steps that grow with the ballots)."""

    directory: Path
    position: int = 0

    GROUP = "--group=RFC-3526-2048"

    @property
    def key(self) -> Path:
        [key] = self.directory.glob("*.key")
        return key

    def certificate(self) -> str:
        belenios(self.directory, "setup", "generate-trustee-key-threshold", self.GROUP, "--step=1")
        [cert] = self.directory.glob("*.cert")
        return cert.read_text().strip()

    def polynomial(self, certificates: str) -> str:
        (self.directory / "certificates.jsons").write_text(certificates)
        out, _ = belenios(
            self.directory,
            "setup",
            "generate-trustee-key-threshold",
            self.GROUP,
            "--certs=certificates.jsons",
            f"--key={self.key.name}",
            "--step=3",
            f"--threshold={THRESHOLD}",
        )
        return out.strip()

    def share(self, share_input: str) -> str:
        out, _ = belenios(
            self.directory,
            "setup",
            "generate-trustee-key-threshold",
            self.GROUP,
            "--certs=certificates.jsons",
            f"--key={self.key.name}",
            "--step=5",
            stdin=share_input,
        )
        return out.strip()

    def _archive(self, name: str, archive: bytes) -> Path:
        folder = self.directory / "election"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / name).write_bytes(archive)
        return folder

    def shuffle(self, name: str, archive: bytes) -> tuple[str, float]:
        folder = self._archive(name, archive)
        out, seconds = belenios(folder, "election", "shuffle", f"--trustee-id={self.position}")
        return out.strip(), seconds

    def decrypt(self, name: str, archive: bytes, decryption_key: bytes) -> tuple[str, float]:
        folder = self._archive(name, archive)
        (folder / "decryption-key.json").write_bytes(decryption_key)
        out, seconds = belenios(
            folder,
            "election",
            "decrypt-threshold",
            f"--key={self.key}",
            "--decryption-key=decryption-key.json",
            f"--trustee-id={self.position}",
        )
        return out.strip(), seconds


# --------------------------------------------------------------------------- HTTP


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float
    began: float  # wall clock, for the server's parts
    ended: float
    sent: int  # request body bytes
    location: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    port: int,
    method: str,
    path: str,
    token: str | None = None,
    payload: Any = None,
    timeout: float = HANDBACK_TIMEOUT,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    page: bool = False,
) -> Answer:
    """One request on a fresh connection, the whole response read. `path` is under /api/v1,
    or a page's when `page`."""
    sent_headers = dict(HEADERS) | (headers or {})
    if token is not None:
        sent_headers["Authorization"] = f"Bearer {token}"
    if payload is not None:
        body = json.dumps(payload).encode()
        sent_headers["Content-Type"] = "application/json"
    full = path if page else f"/api/v1{path}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    began_wall, began = time.time(), time.perf_counter()
    try:
        # The server may answer and close before reading the whole body (Django refuses a
        # body over DATA_UPLOAD_MAX_MEMORY_SIZE from its length alone): its answer is read
        # below, as a browser would show it.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.request(method, full, body=body, headers=sent_headers)
        try:
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            return Answer(
                0,
                f"no answer: {type(error).__name__}: {error}".encode(),
                time.perf_counter() - began,
                began_wall,
                time.time(),
                len(body or b""),
            )
    finally:
        conn.close()
    return Answer(
        response.status,
        data,
        time.perf_counter() - began,
        began_wall,
        time.time(),
        len(body or b""),
        response.getheader("Location") or "",
    )


def page_login(person: Any) -> tuple[str, str]:
    """A `Cookie` header that signs this person in (a session made as signing in makes one,
    where the server reads sessions, as bench/forums.py signs Alice in) with a CSRF cookie,
    and the CSRF token the page's form would carry."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(person)
    csrf = secrets.token_hex(16)  # a CSRF secret: 32 alphanumeric characters
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"
    return cookie, csrf


def multipart(fields: dict[str, str], step: str, text: str) -> tuple[bytes, str]:
    """A form's body with these fields and the tool's output as the uploaded file `file`, as
    a browser sends it; (body, Content-Type)."""
    boundary = f"folkmoot-bench-{secrets.token_hex(8)}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{step}.txt"\r\nContent-Type: text/plain\r\n\r\n'.encode(),
        text.encode(),
        f"\r\n--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def page_handback(port: int, vote_id: int, step: str, login: tuple[str, str], text: str) -> Answer:
    """A guardian's step handed back on the vote's page, as its form sends it: the tool's
    output as an uploaded file, signed in with a session. 302 when kept."""
    cookie, csrf = login
    body, content_type = multipart({"csrfmiddlewaretoken": csrf}, step, text)
    headers = {"Cookie": cookie, "Content-Type": content_type}
    path = f"/votes/{vote_id}/sealed/guardian/{step}/"
    return call(port, "POST", path, body=body, headers=headers, page=True)


def file_handback(port: int, vote_id: int, step: str, token: str, text: str) -> Answer:
    """A guardian's step handed back through the API as a file (multipart), with the
    guardian's bearer token: POST /api/v1/votes/<id>/sealed/guardian/<step>/file."""
    body, content_type = multipart({}, step, text)
    path = f"/votes/{vote_id}/sealed/guardian/{step}/file"
    return call(port, "POST", path, token, body=body, headers={"Content-Type": content_type})


def short(body: bytes) -> str:
    """An answer's body in a few words: an HTML page's title, or the start of the text."""
    text = body.decode(errors="replace")
    if "<title>" in text:
        return text.split("<title>", 1)[1].split("</title>", 1)[0].strip()
    return " ".join(text.split())[:300]


def expect(answer: Answer, status: int, what: str, failures: list[str]) -> bool:
    if answer.status == status:
        return True
    failures.append(f"{what}: HTTP {answer.status} {short(answer.body)}")
    log(f"FAILED {what}: HTTP {answer.status} {short(answer.body)}")
    return False


# --------------------------------------------------------------------------- one size


def make_sealed_vote(title: str, people: list[Any], guardians: list[Any]) -> Any:
    """A secret STAR vote of RED15M (the referendum kind's validity rules, as voting.make_vote)
    whose ballots are sealed, opening tomorrow (its times may change until then), and its
    sealed election as launch.prepare_sealed makes it: these guardians, threshold 2."""
    from django.db import transaction
    from django.utils import timezone

    from folkmoot.decisions.models import Eligible, Vote
    from folkmoot.federation.models import Assembly
    from folkmoot.governance.sealing import vector_width
    from folkmoot.protocols.selectors import protocol_in_force
    from folkmoot.sealed.belenios import new_uuid
    from folkmoot.sealed.models import Guardian, SealedElection

    assembly = Assembly.objects.get(slug=ASSEMBLY)
    in_force = protocol_in_force(assembly)
    assert in_force is not None
    kind = in_force.protocol.decision_kinds[KIND]
    now = timezone.now()
    with transaction.atomic():
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
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=2),
            created_at=now,
            sealed_ballots=True,
        )
        Eligible.objects.bulk_create(
            (Eligible(vote=vote, person=p, member_since=p.date_joined.date()) for p in people),
            batch_size=5000,
        )
        election = SealedElection.objects.create(
            vote=vote,
            uuid=new_uuid(),
            threshold=THRESHOLD,
            width=vector_width(len(OPTIONS), True),
        )
        Guardian.objects.bulk_create(
            [Guardian(election=election, person=p, position=i) for i, p in enumerate(guardians, 1)]
        )
    return vote


def make_key(vote: Any, guardians: list[Any], devices: list[Device]) -> None:
    """The key ceremony through ceremony.do_guardian_step, each guardian's files made on
    their device: certificates, polynomials, shares."""
    from folkmoot.sealed.ceremony import do_guardian_step
    from folkmoot.sealed.models import Guardian, SealedElection

    def step(person: Any, name: str, content: str) -> None:
        election = SealedElection.objects.select_related("vote").get(vote=vote)
        do_guardian_step(election=election, person=person, step=name, content=content)

    for person, device in zip(guardians, devices, strict=True):
        step(person, "certificate", device.certificate())
    rows = list(Guardian.objects.filter(election__vote=vote).order_by("position"))
    certificates = "".join(g.certificate + "\n" for g in rows)
    for person, device in zip(guardians, devices, strict=True):
        step(person, "polynomial", device.polynomial(certificates))
    for person, device in zip(guardians, devices, strict=True):
        row = Guardian.objects.get(election__vote=vote, person=person)
        device.position = row.position
        step(person, "share", device.share(row.share_input + "\n"))
    election = SealedElection.objects.get(vote=vote)
    if not election.threshold_params:
        raise RuntimeError("the key ceremony did not make the key")


def move_close(vote: Any) -> None:
    """The close, moved to now. An open vote's times are fixed by a trigger
    (decisions/migrations/0007); it is set aside for this one UPDATE of the bench's own
    throwaway database, in one transaction, and restored."""
    from django.db import connection, transaction
    from django.utils import timezone

    from folkmoot.decisions.models import Vote

    fixed = importlib.import_module("folkmoot.decisions.migrations.0007_open_vote_is_fixed")
    closes = timezone.now() - timedelta(seconds=1)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE decisions_vote DISABLE TRIGGER {fixed.NAME}")
            Vote.objects.filter(pk=vote.pk).update(closes_at=closes)
            cursor.execute(f"ALTER TABLE decisions_vote ENABLE TRIGGER {fixed.NAME}")
        else:
            cursor.execute(f"DROP TRIGGER {fixed.NAME}")
            Vote.objects.filter(pk=vote.pk).update(closes_at=closes)
            cursor.execute(fixed.SQLITE)
    vote.refresh_from_db()


def vectors_for(n: int, seed: int) -> list[list[int]]:
    from folkmoot.governance.sealing import vector_of

    marks, valid = score_ballots(n, seed)
    return [
        vector_of(m, v, method="star", options=len(OPTIONS), ask_validity=True)
        for m, v in zip(marks, valid, strict=True)
    ]


def check_sample(election_json: str, publics: list[str], ballots: list[str]) -> dict[str, Any]:
    """(a): belenios.check_ballot as the server calls it, on a sample spread over the box."""
    from folkmoot.sealed.belenios import check_ballot

    n = len(ballots)
    picked = range(n) if n <= CHECK_SAMPLE else [i * n // CHECK_SAMPLE for i in range(CHECK_SAMPLE)]
    times, refused = [], 0
    for i in picked:
        began = time.perf_counter_ns()
        problems = check_ballot(election_json, [publics[i]], ballots[i])
        times.append(time.perf_counter_ns() - began)
        refused += bool(problems)
    times.sort()
    return {
        "sample": len(times),
        "mean": sum(times) / len(times) / 1e9,
        "p50": percentile(times, 50),
        "refused": refused,
    }


def cast_all(
    args: argparse.Namespace, port: int, vote_id: int, raws: list[str], ballots: list[str]
) -> dict[str, Any]:
    """(b): warm-up, the measured window, then the top-up; every ballot once."""
    path = f"/api/v1/votes/{vote_id}/sealed/ballots"
    n = len(ballots)
    offset = [0]

    def request_for(i: int) -> tuple[str, str, bytes, dict[str, str]]:
        k = offset[0] + i
        headers = HEADERS | {
            "Authorization": f"Bearer {raws[k]}",
            "Content-Type": "application/json",
        }
        return "POST", path, json.dumps({"ballot": ballots[k]}).encode(), headers

    runs = {}
    warm_limit = max(1, n // 20)
    for name, seconds, limit in (
        ("warm-up", args.warmup, warm_limit),
        ("measured", args.seconds, None),
        ("top-up", TOPUP_SECONDS, None),
    ):
        left = n - offset[0]
        limit = left if limit is None else min(limit, left)
        if limit <= 0 or seconds <= 0:
            runs[name] = None
            continue
        log(f"casting ({name}): up to {limit:,} ballots in {seconds:g} s")
        result = closed_loop(port, request_for, 201, seconds, args.concurrency, limit)
        runs[name] = result
        offset[0] += result["sent"]
        log(f"  {result['ok']:,} cast, {result['errors']:,} failed, {result['rps']:,.1f}/s")
    return runs


def close_to_result(
    args: argparse.Namespace,
    port: int,
    vote: Any,
    uuid: str,
    guardians: list[Any],
    guardian_tokens: list[str],
    devices: list[Device],
    timings: Path,
    failures: list[str],
) -> dict[str, Any]:
    """(c): the worker's end of voting, then every guardian's step over HTTP, one after
    another. A step is handed back as a file through the API (--handback file, the default),
    as JSON through the API (--handback json: a body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE
    is refused, a failure, and the step is then handed back as a file so that the rest can
    still be measured), or on the vote's page (--handback page)."""
    from django.conf import settings
    from django.utils import timezone

    from folkmoot.sealed.closing import due_sealed, move_on

    name = f"{uuid}.bel"
    base = f"/votes/{vote.pk}/sealed"
    steps: list[dict[str, Any]] = []
    logins: dict[int, tuple[str, str]] = {}

    def record(label: str, who: str, answer: Answer | None = None, **extra: Any) -> None:
        row: dict[str, Any] = {"label": label, "who": who, **extra}
        if answer is not None:
            row["seconds"] = answer.seconds
            row["status"] = answer.status
            row["sent"] = answer.sent
            row["received"] = len(answer.body)
            row["parts"] = server_parts(timings, answer.began, answer.ended)
        steps.append(row)

    def as_file(k: int, step: str, text: str, label: str) -> bool:
        if args.handback == "page":
            if k not in logins:
                logins[k] = page_login(guardians[k - 1])
            back = page_handback(port, vote.pk, step, logins[k], text)
            record(f"{label} (page, a file)", "server", back, kind=f"{step}-back")
            if back.status == 302 and back.location.rstrip("/").endswith(base):
                return True
            failures.append(f"{label} on the page: HTTP {back.status} {short(back.body)}")
            log(f"FAILED {label} on the page: HTTP {back.status} {short(back.body)}")
            return False
        back = file_handback(port, vote.pk, step, guardian_tokens[k - 1], text)
        record(f"{label} (API, a file)", "server", back, kind=f"{step}-back")
        return expect(back, 202, f"{label} (API, a file)", failures)

    def worker_check(k: int, step: str) -> bool:
        """The worker's check of what guardian k handed in (sealed.handing), run here as
        the worker runs it: belenios-tool verifies the archive with it."""
        from folkmoot.sealed.handing import check_handed
        from folkmoot.sealed.models import HandedIn

        handed = HandedIn.objects.filter(
            guardian__election__vote=vote, guardian__position=k
        ).first()
        label = f"guardian {k}: the worker checks the {step}"
        if handed is None:
            failures.append(f"{label}: nothing was handed in")
            return False
        began_wall, began = time.time(), time.perf_counter()
        outcome = check_handed(handed.pk, handed.handed_at)
        seconds = time.perf_counter() - began
        answer = Answer(200 if outcome == "kept" else 500, outcome.encode(), seconds,
                        began_wall, time.time(), 0)  # fmt: skip
        record(label, "server", answer, kind=f"{step}-check", local=True)
        if outcome != "kept":
            failures.append(f"{label}: {outcome}")
            log(f"FAILED {label}: {outcome}")
            return False
        return True

    def hand_back(k: int, step: str, text: str) -> bool:
        label = f"guardian {k}: hand back the {step}"
        if args.handback != "json":
            return as_file(k, step, text, label)
        back = call(
            port, "POST", f"{base}/guardian/{step}", guardian_tokens[k - 1], {"content": text}
        )
        record(f"{label} (API, JSON)", "server", back, kind=f"{step}-back")
        if expect(back, 202, f"{label} (API, JSON)", failures):
            return True
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if back.status == 400 and limit is not None and back.sent > limit:
            steps[-1]["too_big"] = limit
            log(f"the API refused a {back.sent:,}-byte body (limit {limit:,}): again as a file")
            return as_file(k, step, text, label)
        return False

    move_close(vote)
    wall = time.perf_counter()
    log("close → result: the worker's pass ends the voting (closing.move_on)")
    now = timezone.now()
    due = [e for e in due_sealed(now) if e.vote_id == vote.pk]
    if not due:
        failures.append("the worker does not find the closed vote due (closing.due_sealed)")
        return {"steps": steps, "ended_archive": b""}
    began_wall, began = time.time(), time.perf_counter()
    move_on(due[0], now)
    ended = time.time()
    worker = Answer(200, b"", time.perf_counter() - began, began_wall, ended, 0)
    record("end of voting (the worker: closing.move_on)", "server", worker, kind="end", local=True)

    done: dict[str, Any] = {"steps": steps, "ended_archive": b""}
    for k, device in enumerate(devices, 1):
        log(f"close → result: guardian {k} shuffles")
        got = call(port, "GET", f"{base}/files/{name}", guardian_tokens[k - 1])
        record(f"guardian {k}: download the archive", f"guardian {k}", got)
        if not expect(got, 200, f"guardian {k} downloads the archive", failures):
            return done
        if k == 1:
            done["ended_archive"] = got.body
        text, seconds = device.shuffle(name, got.body)
        record(
            f"guardian {k}: shuffle (their device)",
            f"guardian {k}",
            seconds=seconds,
            kind="shuffle",
        )
        if not (hand_back(k, "shuffle", text) and worker_check(k, "shuffle")):
            return done

    for k in (1, 3):  # any two of three
        token, device = guardian_tokens[k - 1], devices[k - 1]
        log(f"close → result: guardian {k} decrypts")
        got = call(port, "GET", f"{base}/files/{name}", token)
        record(f"guardian {k}: download the archive", f"guardian {k}", got)
        key = call(port, "GET", f"{base}/files/decryption-key.json", token)
        if not (
            expect(got, 200, f"guardian {k} downloads the archive", failures)
            and expect(key, 200, f"guardian {k} downloads their decryption key", failures)
        ):
            return done
        text, seconds = device.decrypt(name, got.body, key.body)
        record(
            f"guardian {k}: decrypt (their device)",
            f"guardian {k}",
            seconds=seconds,
            kind="decryption",
        )
        if not (hand_back(k, "decryption", text) and worker_check(k, "decryption")):
            return done
    done["wall"] = time.perf_counter() - wall
    done["complete"] = True
    return done


def direct_winners(vectors: list[list[int]], seed: str) -> list[str]:
    import numpy as np

    from folkmoot.governance.tally.ballots import ScoreBallots
    from folkmoot.governance.tally.star import star

    grades = np.array([v[: len(OPTIONS)] for v in vectors], dtype=np.int64)
    return star(ScoreBallots.from_array(OPTIONS, grades, max_score=MAX_SCORE), seed=seed).winners


def run_size(
    n: int,
    args: argparse.Namespace,
    port: int,
    citizens: list[Any],
    raws: list[str],
    tmp: Path,
    timings: Path,
) -> dict[str, Any]:
    """Everything for one size; the figures, and what went wrong in `failures`."""
    from folkmoot.decisions.models import Participation, VoteResult
    from folkmoot.sealed import tool as sealed_tool
    from folkmoot.sealed.belenios import Election, new_credential, tracker
    from folkmoot.sealed.models import SealedBallot, SealedElection, VoterKey

    failures: list[str] = []
    out: dict[str, Any] = {"n": n, "failures": failures}
    people, tokens = citizens[:n], raws[:n]
    guardians, guardian_tokens = people[:GUARDIANS], tokens[:GUARDIANS]
    folder = tmp / f"size-{n}"
    folder.mkdir()

    log(f"[{n:,}] the vote, its guardians and the key ceremony (not timed)")
    vote = make_sealed_vote(f"Which room do we open first? (sealed, {n:,})", people, guardians)
    devices = [Device(folder / f"guardian-{k}") for k in range(1, GUARDIANS + 1)]
    for device in devices:
        device.directory.mkdir()
    began = time.perf_counter()
    make_key(vote, guardians, devices)
    out["ceremony"] = time.perf_counter() - began
    election = SealedElection.objects.get(vote=vote)
    uuid = election.uuid

    log(f"[{n:,}] {n:,} credentials, their public halves in {args.processes} processes")
    credentials = [new_credential() for _ in range(n)]
    publics, out["derive"] = in_pool(
        args.processes, _pool_public, [(c, uuid) for c in credentials], None
    )
    VoterKey.objects.bulk_create(
        (
            VoterKey(election=election, person=p, public_credential=pub)
            for p, pub in zip(people, publics, strict=True)
        ),
        batch_size=5000,
    )

    from django.utils import timezone

    from folkmoot.decisions.models import Vote

    Vote.objects.filter(pk=vote.pk).update(opens_at=timezone.now() - timedelta(seconds=1))
    log(f"[{n:,}] the vote opens: the first GET of election.json builds the election")
    opened = call(port, "GET", f"/votes/{vote.pk}/sealed/files/election.json", tokens[5 % n])
    out["opening"] = opened
    if not expect(opened, 200, "GET election.json at the opening", failures):
        return out
    election_json = opened.body.decode()
    published = Election.from_json(election_json)
    setup = call(port, "GET", f"/votes/{vote.pk}/sealed/files/{uuid}.bel", tokens[5 % n])
    if not expect(setup, 200, "GET the archive at the opening", failures):
        return out
    _raw, listed = sealed_tool.published_election(setup.body)
    if sorted(listed, key=int) != sorted(publics, key=int):
        failures.append("the published credentials are not the registered ones")
    out["verify_empty"] = verify_archive(folder / "verify-empty", f"{uuid}.bel", setup.body)
    out["archive_opened"] = len(setup.body)

    log(f"[{n:,}] sealing {n:,} ballots in {args.processes} processes (client side)")
    vectors = vectors_for(n, SEED + n)
    ballots, out["seal"] = in_pool(
        args.processes, _pool_seal, list(zip(credentials, vectors, strict=True)), election_json
    )
    del published

    log(f"[{n:,}] (a) the server's check, in process")
    out["check"] = check_sample(election_json, publics, ballots)
    if out["check"]["refused"]:
        failures.append(f"check_ballot refused {out['check']['refused']} good ballots")

    log(f"[{n:,}] (b) casting over HTTP")
    runs = cast_all(args, port, vote.pk, tokens, ballots)
    out["runs"] = runs
    done = [r for r in runs.values() if r is not None]
    errors = sum(r["errors"] for r in done)
    if errors:
        kinds: dict[str, int] = {}
        for r in done:
            for kind, count in r["error_kinds"].items():
                kinds[kind] = kinds.get(kind, 0) + count
        failures.append(f"{errors:,} casts failed: {kinds}")
    answered = [json.loads(a)["tracker"] for r in done for a in r["answers"]]
    expected = {tracker(b) for b in ballots}
    boxed = set(SealedBallot.objects.filter(election=election).values_list("tracker", flat=True))
    voted = Participation.objects.filter(vote=vote).count()
    if set(answered) != expected or len(answered) != n:
        failures.append(f"{len(answered):,} trackers handed out for {n:,} ballots, or wrong ones")
    if boxed != expected:
        failures.append(f"{len(boxed):,} ballots in the box for {n:,} cast")
    if voted != n:
        failures.append(f"{voted:,} 'has voted' rows for {n:,} ballots")
    out["cast_ok"] = not failures
    if failures:
        return out

    log(f"[{n:,}] (c) from the close to the published result")
    closing = close_to_result(
        args, port, vote, uuid, guardians, guardian_tokens, devices, timings, failures
    )
    out["close"] = closing
    if closing["ended_archive"]:
        out["archive_ended"] = len(closing["ended_archive"])
        log(f"[{n:,}] (a) belenios-tool election verify on the archive with {n:,} ballots")
        out["verify_full"] = verify_archive(
            folder / "verify-full", f"{uuid}.bel", closing["ended_archive"]
        )
    if not closing.get("complete"):
        return out

    status = call(port, "GET", f"/votes/{vote.pk}/sealed")
    if expect(status, 200, "GET the sealed vote's status", failures):
        shown = status.json()
        if shown["stage"] != "counted" or shown["spoiled"] != 0:
            failures.append(f"stage {shown['stage']!r}, spoiled {shown['spoiled']!r} at the end")
    final = call(port, "GET", f"/votes/{vote.pk}/sealed/files/{uuid}.bel")
    if not expect(final, 200, "GET the published archive", failures):
        return out
    out["archive_final"] = len(final.body)
    log(f"[{n:,}] belenios-tool election verify on the published archive")
    try:
        out["verify_final"] = verify_archive(folder / "verify-final", f"{uuid}.bel", final.body)
    except RuntimeError as refused:
        failures.append(f"the published archive fails verification: {refused}")
    decrypted = sealed_tool.result_vectors(final.body)
    out["vectors_match"] = sorted(decrypted) == sorted(vectors)
    if not out["vectors_match"]:
        failures.append("the decrypted vectors are not the cast ones")
    vote.refresh_from_db()
    row = VoteResult.objects.filter(vote=vote).first()
    if row is None:
        failures.append("no result was published")
        return out
    out["winners"] = list(row.winners)
    out["outcome"] = row.outcome
    out["result_ballots"] = row.ballots
    out["direct"] = direct_winners(vectors, vote.lot_seed)
    if out["direct"] != out["winners"]:
        failures.append(f"published winners {out['winners']} ≠ direct count {out['direct']}")
    if row.ballots != n:
        failures.append(f"the result counts {row.ballots:,} ballots of {n:,}")
    return out


# --------------------------------------------------------------------------- printing


def fmt_t(s: float | None) -> str:
    """fmt_s, with whole seconds and thousands separators from 100 s."""
    return f"{s:,.0f} s" if s is not None and s >= 100 else fmt_s(s)


def fmt_mb(n: int | None) -> str:
    if n is None:
        return "—"
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def print_header(args: argparse.Namespace, server: str, sizes: list[int]) -> None:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as info:
        cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("django", "django-ninja", "gunicorn", "psycopg")
    )
    try:
        tool_version = subprocess.run(
            ["belenios-tool", "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        tool_version = "?"
    print("Folkmoot sealed ballots (issue 16): checking, casting, and from the close to the result")
    print(f"  machine: {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}")
    print(f"  {versions}; belenios-tool {tool_version}")
    print(f"  database: {server}")
    print(
        f"  server: gunicorn, {args.workers} sync workers, settings bench.bench_settings (DEBUG "
        f"off), worker timeout {SERVER_TIMEOUT:,} s (gunicorn's default: "
        f"{GUNICORN_DEFAULT_TIMEOUT} s)"
    )
    print(
        f"  vote: secret STAR, {len(OPTIONS)} options and the validity question (6 grades "
        f"sealed), {GUARDIANS} guardians, threshold {THRESHOLD}; sizes: "
        + ", ".join(f"{n:,}" for n in sizes)
        + " ballots"
    )
    print(
        f"  load: {args.concurrency} client threads (http.client) on loopback, {args.warmup:g} s "
        f"warm-up, then {args.seconds:g} s or every ballot; {args.processes} processes seal "
        "the ballots and derive the credentials beforehand"
    )


def print_setup(results: list[dict[str, Any]]) -> None:
    print("\nSetup, before anything is measured (not part of the figures below)\n")
    rows = []
    for r in results:
        opening = r.get("opening")
        rows.append(
            [
                f"{r['n']:,}",
                fmt_s(r.get("ceremony")),
                fmt_s(r.get("derive")),
                fmt_s(opening.seconds if opening else None),
                fmt_s(r.get("seal")),
                fmt_s(r["seal"] / r["n"]) if r.get("seal") else "—",
            ]
        )
    print(
        table(
            [
                "ballots",
                "key ceremony",
                "credentials derived",
                "opening: election built",
                "client: sealing N ballots",
                "per ballot",
            ],
            rows,
            {0, 1, 2, 3, 4, 5},
        )
    )
    print(
        "    key ceremony: 3 guardians × 3 steps, their tool and the server's, in process; "
        "opening: the first GET of election.json (make-election with N credentials);"
        "\n    client: belenios.make_ballot for every voter in the pool (wall clock ÷ N: "
        "throughput of the pool, not one ballot's latency)"
    )


def print_check(results: list[dict[str, Any]]) -> None:
    print("\n(a) The server's check per ballot, against belenios-tool election verify")
    print(
        "    check = belenios.check_ballot(election.json, [credential], ballot) in process; "
        "verify = the whole archive after the close,\n    in this process; per ballot = verify "
        "÷ N, and (verify − verify at the opening, no ballot) ÷ N\n"
    )
    rows = []
    for r in results:
        check = r.get("check")
        full, empty, n = r.get("verify_full"), r.get("verify_empty"), r["n"]
        per = full / n if full is not None else None
        net = (full - empty) / n if full is not None and empty is not None else None
        rows.append(
            [
                f"{n:,}",
                f"{check['sample']:,}" if check else "—",
                fmt_s(check["mean"]) if check else "—",
                fmt_s(check["p50"]) if check else "—",
                fmt_s(empty),
                fmt_s(full),
                fmt_s(per),
                fmt_s(net),
                fmt_ratio(check["mean"] / per) if check and per else "—",
                fmt_ratio(check["mean"] / net) if check and net and net > 0 else "—",
            ]
        )
    print(
        table(
            [
                "ballots",
                "sample",
                "check mean",
                "p50",
                "verify, 0 ballots",
                "verify, N ballots",
                "tool per ballot",
                "net",
                "check ÷ tool",
                "÷ net",
            ],
            rows,
            set(range(10)),
        )
    )


def print_casts(results: list[dict[str, Any]]) -> None:
    print("\n(b) Casts over HTTP: POST /api/v1/votes/<id>/sealed/ballots, one voter's first ballot")
    print("    latency percentiles over 201 answers of the measured window\n")
    rows = []
    for r in results:
        runs = r.get("runs") or {}
        m = runs.get("measured")
        if m is None:
            continue
        warm, top = runs.get("warm-up"), runs.get("top-up")
        machine = f"{m['machine_cpu'] * 100:.0f} %" if m["machine_cpu"] is not None else "—"
        rows.append(
            [
                f"{r['n']:,}",
                f"{warm['ok'] if warm else 0:,}",
                f"{m['ok']:,}",
                f"{top['ok'] if top else 0:,}",
                f"{sum(x['errors'] for x in runs.values() if x):,}",
                f"{m['rps']:,.1f}",
                fmt_s(m["p50"]),
                fmt_s(m["p95"]),
                fmt_s(m["p99"]),
                fmt_s(m["max"]),
                f"{m['elapsed']:.1f} s ({m['stopped_by']})",
                machine,
            ]
        )
    if rows:
        print(
            table(
                [
                    "ballots",
                    "warm-up",
                    "measured",
                    "top-up",
                    "errors",
                    "casts/s",
                    "p50",
                    "p95",
                    "p99",
                    "max",
                    "elapsed (limit)",
                    "machine CPU",
                ],
                rows,
                set(range(12)) - {10},
            )
        )
    for r in results:
        if r.get("cast_ok"):
            print(
                f"  {r['n']:,}: every answer 201 with the ballot's tracker; {r['n']:,} ballots "
                f"in the box and {r['n']:,} 'has voted' rows: OK"
            )


def part_seconds(row: dict[str, Any], *labels: str) -> float:
    parts = row.get("parts") or {}
    return sum(parts[label]["seconds"] for label in labels if label in parts)


def describe_parts(row: dict[str, Any], n: int) -> str:
    """The server's parts of a request, in words."""
    parts = row.get("parts") or {}
    said = []
    adds = parts.get("add-event Ballot")
    if adds:
        each = adds["each"]
        tenth = max(1, len(each) // 10)
        first, last = sum(each[:tenth]) / tenth, sum(each[-tenth:]) / tenth
        said.append(
            f"{adds['n']:,} × add-event Ballot {fmt_t(adds['seconds'])} (first tenth "
            f"{fmt_t(first)} each, last tenth {fmt_t(last)})"
        )
    verify = parts.get("verify")
    if verify:
        said.append(
            f"verify {fmt_t(verify['seconds'])}"
            + (f" ({verify['n']}×: " + ", ".join(fmt_t(s) for s in verify["each"]) + ")")
            * (verify["n"] > 1)
        )
    for label in ("compute-encrypted-tally", "compute-result"):
        if label in parts:
            said.append(f"{label} {fmt_t(parts[label]['seconds'])}")
    other_events = sum(
        p["seconds"]
        for k, p in parts.items()
        if k.startswith("add-event") and k != "add-event Ballot"
    )
    if other_events:
        said.append(f"other add-events {fmt_t(other_events)}")
    if "count" in parts:
        said.append(
            f"count and publication {fmt_t(parts['count']['seconds'])} (of which "
            f"settle_vote {fmt_t(part_seconds(row, 'settle_vote'))})"
        )
    tools = sum(
        p["seconds"] for k, p in parts.items() if k not in {"count", "settle_vote", "ensure_ended"}
    )
    rest = row["seconds"] - tools - part_seconds(row, "count")
    if said:
        said.append(
            f"the rest {fmt_t(rest)} (database, archive in and out"
            + (")" if row.get("local") else ", HTTP)")
        )
    return "; ".join(said)


def print_close(results: list[dict[str, Any]]) -> None:
    for r in results:
        closing = r.get("close")
        if not closing:
            continue
        n = r["n"]
        print(f"\n(c) From the close to the published result: {n:,} ballots")
        print(
            "    the worker's pass (in this process), then each step over HTTP in turn, as the "
            "guardians would take them; 'server' rows\n    are one request each, timed on the "
            "client, split into the server's parts by the gunicorn hook\n"
        )
        rows = []
        for step in closing["steps"]:
            transfer = ""
            if "status" in step and not step.get("local"):
                transfer = (
                    f"HTTP {step['status']}, "
                    + (f"sent {fmt_mb(step['sent'])}" if step["sent"] else "")
                    + (", " if step["sent"] else "")
                    + f"received {fmt_mb(step['received'])}"
                )
            if "too_big" in step:
                transfer += (
                    f": refused, the body is over Django's DATA_UPLOAD_MAX_MEMORY_SIZE "
                    f"({fmt_mb(step['too_big'])})"
                )
            rows.append([step["label"], fmt_t(step.get("seconds")), transfer])
            detail = describe_parts(step, n)
            if detail:
                rows.append(["", "", "  " + detail])
        steps = closing["steps"]
        server = sum(s["seconds"] for s in steps if s["who"] == "server")
        guardians = sum(s["seconds"] for s in steps if s["who"] != "server")
        total = server + guardians
        if closing.get("complete"):
            rows.append(["→ result published: sum of the steps", fmt_t(total), ""])
        else:
            rows.append(["→ stopped: a step failed (above)", fmt_t(total), ""])
        rows.append(["  of which the server's (requests, the worker)", fmt_t(server), ""])
        rows.append(["  of which the guardians' downloads and tools", fmt_t(guardians), ""])
        if "wall" in closing:
            rows.append(["  wall clock of (c) in this run", fmt_t(closing["wall"]), ""])
        print(table(["step", "time", "HTTP and the server's parts"], rows, {1}))
        slow = [
            s
            for s in steps
            if s.get("seconds", 0) > GUNICORN_DEFAULT_TIMEOUT
            and "status" in s
            and not s.get("local")
        ]
        if slow:
            print(
                f"\n  {len(slow)} request(s) took longer than gunicorn's default worker timeout "
                f"({GUNICORN_DEFAULT_TIMEOUT} s), which would kill them: "
                + "; ".join(f"{s['label']} {fmt_t(s['seconds'])}" for s in slow)
            )
        else:
            print(
                f"\n  no request took longer than gunicorn's default worker timeout "
                f"({GUNICORN_DEFAULT_TIMEOUT} s)"
            )
        sizes = [
            f"at the opening {fmt_mb(r.get('archive_opened'))}",
            f"after the close {fmt_mb(r.get('archive_ended'))}",
            f"published {fmt_mb(r.get('archive_final'))}",
        ]
        print("  archive: " + ", ".join(sizes))
        if "verify_final" in r:
            print(
                f"  belenios-tool election verify on the published archive: OK "
                f"({fmt_s(r['verify_final'])})"
            )
        if r.get("vectors_match"):
            print(f"  the decrypted vectors are the {n:,} cast ones: OK")
        if "winners" in r:
            same = r["direct"] == r["winners"]
            print(
                f"  published result: {r['outcome']}, winners {', '.join(r['winners']) or '—'}, "
                f"{r['result_ballots']:,} ballots; star() on the cast grade vectors: "
                f"{', '.join(r['direct']) or '—'}"
                + (
                    " — the published result equals the count of the cast vectors: OK"
                    if same
                    else " — MISMATCH"
                )
            )


def figures(r: dict[str, Any]) -> dict[str, float | None]:
    """The figures compared between sizes."""
    out: dict[str, float | None] = {}
    check = r.get("check")
    out["check per ballot (server, in process)"] = check["mean"] if check else None
    full = r.get("verify_full")
    out["verify, whole archive (tool)"] = full
    out["tool per ballot"] = full / r["n"] if full else None
    out["client: sealing N ballots"] = r.get("seal")
    m = (r.get("runs") or {}).get("measured")
    out["casts/s"] = m["rps"] if m else None
    out["cast p95"] = m["p95"] if m else None
    closing = r.get("close") or {}
    steps = closing.get("steps") or []

    def times(kind: str) -> list[float]:
        return [
            s["seconds"]
            for s in steps
            if s.get("kind") == kind and s.get("status", 200) in (200, 202, 302)
        ]

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    ended = times("end")
    out["end of voting (server)"] = ended[0] if ended else None
    out["shuffle, guardian's tool (mean)"] = mean(times("shuffle"))
    out["shuffle hand-back, server (mean)"] = mean(times("shuffle-back"))
    out["shuffle check, worker (mean)"] = mean(times("shuffle-check"))
    out["decryption, guardian's tool (mean)"] = mean(times("decryption"))
    out["decryption hand-back, server (mean)"] = mean(times("decryption-back"))
    checks = times("decryption-check")
    out["first decryption check, worker"] = checks[0] if checks else None
    out["last check: result and count, worker"] = checks[1] if len(checks) > 1 else None
    out["close → published (sum of steps)"] = (
        sum(s["seconds"] for s in steps) if closing.get("complete") else None
    )
    return out


def end_of_voting_at(r: dict[str, Any], target: int) -> tuple[float, float] | None:
    """The end of voting projected to `target` ballots, and linearly for comparison. Each
    `archive add-event` of a ballot costs more as the archive grows: its cost is fitted as
    a + b·i (i the ballots already in), from the mean of the first and of the last tenth of
    calls, and summed over `target` calls; the rest of the request is taken as linear."""
    steps = (r.get("close") or {}).get("steps") or []
    end = next((s for s in steps if s.get("kind") == "end" and s.get("status") == 200), None)
    adds = ((end or {}).get("parts") or {}).get("add-event Ballot")
    n = r["n"]
    if end is None or not adds or adds["n"] < 100:
        return None  # too few calls to see a trend
    each = adds["each"]
    tenth = len(each) // 10
    first, last = sum(each[:tenth]) / tenth, sum(each[-tenth:]) / tenth
    b = max(0.0, (last - first) / (len(each) - tenth))  # the tenths' centres are that far apart
    a = first - b * (tenth - 1) / 2
    fitted = a * target + b * target * (target - 1) / 2
    rest = (end["seconds"] - adds["seconds"]) * target / n
    return fitted + rest, end["seconds"] * target / n


PER_BALLOT = {"check per ballot (server, in process)", "tool per ballot", "casts/s", "cast p95"}


def fmt_figure(name: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if name == "casts/s" else fmt_t(value)


def print_growth(results: list[dict[str, Any]], project: int) -> None:
    ran = [r for r in results if r.get("check")]
    if not ran:
        return
    sizes = [r["n"] for r in ran]
    table_of = [figures(r) for r in ran]
    names = list(table_of[0])
    headers = ["figure", *[f"{n:,}" for n in sizes]]
    growth = len(ran) > 1
    if growth:
        headers += [f"ratio (N ×{sizes[-1] / sizes[0]:.3g})", "exponent"]
    projecting = project not in sizes
    if projecting:
        headers.append(f"projected to {project:,}")
    rows = []
    for name in names:
        values = [t[name] for t in table_of]
        row = [name, *[fmt_figure(name, v) for v in values]]
        exponent = None
        if growth:
            first, last = values[0], values[-1]
            if first and last:
                ratio = last / first
                exponent = math.log(ratio) / math.log(sizes[-1] / sizes[0])
                row += [fmt_ratio(ratio), f"{exponent:.2f}"]
            else:
                row += ["—", "—"]
        if projecting:
            last = values[-1]
            if last is None:
                row.append("—")
            else:
                if len(ran) > 1 and len([v for v in values[-2:] if v]) == 2:
                    k = math.log(values[-1] / values[-2]) / math.log(sizes[-1] / sizes[-2])
                else:
                    k = 0.0 if name in PER_BALLOT else 1.0
                projected = last * (project / sizes[-1]) ** k
                fit = end_of_voting_at(ran[-1], project)
                if fit is not None and name == "end of voting (server)":
                    projected = fit[0]
                elif fit is not None and name == "close → published (sum of steps)":
                    end_name = "end of voting (server)"
                    ends = [t[end_name] for t in table_of]
                    if len(ran) > 1 and ends[-2] and ends[-1]:
                        e = math.log(ends[-1] / ends[-2]) / math.log(sizes[-1] / sizes[-2])
                    else:
                        e = 1.0
                    projected += fit[0] - ends[-1] * (project / sizes[-1]) ** e
                row.append(fmt_figure(name, projected))
        rows.append(row)
    title = "Growth" if growth else "Per size"
    print(f"\n{title}: the figures side by side" + (" (and projected)" if projecting else ""))
    if projecting:
        how = (
            f"from the exponent between {sizes[-2]:,} and {sizes[-1]:,}"
            if len(ran) > 1
            else f"from {sizes[-1]:,}: per-ballot figures and casts/s kept, times × N ratio"
        )
        print(f"    projection to {project:,} ballots ({how}); not measured")
        fit = end_of_voting_at(ran[-1], project)
        if fit is not None:
            print(
                "    the end of voting (and so the total) is projected with each ballot's "
                "`archive add-event` growing with the archive, as measured: "
                f"{fmt_t(fit[0])}, against {fmt_t(fit[1])} if it were linear"
            )
    print()
    print(table(headers, rows, set(range(1, len(headers)))))
    if growth:
        a, b = table_of[0], table_of[-1]
        total_a, total_b = (
            a["close → published (sum of steps)"],
            b["close → published (sum of steps)"],
        )
        if total_a and total_b:
            print(
                f"\n  growth {sizes[0]:,} → {sizes[-1]:,} ballots (N ×{sizes[-1] / sizes[0]:.3g}): "
                f"close → published ×{total_b / total_a:.3g}, casts/s "
                f"×{(b['casts/s'] or 0) / (a['casts/s'] or 1):.3g}, check per ballot "
                f"×{(b['check per ballot (server, in process)'] or 0) / (a['check per ballot (server, in process)'] or 1):.3g}"
            )


# --------------------------------------------------------------------------- main


def server_version(host: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return (
                f"PostgreSQL {cursor.fetchone()[0].split()[0]} (throwaway database "
                f"{PG_BENCH_DB} on {host})"
            )
        cursor.execute("SELECT sqlite_version()")
        return (
            f"SQLite {cursor.fetchone()[0]} (temporary file, WAL) — DATABASE_URL is not set, "
            "so not PostgreSQL"
        )


def run(args: argparse.Namespace, tmp: Path, bench_url: str | None, host: str) -> None:
    import django

    started = time.perf_counter()
    sizes = args.size_list
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"
    os.environ["FOLKMOOT_DATA_DIR"] = str(tmp)
    os.environ.pop("DATABASE_URL", None)
    if bench_url is not None:
        os.environ["DATABASE_URL"] = bench_url  # the server started below inherits it
    timings = tmp / "server-timings.jsonl"
    # The server: this module is its configuration (the hook), and its timeout is ours.
    os.environ[TIMINGS_ENV] = str(timings)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(BENCH_DIR), os.environ.get("PYTHONPATH")])
    )
    os.environ["GUNICORN_CMD_ARGS"] = f"--config python:{THIS.stem} --timeout {SERVER_TIMEOUT}"
    sys.path.insert(0, str(ROOT))
    django.setup()
    instrument(str(timings))  # this process plays the worker for the end of voting
    from django.core import mail
    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import override_settings

    override_settings(MAILERS=LOCMEM).enable()
    log("migrating and loading the demo")
    call_command("migrate", verbosity=0)
    call_command("demo", stdout=io.StringIO())
    mail.outbox = []
    log(f"seeding {max(sizes):,} citizens with API tokens (not timed)")
    citizens, raws = make_citizens("sealer", max(sizes), tokens=True)
    server = server_version(host)
    connections.close_all()
    print_header(args, server, sizes)
    sys.stdout.flush()
    quiet_before = background_cpu(args.quiet)

    results: list[dict[str, Any]] = []
    with open(tmp / "gunicorn.log", "wb") as server_log:
        log("starting gunicorn on a free loopback port")
        try:
            gunicorn, port = serve(args.workers, server_log)
        except RuntimeError:
            server_log.flush()
            sys.stderr.write((tmp / "gunicorn.log").read_text(errors="replace")[-4000:])
            raise
        try:
            status, _ = get(port, "/healthz/")
            if status != 200:
                raise RuntimeError(f"/healthz/ answered {status}")
            for n in sizes:
                results.append(run_size(n, args, port, citizens, raws, tmp, timings))
                mail.outbox = []
                if results[-1]["failures"]:
                    break
        finally:
            log("stopping gunicorn")
            stop_server(gunicorn)
            server_log.flush()
            lines = (tmp / "gunicorn.log").read_text(errors="replace").splitlines()
            if any("WORKER TIMEOUT" in line or "Traceback" in line for line in lines):
                log("gunicorn's log, its last lines:\n" + "\n".join(lines[-40:]))

    print_setup(results)
    print_check(results)
    print_casts(results)
    print_close(results)
    print_growth(results, args.project)
    quiet_after = background_cpu(args.quiet)
    if quiet_before is not None and quiet_after is not None:
        print(
            f"\n  Other processes kept {quiet_before * 100:.0f} % of the cores busy just before "
            f"the run and {quiet_after * 100:.0f} % just after ({args.quiet:g} s each, this "
            "benchmark idle)."
        )
        if max(quiet_before, quiet_after) > 0.05:
            print("  WARNING: the machine was not quiet; the figures above are slower than usual.")
    failures = [f"{r['n']:,}: {f}" for r in results for f in r["failures"]]
    print(f"\nTotal time {time.perf_counter() - started:.0f} s")
    if failures:
        raise SystemExit("FAILED: " + "; ".join(failures))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1000", help="ballots per run, comma-separated")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured casting, at most")
    parser.add_argument("--warmup", type=float, default=2.0, help="casting warm-up seconds")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads casting")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="processes sealing the ballots (default: the cores)",
    )
    parser.add_argument(
        "--project", type=int, default=10_000, help="project the figures to this size"
    )
    # Seconds sampling other processes' load before and after the run.
    parser.add_argument("--quiet", type=float, default=2.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--handback",
        choices=("file", "json", "page"),
        default="file",
        help="how guardians hand back their shuffles and decryptions: through the API as a "
        "file (default) or as JSON, or on the vote's page",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a run of seconds for the test suite (tiny sizes)"
    )
    args = parser.parse_args()
    if args.smoke:
        vars(args).update(SMOKE)
    try:
        args.size_list = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s})
    except ValueError:
        parser.error("--sizes is a comma-separated list of numbers")
    if not args.size_list or not all(10 <= n <= MAX_SIZE for n in args.size_list):
        parser.error(f"--sizes are 10 to {MAX_SIZE:,}")
    if not (0 < args.seconds <= 3600 and 0 <= args.warmup <= 60):
        parser.error("--seconds is up to 3,600, --warmup up to 60")
    if not (1 <= args.concurrency <= 64 and 1 <= args.workers <= 16):
        parser.error("--concurrency is 1 to 64, --workers 1 to 16")
    if not 1 <= args.processes <= min(64, 4 * (os.cpu_count() or 1)):
        parser.error("--processes is 1 to 4 × the cores (64 at most)")
    if not 10 <= args.project <= 1_000_000:
        parser.error("--project is 10 to 1,000,000")
    if shutil.which("belenios-tool") is None:
        parser.error("belenios-tool is not installed (make belenios-deps)")

    with throwaway_place(parser, PG_BENCH_DB, "folkmoot-bench-sealed-") as (tmp, url, host):
        run(args, Path(tmp), url, host)


if __name__ == "__main__":
    main()
