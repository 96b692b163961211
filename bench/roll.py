"""Benchmark: importing a paying-member roll (issue 13: "10,000 rows import in under a
minute"), against a plain bulk insert of as many memberships measured in the same run.

Run from the repository root:

    .venv/bin/python bench/roll.py [--rows 10000] [--database sqlite|postgres|both] [--smoke]

What is built (not timed), in a throwaway database (SQLite in a temporary directory, or the
PostgreSQL database folkmoot_bench_roll_<pid> on the server DATABASE_URL names, else
127.0.0.1:5432 as user postgres; created, migrated, dropped at the end): one federation and
a roll of --rows rows in which
    40 % are participants of the federation (they become members),
    20 % have an account but take no part yet (they join as members),
    10 % are members already (they stay),
    30 % have no account (they are invited),
and --rows / 10 more members are not on the roll (they stop being members). Every fifth row
gives a birth date. The CSV is written as a spreadsheet would save it.

What is measured (wall clock, one run each, in-process, one warm connection):
    check     roll.check_roll_upload: read and check every row, find who is who, store the
              preview (what the page shows before "Apply this roll")
    apply     roll_apply.apply_roll: the background task's work, in batches of 1,000, each its own
              transaction, with the progress counter written after each
    baseline  Membership.objects.bulk_create of --rows new memberships (what the apply would
              cost if it did nothing but insert), then deleted
Target: check + apply < 60 s for 10,000 rows. The ratio is (check + apply) ÷ baseline.

--smoke: 200 rows, for the test suite (tests/test_bench_smoke.py); its figures mean nothing.
The database is PostgreSQL when DATABASE_URL names one, SQLite otherwise. Exit status 1
when a run failed or a count is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

THIS = Path(__file__).resolve()
ROOT = THIS.parent.parent
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
PG_DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = f"folkmoot_bench_roll_{os.getpid()}"
TARGET_SECONDS = 60.0
TARGET_ROWS = 10_000


def child(rows: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from folkmoot.accounts.models import User
    from folkmoot.federation.models import Assembly, Membership, RollImport
    from folkmoot.federation.roll import check_roll_upload
    from folkmoot.federation.roll_apply import apply_roll

    root = Assembly.objects.create(
        slug="bench", title="Bench", assembly_type="federation", reference_prefix="BENCH"
    )
    staff = User.objects.create(email="staff@bench.invalid", display_name="Staff", is_staff=True)
    kinds = ["participant"] * 4 + ["account"] * 2 + ["member"] + ["unknown"] * 3
    users, plan = [], []
    for i in range(rows):
        kind = kinds[i % 10]
        email = f"person{i}@bench.invalid"
        plan.append((email, kind))
        if kind != "unknown":
            users.append(User(email=email, display_name=f"Person {i}"))
    leavers = [
        User(email=f"leaver{i}@bench.invalid", display_name=f"Leaver {i}")
        for i in range(rows // 10)
    ]
    User.objects.bulk_create(users + leavers, batch_size=2_000)
    ids = dict(User.objects.values_list("email", "pk"))
    memberships = [
        Membership(
            user_id=ids[email],
            assembly=root,
            status="member" if kind == "member" else "participant",
        )
        for email, kind in plan
        if kind in ("participant", "member")
    ] + [Membership(user_id=ids[u.email], assembly=root, status="member") for u in leavers]
    Membership.objects.bulk_create(memberships, batch_size=2_000)
    lines = ["email,name,member_since,birth_date"]
    for i, (email, _kind) in enumerate(plan):
        birth = "1990-01-02" if i % 5 == 0 else ""
        lines.append(f"{email},Person {i},2025-09-14,{birth}")
    data = ("\r\n".join(lines) + "\r\n").encode()

    started = time.perf_counter()
    made = check_roll_upload(staff, root, data, "bench.csv")
    check = time.perf_counter() - started
    RollImport.objects.filter(pk=made.pk).update(state=RollImport.State.QUEUED)
    started = time.perf_counter()
    summary = apply_roll(made.pk)
    apply = time.perf_counter() - started

    other = Assembly.objects.create(
        slug="baseline", title="Baseline", assembly_type="federation", reference_prefix="BASE"
    )
    people = list(ids.values())[:rows]
    started = time.perf_counter()
    Membership.objects.bulk_create(
        [
            Membership(user_id=pk, assembly=other, status="member", started_at=timezone.now())
            for pk in people
        ],
        batch_size=1_000,
    )
    baseline = time.perf_counter() - started
    Membership.objects.filter(assembly=other).delete()

    expected = {
        "joined": sum(k == "account" for _e, k in plan),
        "promoted": sum(k == "participant" for _e, k in plan),
        "stayed": sum(k == "member" for _e, k in plan),
        "invited": sum(k == "unknown" for _e, k in plan),
        "stopped": len(leavers),
    }
    members = Membership.objects.filter(assembly=root, status="member", ended_at=None).count()
    right = summary == expected and members == rows - expected["invited"]
    return {
        "check": check,
        "apply": apply,
        "baseline": baseline,
        "summary": summary,
        "right": right,
    }


def pg_urls() -> tuple[str, str]:
    named = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(named if urlsplit(named).scheme in POSTGRES_SCHEMES else PG_DEFAULT_URL)
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    return admin, urlunsplit(("postgres", parts.netloc, f"/{PG_BENCH_DB}", parts.query, ""))


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_urls()[0], autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql)


def run(database: str, rows: int) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FOLKMOOT_DATA_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "folkmoot.config.settings.dev"
    tmp = tempfile.mkdtemp(prefix="folkmoot-bench-roll-")
    env["FOLKMOOT_DATA_DIR"] = tmp
    try:
        if database == "postgres":
            try:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
                pg_admin(f"CREATE DATABASE {PG_BENCH_DB}")
            except Exception as error:
                return {"error": f"PostgreSQL unavailable: {error}"}
            env["DATABASE_URL"] = pg_urls()[1]
        try:
            done = subprocess.run(
                [sys.executable, str(THIS), "--_child", str(rows)],
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=ROOT,
                timeout=1_800,
            )
        except subprocess.TimeoutExpired:
            return {"error": "killed after 1,800 s"}
        if done.returncode != 0 or not done.stdout.strip():
            return {"error": f"child exited with {done.returncode}"}
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if database == "postgres":
            try:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            except Exception as error:
                print(f"could not drop {PG_BENCH_DB}: {error}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default=None)
    parser.add_argument("--smoke", action="store_true", help="200 rows, for the test suite")
    parser.add_argument("--_child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        print(json.dumps(child(int(args._child))))
        return
    rows = 200 if args.smoke else args.rows
    if not 10 <= rows <= 100_000:
        parser.error("rows are 10 to 100,000")
    choice = args.database
    if choice is None:
        named = urlsplit(os.environ.get("DATABASE_URL", "")).scheme in POSTGRES_SCHEMES
        choice = ("postgres" if named else "sqlite") if args.smoke else "both"
    databases = ["sqlite", "postgres"] if choice == "both" else [choice]
    print(
        f"Member roll import, {rows:,} rows (target: check + apply < {TARGET_SECONDS:.0f} s for {TARGET_ROWS:,})"
    )
    print(
        f"{'database':<10} {'check':>9} {'apply':>9} {'total':>9} {'rows/s':>9} {'baseline':>9} {'÷ base':>7}  result"
    )
    failed = False
    for database in databases:
        r = run(database, rows)
        if "error" in r:
            print(f"{database:<10} error: {r['error']}")
            failed = True
            continue
        total = r["check"] + r["apply"]
        verdict = "PASS" if total < TARGET_SECONDS * rows / TARGET_ROWS else "MISS"
        if not r["right"]:
            verdict, failed = "WRONG COUNTS", True
        print(
            f"{database:<10} {r['check']:>8.2f}s {r['apply']:>8.2f}s {total:>8.2f}s "
            f"{rows / total:>9,.0f} {r['baseline']:>8.2f}s {total / r['baseline']:>6.1f}×  {verdict}"
        )
        print(f"{'':<10} {r['summary']}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
