"""Issue 16: the browser seals the ballot. `static/js/sealed-core.js` is a port of
`folkmoot.sealed.belenios` to JavaScript; Node runs it here (tests/sealed/sealed_harness.js)
and the Python reference and Belenios's own tool judge what it makes: its credentials pass
the checksum and derive to the same public credential, its ballots pass `check_ballot`, carry
the same tracker, pass `belenios-tool election verify` and decrypt to the grades cast.

Every subprocess is bounded by a timeout."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from folkmoot.sealed import belenios as bel
from tests.sealed.test_belenios_ballots import (
    TOOL,
    BeleniosElection,
    archive_data,
    setup_election,
    tool,
    verify,
)

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "src" / "folkmoot" / "static" / "js"
CORE = JS / "sealed-core.js"
FORM = JS / "sealed-form.js"
HARNESS = Path(__file__).with_name("sealed_harness.js")
NODE_TIMEOUT = 60  # seconds for one run of the harness (a ballot takes milliseconds)


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is missing: `make node-deps` installs it.")
    if shutil.which(TOOL) is None:
        pytest.fail("Debian's belenios-tool is missing: `make test` installs it (belenios-deps).")
    return found


def run_js(node: str, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    """Run the operations in one Node process; each result is {"ok": …} or {"error": …}."""
    done = subprocess.run(
        [node, str(HARNESS), str(CORE)],
        input=json.dumps(list(ops)),
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    assert len(results) == len(ops)
    return results


def ok(result: dict[str, Any]) -> Any:
    assert "ok" in result, result.get("error")
    return result["ok"]


@pytest.fixture
def election(tmp_path: Path) -> BeleniosElection:
    uuid = tool(tmp_path, "setup", "generate-token").strip()
    return setup_election(tmp_path / "election", uuid, "Who chairs the assembly?")


def test_the_scripts_parse_and_use_no_eval(node: str) -> None:
    # The pages run under script-src 'self': no eval, no new Function, no inline handlers.
    for script in (CORE, FORM):
        checked = subprocess.run(
            [node, "--check", str(script)],
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr
        text = script.read_text()
        assert "eval(" not in text and "Function(" not in text, script
    assert ok(run_js(node, {"op": "supported"})[0]) is True


def test_credentials_made_in_javascript_are_belenios_credentials(
    node: str, election: BeleniosElection
) -> None:
    made = [ok(r) for r in run_js(node, *[{"op": "newCredential"}] * 5)]
    assert len(set(made)) == 5
    for credential in made:
        assert len(credential) == 19 and credential[3::4] == "----", credential
        assert bel.credential_checksum_ok(credential), credential

    # The same checksum verdicts as Python, on good and mistyped spellings.
    fresh = made[0]
    last = "2" if fresh[-1] != "2" else "3"
    spellings = [fresh, fresh.replace("-", ""), fresh[:-1] + last, fresh.replace("-", "_"), ""]
    spellings += [fresh[:4] + fresh[5] + fresh[4] + fresh[6:], fresh.lower(), fresh + "1"]
    spellings += election.private_credentials
    verdicts = run_js(node, *[{"op": "checksumOk", "credential": s} for s in spellings])
    assert [ok(v) for v in verdicts] == [bel.credential_checksum_ok(s) for s in spellings]

    # Public credentials: the same number as Python's, and as the tool's for its own.
    uuid = election.uuid
    derived = run_js(
        node,
        *[
            {"op": "derive", "credential": c, "uuid": uuid}
            for c in made + election.private_credentials
        ],
    )
    ours = [ok(r) for r in derived]
    assert ours[: len(made)] == [str(bel.derive_credential(c, uuid)[1]) for c in made]
    assert set(ours[len(made) :]) == set(election.public_credentials)
    by_tool = tool(
        election.directory,
        "setup",
        "generate-credentials",
        f"--uuid={uuid}",
        f"--group={bel.GROUP}",
        f"--derive={fresh}",
    ).strip()
    assert by_tool == ours[0]


def test_ballots_sealed_in_javascript_pass_python_and_belenios(
    node: str, election: BeleniosElection
) -> None:
    raw = election.election.raw
    published = (election.directory / "election.json").read_text()
    assert published == raw + "\n"  # the tool's file: the fingerprint is of the line
    votes = [[5, 0, 3], [0, 255, 1], [2, 2, 2]]
    ops = [
        # One voter's page received the text with its final newline: same fingerprint.
        {"op": "ballot", "election": text, "credential": credential, "answers": [grades]}
        for text, credential, grades in zip(
            [raw, published, raw], election.private_credentials, votes, strict=True
        )
    ]
    results = [ok(r) for r in run_js(node, *ops)]
    for result in results:
        ballot = result["ballot"]
        assert "\n" not in ballot
        assert bel.check_ballot(election.election, election.public_credentials, ballot) == []
        assert result["tracker"] == bel.tracker(ballot)
        election.add("Ballot", ballot + "\n")
    print("ms per ballot in Node:", [round(r["ms"], 1) for r in results])

    checked = verify(election.directory)
    assert checked.returncode == 0, checked.stderr

    # Closed, shuffled and decrypted by the tool: the vectors are the grades sealed, so the
    # packing into a group element is Belenios's own.
    directory = election.directory
    election.add("EndBallots")
    election.add("EncryptedTally", tool(directory, "election", "compute-encrypted-tally"))
    for trustee in (1, 2):
        election.add("Shuffle", tool(directory, "election", "shuffle", f"--trustee-id={trustee}"))
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
    result = json.loads(data[str(events[-1]["payload"])])["result"]
    assert sorted(result[0]) == sorted(votes)


def test_javascript_refuses_bad_grades_and_mistyped_credentials(
    node: str, election: BeleniosElection
) -> None:
    raw = election.election.raw
    credential = election.private_credentials[0]
    last = "2" if credential[-1] != "2" else "3"
    mistyped = credential[:-1] + last
    assert not bel.credential_checksum_ok(mistyped)

    def ballot(answers: object, cred: str = credential) -> dict[str, Any]:
        return {"op": "ballot", "election": raw, "credential": cred, "answers": answers}

    results = run_js(
        node,
        ballot([[256, 0, 0]]),
        ballot([[0, -1, 0]]),
        ballot([[0, 1.5, 0]]),
        ballot([[0, 0]]),
        ballot([[0, 0, 0], [0, 0, 0]]),
        ballot([[0, 0, 0]], mistyped),
        {"op": "derive", "credential": mistyped, "uuid": election.uuid},
        ballot([[255, 0, 0]]),
    )
    errors = [r.get("error", "") for r in results]
    assert "256" in errors[0] and "0 to 255" in errors[0]
    assert "-1" in errors[1] and "1.5" in errors[2]
    assert "3 grades" in errors[3]
    assert "one per question" in errors[4]
    assert "mistyped" in errors[5] and "mistyped" in errors[6]
    valid = ok(results[7])["ballot"]
    assert bel.check_ballot(election.election, election.public_credentials, valid) == []
