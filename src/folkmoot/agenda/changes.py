"""When the agendas kept for the home page may be out of date (issue 11).

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
- people's rows: a sign-in writes `last_login`. A renamed person's name in a coordinator's
  "sanction to back" item may lag until the kept agenda's age runs out (agenda.kept.MAX_AGE).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

TOKEN_KEY = "folkmoot:agenda:token"
# On a connection: a write outside a transaction waits to renew the token (see changed()).
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
        "sealed_guardian",
        "sealed_sealedelection",
    }
)

# The table a write names, as Django writes it on PostgreSQL and SQLite ("INSERT OR IGNORE").
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


def token() -> str:
    """The current token; a new one where the cache lost it (a restart, an eviction), so
    that nothing kept before can match it. A reader sees its own writes: what this thread
    wrote outside a transaction renews the token first."""
    flush()
    current = cache.get(TOKEN_KEY)
    if current is None:
        cache.add(TOKEN_KEY, uuid.uuid4().hex, None)
        current = cache.get(TOKEN_KEY)
    return str(current)


def _renew() -> None:
    cache.set(TOKEN_KEY, uuid.uuid4().hex, None)


def changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Something many agendas read was written: renew the token once the transaction commits.
    An agenda made from what a reader saw before the commit was kept under the old token, so
    it is made again; renewing before the commit could let a reader keep the old state under
    the new token. Outside a transaction (and in a test case's, which never commits) the
    write is done, but its statement may still be handing back rows (INSERT … RETURNING):
    the token is renewed before the connection's next statement, or when the request or
    task ends, whichever comes first. Renewing at once would run the cache's own statements
    on that connection in between, which on SQLite cuts the pending insert short."""
    connection = connections[using]
    if not connection.in_atomic_block or any(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    ):
        connection.__dict__[_PENDING] = True
    if connection.in_atomic_block and not any(
        entry[1] is _renew
        for entry in connection.run_on_commit  # (savepoints, callback, robust)
    ):
        transaction.on_commit(_renew, using=using, robust=True)


def flush(**_kwargs: Any) -> None:
    """Renew the token for writes done outside a transaction on this thread's connections
    (request_finished, task_finished, and before reading the token)."""
    for connection in connections.all(initialized_only=True):
        _flush(connection)


def _flush(connection: Any) -> None:
    if connection.__dict__.get(_PENDING):
        connection.__dict__[_PENDING] = False  # first: renewing runs statements of its own
        _renew()


def _watch(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    connection = context["connection"]
    _flush(connection)  # the previous statement is done with: it is safe to renew now
    result = execute(sql, params, many, context)
    # Reads are nearly every statement: one character tells most of them apart.
    if sql[:1] not in ("S", "s", "("):
        found = _WRITE.match(sql)
        if found is not None and found.group(1) in SHARED:
            changed(connection.alias)
    return result


def watch(connection: Any, **_kwargs: Any) -> None:
    """connection_created: the wrapper stays on the connection object, which Django keeps
    across reconnections, so it is added once."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)
