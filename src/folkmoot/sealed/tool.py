"""Running Debian's `belenios-tool` 2.0 for the steps that hold no secret (issue 16): checking
the guardians' certificates, computing their shares' inputs and the election key, building
the election and its archive, appending events, computing the encrypted tally and the result,
and verifying the whole archive. The private keys never come here: the guardians run the
other steps on their own devices.

The archive is kept in the database (`SealedElection.archive`), so that every web process
and worker sees the same one; each use writes it to a fresh temporary directory, runs the
tool there and reads it back."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import belenios

TOOL = "belenios-tool"
GROUP = f"--group={belenios.GROUP}"
# Each call takes a fraction of a second for a small election; `verify` and `shuffle` grow
# with the ballots (about 100 s and 60 s for 1,000 here, issue 16), so the bound is generous.
TIMEOUT = 900


class ToolFailed(Exception):
    """The tool refused its input: the message is its own last line, for the log and the
    person who uploaded the file (it names what is wrong in the tool's words)."""


def run(directory: Path, *args: str, stdin: str = "") -> str:
    try:
        done = subprocess.run(
            [TOOL, *args],
            cwd=directory,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as slow:
        raise ToolFailed(f"belenios-tool {args[0]} took more than {TIMEOUT} s") from slow
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if not line.startswith("I: ")]
        raise ToolFailed(lines[-1] if lines else f"belenios-tool exited with {done.returncode}")
    return done.stdout


def key_id(certificate: str) -> str:
    """The name the tool gives a guardian's files (`<id>.vinput`, `<id>.dkey`): the SHA-256
    of the certificate's signed message."""
    return hashlib.sha256(json.loads(certificate)["message"].encode()).hexdigest()


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="folkmoot-sealed-") as name:
        yield Path(name)


def lines(texts: list[str]) -> str:
    return "".join(text.rstrip("\n") + "\n" for text in texts)


# --- the guardians' key (threshold), server's steps 2, 4 and 6 ---------------------------


def check_certificates(certificates: list[str]) -> None:
    with workdir() as d:
        (d / "certs.jsons").write_text(lines(certificates))
        run(d, "setup", "generate-trustee-key-threshold", GROUP, "--certs=certs.jsons", "--step=2")


def share_inputs(certificates: list[str], polynomials: list[str]) -> list[str]:
    """Step 4: from every guardian's polynomial, the input each must answer (in the order of
    the certificates); the tool checks the polynomials on the way."""
    with workdir() as d:
        (d / "certs.jsons").write_text(lines(certificates))
        (d / "polynomials.jsons").write_text(lines(polynomials))
        run(
            d,
            "setup",
            "generate-trustee-key-threshold",
            GROUP,
            "--certs=certs.jsons",
            "--step=4",
            "--polynomials=polynomials.jsons",
        )
        return [(d / f"{key_id(c)}.vinput").read_text().rstrip("\n") for c in certificates]


@dataclass(frozen=True)
class ElectionKey:
    threshold: str  # threshold.json: the public parameters (trustees.json is built from it)
    decryption_keys: list[str]  # each guardian's decryption key, encrypted to that guardian


def election_key(
    certificates: list[str], polynomials: list[str], outputs: list[str]
) -> ElectionKey:
    with workdir() as d:
        (d / "certs.jsons").write_text(lines(certificates))
        (d / "polynomials.jsons").write_text(lines(polynomials))
        threshold = run(
            d,
            "setup",
            "generate-trustee-key-threshold",
            GROUP,
            "--certs=certs.jsons",
            "--step=6",
            "--polynomials=polynomials.jsons",
            stdin=lines(outputs),
        )
        keys = [(d / f"{key_id(c)}.dkey").read_text().rstrip("\n") for c in certificates]
        return ElectionKey(threshold.rstrip("\n"), keys)


# --- the election and its archive ----------------------------------------------------------


def make_election(
    uuid: str, threshold: str, title: str, answers: list[str], public_credentials: list[str]
) -> bytes:
    """The archive with its Setup event: election.json, trustees.json (the guardians'
    threshold key only: no key held by the server) and the public credentials."""
    with workdir() as d:
        (d / "threshold.json").write_text(threshold + "\n")
        (d / "public_keys.jsons").write_text("")
        run(d, "setup", "make-trustees")
        (d / "public_creds.json").write_text(json.dumps(public_credentials))
        template = {
            "description": "",
            "name": title,
            "questions": [
                {"type": "NonHomomorphic", "value": {"answers": answers, "question": title}}
            ],
        }
        (d / "template.json").write_text(json.dumps(template, ensure_ascii=False))
        run(d, "setup", "make-election", f"--uuid={uuid}", GROUP, "--template=template.json")
        run(d, "archive", "init")
        return (d / f"{uuid}.bel").read_bytes()


@dataclass
class Archive:
    """An archive written out for the tool; `events` appends and `data` reads back."""

    directory: Path
    uuid: str

    @property
    def path(self) -> Path:
        return self.directory / f"{self.uuid}.bel"

    def add(self, kind: str, payload: str = "") -> None:
        run(self.directory, "archive", "add-event", f"--type={kind}", stdin=payload)

    def call(self, *args: str) -> str:
        return run(self.directory, *args)

    def verify(self) -> None:
        run(self.directory, "election", "verify", f"--dir={self.directory}")

    def read(self) -> bytes:
        return self.path.read_bytes()


@contextmanager
def opened(uuid: str, archive: bytes) -> Iterator[Archive]:
    with workdir() as d:
        (d / f"{uuid}.bel").write_bytes(archive)
        yield Archive(d, uuid)


def events(archive: bytes) -> tuple[dict[str, str], list[dict[str, object]]]:
    """The archive's data (by hash) and its events in order (§"Public data")."""
    data: dict[str, str] = {}
    found: list[dict[str, object]] = []
    with tempfile.TemporaryFile() as f:
        f.write(archive)
        f.seek(0)
        with tarfile.open(fileobj=f) as tar:
            for member in tar.getmembers():
                content = tar.extractfile(member)
                if content is None:
                    continue
                text = content.read().decode()
                if member.name.endswith(".data.json"):
                    data[member.name.removesuffix(".data.json")] = text
                elif member.name.endswith(".event.json"):
                    found.append(json.loads(text))
    return data, found


def published_election(archive: bytes) -> tuple[str, list[str]]:
    """election.json exactly as published (no final newline), and the public credentials."""
    data, found = events(archive)
    setup = json.loads(data[str(found[0]["payload"])])
    return data[setup["election"]].rstrip("\n"), json.loads(data[setup["credentials"]])


def result_vectors(archive: bytes) -> list[list[int]]:
    data, found = events(archive)
    assert found[-1]["type"] == "Result"
    return json.loads(data[str(found[-1]["payload"])])["result"][0]
