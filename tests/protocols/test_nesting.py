"""Issue 10 (part 4): deeply nested or exploding documents are refused with a clear message —
422 in the API, exit 2 on the command line — instead of a RecursionError (a 500 with a huge
traceback, anonymously) or a parser that eats the machine. Nothing is stored."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from folkmoot.chat.models import ChatMessage
from folkmoot.governance.nesting import MAX_DEPTH
from folkmoot.governance.protocol import ProtocolInvalid, load_protocol
from folkmoot.protocols.models import ProtocolVersion
from tests.api.test_assemblies_api import bearer, post
from tests.conftest import World
from tests.factories import UserFactory
from tests.forums.conftest import build_red15m
from tests.governance.documents import as_yaml, document

DEEP = "[" * 20000
DEEP_CLOSED = "a: " + "[" * 5000 + "]" * 5000
# Seven anchors of ten uses each: ten million values once expanded, in a few hundred bytes.
LAUGHS = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 7)
)
TOO_DEEP = f"(document): is nested too deeply: at most {MAX_DEPTH} levels are allowed"


@pytest.mark.parametrize("text", [DEEP, DEEP_CLOSED, "- " * 20000 + "x", "&a [*a]"])
def test_the_core_reports_a_deep_document_as_a_problem(text: str) -> None:
    with pytest.raises(ProtocolInvalid) as invalid:
        load_protocol(text)
    assert [p.code for p in invalid.value.problems] == ["too_deep"]
    assert invalid.value.problems[0].render() == TOO_DEEP


def test_the_core_reports_anchors_that_explode() -> None:
    with pytest.raises(ProtocolInvalid) as invalid:
        load_protocol(LAUGHS)
    assert [p.code for p in invalid.value.problems] == ["too_large"]


def test_the_presets_stay_well_within_the_limits() -> None:
    from folkmoot.governance.presets import PRESETS, preset_text

    for preset in PRESETS:
        load_protocol(preset_text(preset))


@pytest.mark.django_db
@pytest.mark.parametrize("text", [DEEP, DEEP_CLOSED, LAUGHS])
def test_validating_a_deep_document_answers_422_anonymously(text: str) -> None:
    response = post(
        Client(raise_request_exception=False), "/api/v1/protocols/validate", {"document": text}
    )
    assert response.status_code == 422, response.content[:200]
    body = response.json()
    assert body["valid"] is False and body["problems"][0]["code"] in ("too_deep", "too_large")
    assert "Traceback" not in response.content.decode()


def test_adopting_a_deep_document_is_refused_and_stores_nothing(world: World) -> None:
    staff = UserFactory(is_staff=True)
    response = post(
        Client(raise_request_exception=False),
        f"/api/v1/assemblies/{world.federation.slug}/protocol/versions",
        {"document": DEEP, "decision_reference": "R"},
        **bearer(staff),
    )
    assert response.status_code == 422 and response.json()["problems"][0]["code"] == "too_deep"
    assert not ProtocolVersion.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        '{"document": ' + "[" * 20000 + "]" * 20000 + "}",  # json itself gives up
        "[" * 20000,
        '{"document": ' + "[" * 3000 + "]" * 3000 + "}",  # parsed, then validated
    ],
)
def test_a_deeply_nested_request_body_is_a_422(body: str) -> None:
    response = Client(raise_request_exception=False).post(
        "/api/v1/protocols/validate", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content[:200]
    assert response.json()["errors"][0]["field"] in ("body", "document")


@pytest.mark.django_db
def test_a_deeply_nested_chat_message_is_a_422() -> None:
    """A signed-in caller's body: the same answer, and no message is stored."""
    red = build_red15m()
    body = '{"body": ' + "[" * 3000 + "]" * 3000 + "}"
    response = Client(raise_request_exception=False).post(
        "/api/v1/assemblies/red15m/chat/plaza/messages",
        body,
        content_type="application/json",
        **bearer(red.citizen),
    )
    assert response.status_code == 422, response.content[:200]
    assert response.json()["errors"][0]["field"] == "body"
    assert not ChatMessage.objects.exists()


def command(*args: str) -> subprocess.CompletedProcess[str]:
    folkmoot = Path(sys.executable).parent / "folkmoot"
    return subprocess.run(
        [str(folkmoot), "protocol", *args], capture_output=True, text=True, check=False
    )


def test_protocol_check_exits_2_naming_the_nesting(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text(DEEP)
    refused = command("check", str(deep))
    assert refused.returncode == 2
    assert TOO_DEEP in refused.stderr and "Traceback" not in refused.stderr
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text(LAUGHS)
    refused = command("check", str(laughs))
    assert refused.returncode == 2 and "is too large" in refused.stderr


def test_a_valid_document_still_passes(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(as_yaml(document()))
    assert command("check", str(good)).returncode == 0
    assert json.loads(json.dumps(load_protocol(as_yaml(document())).model_dump(mode="json")))
