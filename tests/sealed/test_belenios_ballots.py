"""Issue 16, first brick: ballots made by `folkmoot.sealed.belenios` are Belenios 2.0
ballots. Debian's `belenios-tool` (2.0) sets up a small election (credentials, two trustees,
one NonHomomorphic question), our module casts into its archive, and the tool's own verifier
accepts the archive before and after the trustees shuffle and decrypt; the decrypted vectors
are the ones cast. `check_ballot` accepts those ballots (and one the tool made) and refuses a
tampered ballot, a ballot for another election, an unknown credential and non-canonical JSON.

Every subprocess is bounded by a timeout; the whole file runs in a few seconds."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from folkmoot.sealed import belenios as bel

TOOL = "belenios-tool"
TIMEOUT = 20  # seconds, for any single call of the tool (each takes well under one here)
CANDIDATES = ["Ada", "Grace", "Hedy"]


def tool(directory: Path, *args: str, stdin: str = "") -> str:
    """Run belenios-tool in `directory` and return its standard output."""
    done = subprocess.run(
        [TOOL, *args],
        cwd=directory,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"belenios-tool {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def verify(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TOOL, "election", "verify", "--dir", str(directory)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def archive_members(path: Path) -> list[tuple[str, str]]:
    """The archive (§"Public data"): a tar file, a BELENIOS header, then `<sha256>.data.json`
    and `<sha256>.event.json` files in the order they were appended."""
    members = []
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            content = archive.extractfile(member)
            assert content is not None, member.name
            members.append((member.name, content.read().decode()))
    return members


def archive_data(path: Path) -> tuple[dict[str, str], list[dict[str, object]]]:
    members = archive_members(path)
    data = {name.removesuffix(".data.json"): text for name, text in members if ".data." in name}
    events = [json.loads(text) for name, text in members if name.endswith(".event.json")]
    return data, events


@dataclass
class BeleniosElection:
    directory: Path
    uuid: str
    election: bel.Election
    public_credentials: list[str]
    private_credentials: list[str]
    private_keys: list[Path]  # in the order of trustees.json: trustee ids 1, 2, …

    @property
    def archive(self) -> Path:
        return self.directory / f"{self.uuid}.bel"

    def add(self, kind: str, payload: str = "") -> None:
        # add-event appends each line of stdin as data, the last as the event's payload; it
        # checks nothing about ballots (issue 16): only `verify` does.
        tool(self.directory, "archive", "add-event", f"--type={kind}", stdin=payload)


def setup_election(directory: Path, uuid: str, title: str, voters: int = 3) -> BeleniosElection:
    """An election as the administrator, credential authority and trustees set it up with the
    tool (tests/tool/demo-nh.sh of Belenios 2.0, two single trustees instead of a threshold)."""
    directory.mkdir(parents=True)
    group = f"--group={bel.GROUP}"
    tool(directory, "setup", "generate-credentials", f"--uuid={uuid}", group, f"--count={voters}")
    [privcreds] = directory.glob("*.privcreds")  # "id credential" lines, kept secret
    [pubcreds] = directory.glob("*.pubcreds")  # a JSON list: the published public credentials
    private_credentials = [line.split()[1] for line in privcreds.read_text().splitlines()]
    pubcreds.rename(directory / "public_creds.json")
    for _ in range(2):
        tool(directory, "setup", "generate-trustee-key", group)
    pubkeys = sorted(directory.glob("*.pubkey"))
    (directory / "public_keys.jsons").write_text("".join(p.read_text() for p in pubkeys))
    tool(directory, "setup", "make-trustees")
    template = {
        "description": "Sealed STAR vote",
        "name": title,
        "questions": [
            {"type": "NonHomomorphic", "value": {"answers": CANDIDATES, "question": title}}
        ],
    }
    (directory / "template.json").write_text(json.dumps(template))
    tool(directory, "setup", "make-election", f"--uuid={uuid}", group, "--template=template.json")
    tool(directory, "archive", "init")
    # The election as published: the archive's copy (election.json has a final newline).
    data, events = archive_data(directory / f"{uuid}.bel")
    assert events[0]["type"] == "Setup"
    setup = json.loads(data[str(events[0]["payload"])])
    election = bel.Election.from_json(data[setup["election"]])
    public_credentials = json.loads(data[setup["credentials"]])
    return BeleniosElection(
        directory=directory,
        uuid=uuid,
        election=election,
        public_credentials=public_credentials,
        private_credentials=private_credentials,
        private_keys=[p.with_suffix(".privkey") for p in pubkeys],
    )


@pytest.fixture(scope="module", autouse=True)
def _belenios_tool() -> None:
    if shutil.which(TOOL) is None:
        pytest.fail("Debian's belenios-tool is missing: `make test` installs it (belenios-deps).")


@pytest.fixture
def uuid(tmp_path: Path) -> str:
    return tool(tmp_path, "setup", "generate-token").strip()


@pytest.fixture
def election(tmp_path: Path, uuid: str) -> BeleniosElection:
    return setup_election(tmp_path / "election", uuid, "Who chairs the assembly?")


def test_credentials_derive_as_belenios_does(election: BeleniosElection) -> None:
    # The published list is in no particular order (not the voters'): compare as sets.
    derived = {
        str(bel.derive_credential(c, election.uuid)[1]) for c in election.private_credentials
    }
    assert derived == set(election.public_credentials)
    assert all(bel.credential_checksum_ok(c) for c in election.private_credentials)
    fresh = bel.new_credential()
    assert bel.credential_checksum_ok(fresh)
    by_tool = tool(
        election.directory,
        "setup",
        "generate-credentials",
        f"--uuid={election.uuid}",
        f"--group={bel.GROUP}",
        f"--derive={fresh}",
    ).strip()
    assert by_tool == str(bel.derive_credential(fresh, election.uuid)[1])
    assert not bel.credential_checksum_ok(fresh[:-1] + ("2" if fresh[-1] != "2" else "3"))
    # T.pubcreds has "credential,weight,id" (weight empty when unweighted); the archive has
    # "credential" or "credential,weight".
    assert bel.parse_public_credentials(["7,,3", "8,2,4", "9,5", "10"]) == {
        7: 1,
        8: 2,
        9: 5,
        10: 1,
    }


def test_group_membership_is_eulers_criterion() -> None:
    # is_member computes a Legendre symbol; Belenios computes x^q mod p. Same answer.
    samples = [0, 1, 2, bel.P - 1, bel.P - 2, bel.P, bel.P + 4]
    samples += [secrets.randbelow(bel.P) for _ in range(40)]
    for x in samples:
        assert bel.is_member(x) == (0 < x < bel.P and pow(x, bel.Q, bel.P) == 1), x
    assert bel.is_member(bel.G) and not bel.is_member(bel.P - 1)  # −1: p ≡ 3 (mod 4)


def test_grade_vectors_pack_into_one_group_element() -> None:
    for grades in ([0, 0, 0], [5, 0, 3], [255, 1, 254, 7], [9]):
        element = bel.group_encode(grades)
        assert bel.is_member(element)
        assert bel.group_decode(element, len(grades)) == grades
    with pytest.raises(ValueError):
        bel.group_encode([256, 0])  # Belenios would silently keep 256 mod 256 = 0
    with pytest.raises(ValueError):
        bel.group_encode([-1])


def test_belenios_verifies_our_ballots_through_shuffle_and_decryption(
    election: BeleniosElection,
) -> None:
    votes = [[5, 0, 3], [0, 5, 1], [2, 2, 2]]
    for credential, grades in zip(election.private_credentials, votes, strict=True):
        ballot = bel.make_ballot(election.election, credential, [grades])
        assert bel.check_ballot(election.election, election.public_credentials, ballot) == []
        election.add("Ballot", ballot + "\n")
    # A voter changes their mind: only the last ballot of a credential counts (§Tallied
    # ballots). A grade above the scale is not refused by the format (no range proof).
    revote = bel.make_ballot(election.election, election.private_credentials[0], [[9, 0, 0]])
    election.add("Ballot", revote + "\n")
    votes[0] = [9, 0, 0]

    checked = verify(election.directory)
    assert checked.returncode == 0, checked.stderr

    # Closing, as in Belenios's tests/tool/demo-nh.sh: every trustee shuffles, then decrypts.
    directory = election.directory
    election.add("EndBallots")
    election.add("EncryptedTally", tool(directory, "election", "compute-encrypted-tally"))
    for trustee in (1, 2):
        shuffled = tool(directory, "election", "shuffle", f"--trustee-id={trustee}")
        election.add("Shuffle", shuffled)
    election.add("EndShuffles")
    for trustee, key in enumerate(election.private_keys, start=1):
        partial = tool(
            directory, "election", "decrypt", f"--privkey={key}", f"--trustee-id={trustee}"
        )
        election.add("PartialDecryption", partial)
    election.add("Result", tool(directory, "election", "compute-result"))

    checked = verify(directory)
    assert checked.returncode == 0, checked.stderr
    data, events = archive_data(election.archive)
    assert events[-1]["type"] == "Result"
    result = json.loads(data[str(events[-1]["payload"])])["result"]
    # One question; its result is every decrypted vector, in the order of the mixnet.
    assert sorted(result[0]) == sorted(votes)


def test_a_ballot_the_tool_makes_passes_our_check(election: BeleniosElection) -> None:
    (election.directory / "choices.json").write_text("[[1,2,3]]")
    (election.directory / "credential").write_text(election.private_credentials[1])
    ballot = tool(
        election.directory,
        "election",
        "generate-ballot",
        "--privcred=credential",
        "--ballot=choices.json",
    ).removesuffix("\n")
    assert bel.check_ballot(election.election, election.public_credentials, ballot) == []


def _rewrite(ballot: str, change: Callable[[dict[str, Any]], object]) -> str:
    """The ballot changed by `change`, still in canonical form (so other checks are hit)."""
    data = json.loads(ballot)
    change(data)
    return json.dumps(data, separators=(",", ":"))


def test_check_ballot_refuses_what_the_server_must_refuse(
    election: BeleniosElection, tmp_path: Path, uuid: str
) -> None:
    creds = election.public_credentials
    voter, other_voter = election.private_credentials[:2]
    ballot = bel.make_ballot(election.election, voter, [[5, 0, 3]])
    assert bel.check_ballot(election.election, creds, ballot) == []
    assert bel.check_ballot(election.election.raw, creds, ballot) == []
    assert bel.tracker(ballot) == bel.b64_sha256(ballot)

    # Tampered: the sealed vote multiplied by g (still a group element, a different vote).
    def bump_vote(data: dict[str, Any]) -> None:
        choices = data["answers"][0]["choices"]
        choices["beta"] = str(int(choices["beta"]) * bel.G % bel.P)

    tampered = _rewrite(ballot, bump_vote)
    # The signature still holds over the hash it names, which is no longer the ballot's.
    assert bel.check_ballot(election.election, creds, tampered) == [
        bel.BAD_ANSWER_PROOF,
        bel.WRONG_SIGNED_HASH,
    ]

    # Tampered: another voter's sealed answer under this voter's signature (a copied vote):
    # the answer's proof is bound to the credential that made it.
    someone_else = json.loads(bel.make_ballot(election.election, other_voter, [[0, 0, 5]]))

    def copy_answer(data: dict[str, Any]) -> None:
        data["answers"] = someone_else["answers"]

    assert bel.BAD_ANSWER_PROOF in bel.check_ballot(
        election.election, creds, _rewrite(ballot, copy_answer)
    )

    # Tampered signature only.
    def bump_signature(data: dict[str, Any]) -> None:
        proof = data["signature"]["proof"]
        proof["response"] = str((int(proof["response"]) + 1) % bel.Q)

    assert bel.check_ballot(election.election, creds, _rewrite(ballot, bump_signature)) == [
        bel.BAD_SIGNATURE
    ]

    # Belenios's verifier refuses the tampered ballot too (add-event took it without a word).
    copy = tmp_path / "tampered"
    shutil.copytree(election.directory, copy)
    tool(copy, "archive", "add-event", "--type=Ballot", stdin=tampered + "\n")
    assert verify(copy).returncode != 0

    # For another election: same uuid and trustees, another question, so another fingerprint.
    other = tmp_path / "other"
    other.mkdir()
    for name in ("public_keys.jsons", "trustees.json"):
        shutil.copy(election.directory / name, other)
    template = json.loads((election.directory / "template.json").read_text())
    template["name"] = "Who keeps the minutes?"
    (other / "template.json").write_text(json.dumps(template))
    tool(
        other,
        "setup",
        "make-election",
        f"--uuid={uuid}",
        f"--group={bel.GROUP}",
        "--template=template.json",
    )
    other_election = bel.Election.from_json((other / "election.json").read_text())
    assert other_election.public_key == election.election.public_key
    assert other_election.fingerprint != election.election.fingerprint
    foreign = bel.make_ballot(other_election, voter, [[5, 0, 3]])
    assert bel.check_ballot(other_election, creds, foreign) == []
    assert bel.check_ballot(election.election, creds, foreign) == [bel.WRONG_FINGERPRINT]

    # An unknown credential: a well-formed ballot from outside the published list.
    stranger = bel.make_ballot(election.election, bel.new_credential(), [[5, 0, 3]])
    assert bel.check_ballot(election.election, creds, stranger) == [bel.UNKNOWN_CREDENTIAL]

    # Not the canonical spelling: the tracker would differ from the ballot box's.
    spaced = json.dumps(json.loads(ballot))
    assert bel.check_ballot(election.election, creds, spaced) == [bel.NON_CANONICAL]
    assert bel.check_ballot(election.election, creds, ballot + "\n") == [bel.NON_CANONICAL]
    data = json.loads(ballot)
    reordered = json.dumps({"credential": data.pop("credential"), **data}, separators=(",", ":"))
    assert bel.check_ballot(election.election, creds, reordered) == [bel.NON_CANONICAL]
    escaped = ballot.replace('"election_uuid"', '"election\\u005fuuid"')
    assert bel.check_ballot(election.election, creds, escaped) == [bel.NON_CANONICAL]

    # Not a ballot at all.
    for junk in ("", "[]", "{}", ballot[:-1], ballot.replace('"alpha":"', '"alpha":"0')):
        assert bel.check_ballot(election.election, creds, junk) == [bel.MALFORMED]
    outside = _rewrite(ballot, lambda d: d.update(credential="0"))
    assert bel.NOT_IN_GROUP in bel.check_ballot(election.election, creds, outside)
