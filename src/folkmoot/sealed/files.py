"""The files a sealed vote hands out (issue 16): public ones to whoever may see the vote
(the certificates, the election, the whole archive, once each exists), and to each guardian
the two the server computed for them (their share's input, their decryption key encrypted
to them: useless to anyone else)."""

from __future__ import annotations

from typing import Any

from folkmoot.refusals import NotFound

from .closing import ensure_opened, ensure_shuffles_ended
from .models import SealedElection
from .selectors import guardian_of

JSON = "application/json"


def sealed_file(election: SealedElection, user: Any, name: str) -> tuple[bytes, str]:
    """The file's bytes and its media type; NotFound when it does not exist (yet) or is
    not this person's."""
    ensure_opened(election)  # at the opening the election is built by whoever asks first
    if name == f"{election.uuid}.bel":
        # The guardians decrypt an archive that says the shuffles are over (one light event).
        ensure_shuffles_ended(election)
    if name == "certificates.jsons":
        lines = [g.certificate for g in election.guardians.all()]
        if not all(lines):
            raise NotFound(name)
        return "".join(c + "\n" for c in lines).encode(), JSON
    if name == "election.json" and election.election_json:
        # Exactly as published: the ballots' fingerprint is a hash of these bytes.
        return election.election_json.encode(), JSON
    if name == f"{election.uuid}.bel" and election.opened_at is not None:
        return bytes(election.archive), "application/x-tar"
    guardian = guardian_of(election, user)
    if guardian is not None:
        if name == "share-input.json" and guardian.share_input:
            return (guardian.share_input + "\n").encode(), JSON
        if name == "decryption-key.json" and guardian.decryption_key:
            return (guardian.decryption_key + "\n").encode(), JSON
    raise NotFound(name)
