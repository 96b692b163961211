"""When what the home page and the forum pages keep may be out of date (issue 11).

Two tokens: one for the agendas (below), one for what forum pages keep, their lists of
threads and threads' posts (FORUM_LISTS: threads, posts, reactions, attachments, people,
assemblies, protocols; forums/kept.py, forums/thread_posts.py).

The home page keeps each person's agenda (agenda.kept) until something it reads changes.
What many people's agendas read (votes and their electorates, offices and terms, sanctions,
reports, requests, proposals, protocols, sealed votes' guardians) is watched where every write
goes: the database connection. Any INSERT, UPDATE or DELETE on one of those tables, from a
model's save(), a queryset's update(), a bulk_create() or SQL through Django's cursor,
renews one shared token once its transaction commits; an agenda kept under an older token is
made again when next read. Watching the connection rather than the models' signals is what
makes it whole: update() and bulk_create() send no signal.

Not watched, on purpose:
- what only one person's agenda reads: their participations in votes, their consensus
  responses, their notifications, their voting keys. agenda.kept compares the person's counts
  of those on every visit (in the header's query), so a ballot cast remakes one agenda, not
  everyone's, during a national vote;
- what no agenda reads and is written all the time: posts, threads, ballots, chat, sessions,
  the audit log. Reactions are written all the time too, but an office's "+1" is a proposal's
  support, which agendas read: forums.actions.do_react calls `changed()` for those;
- a sign-in's write of the person's `last_login`, which nothing kept shows (the rest of
  people's rows is watched: who is staff, birth dates, attributes and names are read).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

logger = logging.getLogger(__name__)

TOKEN_KEY = "folkmoot:agenda:token"
# On a connection: the tokens whose writes outside a transaction wait to renew them
# (see Watched.changed()).
_PENDING = "_folkmoot_agenda_pending"

# Every table some source of agenda.items reads for more than one person.
SHARED = frozenset(
    {
        "decisions_draftingapproval",
        "decisions_eligible",
        "decisions_proposal",
        "decisions_registerentry",
        "decisions_urgentagreement",
        "decisions_vote",
        "decisions_voteresult",
        "federation_assembly",
        "federation_foundingrequest",
        "federation_joinrequest",
        "federation_membership",
        "federation_reshaperequest",
        "federation_umbrellamembership",
        "forums_rescuerequest",
        "moderation_endorsement",
        "moderation_lifting",
        "moderation_misconductendorsement",
        "moderation_officemisconduct",
        "moderation_officesuspension",
        "moderation_report",
        "moderation_sanction",
        "offices_absence",
        "offices_candidacy",
        "offices_office",
        "offices_tenure",
        "protocols_protocolversion",
        "amendments_textamendment",
        # Who is staff (restricted assemblies), birth dates and attributes (powers), names.
        "accounts_user",
        "sealed_guardian",
        "sealed_handedin",  # a guardian's step waiting for its check is not asked again
        "sealed_sealedelection",
    }
)

# Signing in writes the person's last_login, and nothing kept shows it.
_SIGN_IN = re.compile(
    r'\s*UPDATE\s+"?accounts_user"?\s+SET\s+"?last_login"?\s*=\s*%s\s+WHERE', re.I
)

# The table a write names, as Django writes it on PostgreSQL and SQLite ("INSERT OR IGNORE").
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


class Watched:
    """A token in the cache, renewed when a statement writes one of `tables`."""

    def __init__(self, key: str, tables: frozenset[str]) -> None:
        self.key = key
        self.tables = tables
        # One bound method, so that a transaction registers it once (see changed()).
        self.renew = self._renew

    def token(self) -> str:
        """The current token; a new one where the cache lost it (a restart, an eviction), so
        that nothing kept before can match it. A reader sees its own writes: what this
        thread wrote outside a transaction renews the token first."""
        flush()
        current = cache.get(self.key)
        if current is None:
            cache.add(self.key, uuid.uuid4().hex, None)
            current = cache.get(self.key)
        return str(current)

    def read(self, key: str | None) -> tuple[str, Any]:
        """The current token and what the cache holds under `key` (None: nothing asked), in
        one round trip, once this thread's own writes have renewed the token."""
        flush()
        found = cache.get_many([self.key] + ([key] if key else []))
        token = found.get(self.key) or self.token()
        return str(token), found.get(key) if key else None

    def _renew(self) -> None:
        try:
            cache.set(self.key, uuid.uuid4().hex, None)
        except Exception as failed:  # the write it follows is done, and stays
            # A cache that cannot be written (Redis down; the database cache's table not made
            # yet, as while `migrate` runs on a new installation) keeps nothing to renew
            # either: its reads fail the same way, and the pages read afresh.
            logger.warning("Could not renew %s: %s", self.key, failed)

    def changed(self, using: str = DEFAULT_DB_ALIAS) -> None:
        """Something this token stands for was written: renew it once the transaction
        commits. What a reader made from the state before the commit was kept under the old
        token, so it is made again; renewing before the commit could let a reader keep the
        old state under the new token. Outside a transaction (and in a test case's, which
        never commits) the write is done, but its statement may still be handing back rows
        (INSERT … RETURNING): the token is renewed before the connection's next statement,
        or when the request or task ends, whichever comes first. Renewing at once would run
        the cache's own statements on that connection in between, which on SQLite cuts the
        pending insert short."""
        connection = connections[using]
        if not connection.in_atomic_block or _in_test_case(connection):
            connection.__dict__.setdefault(_PENDING, set()).add(self)
        if connection.in_atomic_block and not any(
            entry[1] is self.renew
            for entry in connection.run_on_commit  # (savepoints, callback, robust)
        ):
            transaction.on_commit(self.renew, using=using, robust=True)


AGENDAS = Watched(TOKEN_KEY, SHARED)
# What a forum page's list of threads and a thread page's posts show (forums/kept.py,
# forums/thread_posts.py): declared here, so that every process that writes (web, worker,
# commands) renews it, whether it shows forums or not.
FORUM_LISTS = Watched(
    "folkmoot:forums:token",
    frozenset(
        {
            "forums_thread",
            "forums_post",
            "forums_reaction",
            "attachments_attachment",  # a post's files
            "federation_assembly",
            "protocols_protocolversion",
            "accounts_user",  # authors' names
        }
    ),
)
_ALL = (AGENDAS, FORUM_LISTS)


def token() -> str:
    return AGENDAS.token()


def changed(using: str = DEFAULT_DB_ALIAS) -> None:
    AGENDAS.changed(using)


def flush(**_kwargs: Any) -> None:
    """Renew the tokens for writes done outside a transaction on this thread's connections
    (request_finished, task_finished, and before reading a token)."""
    for connection in connections.all(initialized_only=True):
        _flush(connection)


def _flush(connection: Any) -> None:
    pending = connection.__dict__.get(_PENDING)
    if not pending:
        return
    if connection.in_atomic_block and not _in_test_case(connection):
        # A write outside a transaction is pending, and a transaction has begun since: a
        # renewal made now would be the database cache's write inside it, lost if it rolls
        # back. It stays pending, for the commit, the next statement outside a transaction,
        # or the end of the request or task.
        if not any(entry[1] is _flush_after_commit for entry in connection.run_on_commit):
            transaction.on_commit(_flush_after_commit, using=connection.alias, robust=True)
        return
    connection.__dict__[_PENDING] = set()  # first: renewing runs statements of its own
    for one in pending:
        one.renew()


def _flush_after_commit() -> None:
    flush()


def _in_test_case(connection: Any) -> bool:
    """A test case's transaction never commits; its own later reads see its writes."""
    return any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


# While `migrate` runs, statements are not watched: every token is renewed once it is done
# (on a new installation the database cache's table is made halfway through).
_migrating = False


def migrating(**_kwargs: Any) -> None:
    global _migrating
    _migrating = True


def migrated(**_kwargs: Any) -> None:
    global _migrating
    if _migrating:  # sent once per app: the first renews
        _migrating = False
        for one in _ALL:
            one.renew()


def _watch(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    if _migrating:
        return execute(sql, params, many, context)
    connection = context["connection"]
    _flush(connection)  # the previous statement is done with: it is safe to renew now
    result = execute(sql, params, many, context)
    # Reads are nearly every statement: one character tells most of them apart.
    if sql[:1] not in ("S", "s", "("):
        found = _WRITE.match(sql)
        if found is not None and not _SIGN_IN.match(sql):
            for one in _ALL:
                if found.group(1) in one.tables:
                    one.changed(connection.alias)
    return result


def watch(connection: Any, **_kwargs: Any) -> None:
    """connection_created: the wrapper stays on the connection object, which Django keeps
    across reconnections, so it is added once."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)
