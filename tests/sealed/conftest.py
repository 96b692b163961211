"""A Harmony assembly whose STAR votes are sealed (issue 16): three secretaries guard them,
any two decrypt; the helpers play each guardian's own computer with belenios-tool."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.test import Client

from folkmoot.accounts.actions import do_create_api_token
from folkmoot.accounts.models import User
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly
from folkmoot.governance.presets import preset_text
from folkmoot.offices.actions import do_appoint
from folkmoot.protocols.actions import do_adopt_protocol_version
from folkmoot.sealed.tool import ToolFailed, run
from tests.factories import UserFactory, make_assembly

GROUP = "--group=RFC-3526-2048"


@dataclass
class SealedWorld:
    assembly: Assembly
    guardians: list[User]
    voters: list[User]  # everyone in the electorate, the guardians included
    tokens: dict[int, str] = field(default_factory=dict)

    def api(self, user: User) -> dict[str, str]:
        if user.pk not in self.tokens:
            _token, raw = do_create_api_token(user=user, name="test")
            self.tokens[user.pk] = raw
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[user.pk]}"}

    def post(self, user: User, path: str, data: dict[str, Any]) -> Any:
        return Client().post(
            f"/api/v1{path}", data, content_type="application/json", **self.api(user)
        )

    def get(self, user: User | None, path: str) -> Any:
        return Client().get(f"/api/v1{path}", **(self.api(user) if user else {}))

    def hand_in(self, user: User, path: str, step: str, content: str) -> list[str]:
        """A shuffle or a decryption handed in (202: the worker checks it), then the worker's
        checks run; what each check came to ("kept", "refused")."""
        answer = self.post(user, f"{path}/guardian/{step}", {"content": content})
        assert answer.status_code == 202, answer.content
        assert answer.json()["my_step_checking"] == step and answer.json()["my_step"] == ""
        return run_checks()


def run_checks() -> list[str]:
    """What the worker does with the guardians' shuffles and decryptions handed in."""
    from folkmoot.sealed.handing import check_handed
    from folkmoot.sealed.models import HandedIn

    return [check_handed(h.pk, h.handed_at) for h in HandedIn.objects.order_by("handed_at")]


def sealed_protocol(prepare_hours: float = 1) -> str:
    doc = yaml.safe_load(preset_text("harmony"))
    doc["offices"]["secretary"]["seats"] = 3  # a guardians' office needs two seats at least
    doc["decision_kinds"]["star_vote"]["sealed"] = {
        "guardians": "secretary",
        "threshold": 2,
        "prepare_hours": prepare_hours,
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def build_sealed_world(voters: int = 30) -> SealedWorld:
    assembly = make_assembly("sealed-town", title="Sealed Town", newcomer_status="member")
    do_adopt_protocol_version(assembly=assembly, document=sealed_protocol(), actor=None)
    people = [UserFactory(display_name=f"Voter {i:02d}") for i in range(voters)]
    for person in people:
        actions.do_join(user=person, assembly=assembly)
    guardians = people[:3]
    for person in guardians:
        do_appoint(assembly=assembly, office_slug="secretary", holder=person, actor=None, seats=3)
    return SealedWorld(assembly, guardians, people)


def tool(directory: Path, *args: str, stdin: str = "") -> str:
    """belenios-tool in `directory`, as the server runs it (folkmoot.sealed.tool.run): a
    failure fails the test with the tool's own words."""
    try:
        return run(directory, *args, stdin=stdin)
    except ToolFailed as failed:
        raise AssertionError(f"belenios-tool {' '.join(args)}: {failed}") from failed


@dataclass
class GuardianDevice:
    """A guardian's own folder: their private .key file never leaves it."""

    directory: Path
    position: int = 0

    @property
    def key(self) -> str:
        [key] = self.directory.glob("*.key")
        return key.name

    def certificate(self) -> str:
        tool(self.directory, "setup", "generate-trustee-key-threshold", GROUP, "--step=1")
        [cert] = self.directory.glob("*.cert")
        return cert.read_text().strip()

    def polynomial(self, certificates: bytes, threshold: int) -> str:
        (self.directory / "certificates.jsons").write_bytes(certificates)
        return tool(
            self.directory,
            "setup",
            "generate-trustee-key-threshold",
            GROUP,
            "--certs=certificates.jsons",
            f"--key={self.key}",
            "--step=3",
            f"--threshold={threshold}",
        ).strip()

    def share(self, share_input: bytes) -> str:
        return tool(
            self.directory,
            "setup",
            "generate-trustee-key-threshold",
            GROUP,
            "--certs=certificates.jsons",
            f"--key={self.key}",
            "--step=5",
            stdin=share_input.decode(),
        ).strip()

    def _archive(self, name: str, archive: bytes) -> Path:
        folder = self.directory / "election"
        folder.mkdir(exist_ok=True)
        for old in folder.glob("*.bel"):
            old.unlink()
        (folder / name).write_bytes(archive)
        return folder

    def shuffle(self, name: str, archive: bytes) -> str:
        folder = self._archive(name, archive)
        return tool(folder, "election", "shuffle", f"--trustee-id={self.position}").strip()

    def decrypt(self, name: str, archive: bytes, decryption_key: bytes) -> str:
        folder = self._archive(name, archive)
        (folder / "decryption-key.json").write_bytes(decryption_key)
        return tool(
            folder,
            "election",
            "decrypt-threshold",
            f"--key={self.directory / self.key}",
            "--decryption-key=decryption-key.json",
            f"--trustee-id={self.position}",
        ).strip()


def tampered(shuffled: str) -> str:
    """A shuffle of other ciphertexts, still two lines of JSON owned by its guardian (the
    payload's hash made again): only belenios-tool's check of the whole archive finds it."""
    from folkmoot.sealed import belenios as bel

    data_line, owner_line = shuffled.splitlines()
    data = json.loads(data_line)
    data["ciphertexts"][0][0]["alpha"] = str(bel.G)
    bad = json.dumps(data, separators=(",", ":"))
    owned = json.loads(owner_line)
    owned["payload"] = hashlib.sha256(bad.encode()).hexdigest()
    return bad + "\n" + json.dumps(owned, separators=(",", ":"))
