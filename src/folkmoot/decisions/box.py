"""Opening a secret vote's box at the close (VOTE-11, docs/secrecy.md).

While a vote is open its secret ballots wait in `BoxedBallot`, where the table's physical
order (SQLite's rowid, PostgreSQL's ctid) and transaction ids (PostgreSQL's xmin) follow the
order of voting, as they must in any table written one ballot at a time. At the close, in
the transaction that counts, every ballot is written to `Ballot` in a random order, with a
fresh random key, and the boxed rows are deleted:
the counted ballots share one transaction and an order unrelated to who voted when."""

from __future__ import annotations

from django.db import OperationalError, connection, transaction

from .models import Ballot, BoxedBallot, Vote

# A fresh version-4 UUID for each counted ballot, and a random sort key, drawn by the
# database from a source seeded by the operating system: PostgreSQL's gen_random_uuid()
# uses its strong random source; SQLite's randomblob() its own generator, seeded from the
# operating system. Django keeps a UUID on SQLite as 32 hexadecimal digits. (`%%` is a
# modulo: the statement passes through Django's parameter formatting, also when logged.)
_SQLITE_UUID4 = (
    "lower(hex(randomblob(4)) || hex(randomblob(2)) || '4' || substr(hex(randomblob(2)), 2)"
    " || substr('89ab', 1 + (abs(random()) %% 4), 1) || substr(hex(randomblob(2)), 2)"
    " || hex(randomblob(6)))"
)


def open_box(vote: Vote) -> int:
    """Moves the vote's boxed ballots to the counted ones in a random order, with new random
    keys; returns how many. One INSERT … SELECT … ORDER BY <random> and one DELETE, inside
    the transaction that holds the vote row and counts, so the database does the work
    (100,000 ballots in well under a second) and the rows never pass through Python."""
    postgres = connection.vendor == "postgresql"
    new_key = "gen_random_uuid()" if postgres else _SQLITE_UUID4
    shuffle = "gen_random_uuid()" if postgres else "randomblob(16)"
    counted, boxed = Ballot._meta.db_table, BoxedBallot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {counted} (id, vote_id, marks, valid, check_code, voter_id) "
            f"SELECT {new_key}, vote_id, marks, valid, check_code, NULL FROM {boxed} "
            f"WHERE vote_id = %s ORDER BY {shuffle}",
            [vote.pk],
        )
        moved = cursor.rowcount
        cursor.execute(f"DELETE FROM {boxed} WHERE vote_id = %s", [vote.pk])
    return max(moved, 0)


def reclaim_box_space() -> None:
    """PostgreSQL keeps a deleted row's bytes — with its xmin, the same as its voter's
    participation row — in the table's pages: VACUUM frees the space but does not overwrite
    it. When no vote has a ballot in the box, the worker truncates the table, which gives it
    a new, empty file; otherwise it vacuums, so the space is reused sooner (docs/secrecy.md
    says what remains). The check and the truncation hold the table exclusively, briefly
    (a cast waits at most the lock timeout; on timeout nothing is done this pass). SQLite
    overwrites deleted content at once (`secure_delete`, set on every connection)."""
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        return
    table = BoxedBallot._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            (in_use,) = cursor.fetchone()
            if not in_use:
                cursor.execute(f"TRUNCATE {table}")
    except OperationalError:
        return  # busy with casts: the next pass tries again
    if in_use:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {table}")
