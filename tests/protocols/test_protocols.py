"""PRO-1..3 in the platform: versions per assembly, inheritance down the tree, adoption by
staff (browser and API), history and diffs, the `folkmoot protocol` command."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from folkmoot.audit.models import AuditEvent
from folkmoot.protocols.actions import do_adopt_protocol_version
from folkmoot.protocols.models import ProtocolVersion
from tests.api.test_assemblies_api import bearer, post
from tests.conftest import World, client_for
from tests.factories import UserFactory, make_assembly
from tests.governance.documents import as_yaml, document

DOC = as_yaml(document())
DOC2 = as_yaml(document(**{"offices.coordinator.seats": 7, "version": "2"}))
BROKEN = as_yaml(document(**{"offices.coordinator.seats": 0}))


@pytest.fixture
def adopted(world: World) -> ProtocolVersion:
    return do_adopt_protocol_version(
        assembly=world.federation, document=DOC, actor=None, decision_reference="REF-1"
    )


def test_the_assembly_page_links_the_protocol_in_force_inherited_from_the_federation(
    world: World, adopted
):
    html = client_for(None).get(world.working_group.get_absolute_url()).content.decode()
    assert "Tiny protocol" in html and "as adopted by Harmony" in html
    page = (
        client_for(None).get(f"/assemblies/{world.working_group.slug}/protocol/").content.decode()
    )
    assert "This assembly follows the protocol of Harmony." in page
    assert "<h3>Coordinator</h3>" in page and "Seats: 5" in page


def test_the_protocol_reads_in_spanish_with_its_spanish_names(world: World, adopted):
    page = (
        Client(HTTP_ACCEPT_LANGUAGE="es")
        .get(f"/assemblies/{world.federation.slug}/protocol/")
        .content.decode()
    )
    assert "Protocolo mínimo" in page and "Coordinador" in page and "Comunicados" in page


def test_an_assembly_with_no_protocol_says_so(world: World):
    page = client_for(None).get(f"/assemblies/{world.federation.slug}/protocol/").content.decode()
    assert "No protocol has been adopted" in page


def test_a_new_version_prevails_and_the_old_one_stays_readable_with_a_diff(world: World, adopted):
    do_adopt_protocol_version(assembly=world.federation, document=DOC2, actor=None)
    client = client_for(None)
    assert (
        "Seats: 7" in client.get(f"/assemblies/{world.federation.slug}/protocol/").content.decode()
    )
    old = client.get(f"/assemblies/{world.federation.slug}/protocol/versions/1/").content.decode()
    assert "Seats: 5" in old
    versions = client.get(
        f"/assemblies/{world.federation.slug}/protocol/versions/"
    ).content.decode()
    assert "v1" in versions and "v2" in versions and "REF-1" in versions
    diff = client.get(
        f"/assemblies/{world.federation.slug}/protocol/diff/?from=1&to=2"
    ).content.decode()
    assert "<del>-    seats: 5</del>" in diff and "<ins>+    seats: 7</ins>" in diff
    assert (
        client.get(f"/assemblies/{world.federation.slug}/protocol/diff/?from=1&to=9").status_code
        == 404
    )


def test_a_child_that_adopts_its_own_protocol_stops_inheriting(world: World, adopted):
    do_adopt_protocol_version(assembly=world.working_group, document=DOC2, actor=None)
    data = Client().get(f"/api/v1/assemblies/{world.working_group.slug}/protocol").json()
    assert (
        data["inherited_from"] is None and data["protocol"]["offices"]["coordinator"]["seats"] == 7
    )
    assert (
        Client()
        .get(f"/api/v1/assemblies/{world.federation.slug}/protocol")
        .json()["version"]["number"]
        == 1
    )


def test_staff_adopt_through_the_browser_and_a_broken_document_changes_nothing(
    world: World, adopted
):
    staff = UserFactory(is_staff=True)
    client = client_for(staff)
    url = f"/assemblies/{world.federation.slug}/protocol/adopt/"
    response = client.post(url, {"document": BROKEN})
    assert response.status_code == 200
    assert (
        "offices.coordinator.seats" in response.content.decode()
        and "must be ≥ 1" in response.content.decode()
    )
    assert ProtocolVersion.objects.filter(assembly=world.federation).count() == 1
    response = client.post(url, {"document": DOC2, "decision_reference": "REF-2"})
    assert response.status_code == 302
    assert ProtocolVersion.objects.filter(assembly=world.federation).count() == 2
    assert AuditEvent.objects.filter(verb="protocol.adopt", actor=staff).exists()


def test_problems_are_shown_in_the_readers_language(world: World):
    staff = UserFactory(is_staff=True, language="fr")
    response = client_for(staff).post(
        f"/assemblies/{world.federation.slug}/protocol/adopt/", {"document": BROKEN}
    )
    assert "doit être ≥ 1" in response.content.decode()


def test_members_cannot_adopt_directly(world: World):
    assert (
        client_for(world.sam)
        .get(f"/assemblies/{world.federation.slug}/protocol/adopt/")
        .status_code
        == 404
    )
    response = post(
        Client(),
        f"/api/v1/assemblies/{world.federation.slug}/protocol/versions",
        {"document": DOC},
        **bearer(world.sam),
    )
    assert (
        response.status_code == 403
        and response.json()["reasons"][0]["code"] == "adopt_by_amendment"
    )
    assert not ProtocolVersion.objects.exists()


def test_api_reads_json_text_and_versions(world: World, adopted):
    data = Client().get(f"/api/v1/assemblies/{world.working_group.slug}/protocol").json()
    assert data["inherited_from"] == "harmony" and data["version"]["decision_reference"] == "REF-1"
    text = Client().get(f"/api/v1/assemblies/{world.federation.slug}/protocol/text?lang=es")
    assert (
        text["Content-Type"].startswith("text/markdown")
        and "# Protocolo mínimo" in text.content.decode()
    )
    versions = Client().get(f"/api/v1/assemblies/{world.federation.slug}/protocol/versions").json()
    assert [v["number"] for v in versions] == [1]


def test_api_validates_a_document_and_names_the_problems(world: World):
    ok = post(Client(), "/api/v1/protocols/validate", {"document": DOC}).json()
    assert ok == {"valid": True, "problems": []}
    bad = post(
        Client(), "/api/v1/protocols/validate", {"document": BROKEN}, HTTP_ACCEPT_LANGUAGE="es"
    ).json()
    assert bad["valid"] is False
    assert bad["problems"] == [
        {
            "path": "offices.coordinator.seats",
            "code": "greater_than_equal",
            "message": "offices.coordinator.seats: debe ser ≥ 1",
        }
    ]


def test_staff_adopt_through_the_api(world: World):
    staff = UserFactory(is_staff=True)
    bad = post(
        Client(),
        f"/api/v1/assemblies/{world.federation.slug}/protocol/versions",
        {"document": BROKEN},
        **bearer(staff),
    )
    assert (
        bad.status_code == 422 and bad.json()["problems"][0]["path"] == "offices.coordinator.seats"
    )
    good = post(
        Client(),
        f"/api/v1/assemblies/{world.federation.slug}/protocol/versions",
        {"document": DOC, "decision_reference": "R"},
        **bearer(staff),
    )
    assert good.status_code == 201 and good.json()["number"] == 1


def test_versions_are_read_only_in_the_admin(world: World, adopted):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(admin)
    assert client.get("/admin/protocols/protocolversion/add/").status_code == 403
    assert (
        client.post(
            f"/admin/protocols/protocolversion/{adopted.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_protocol_page_query_count_is_bounded(world: World, adopted, django_assert_max_num_queries):
    for i in range(5):
        make_assembly(f"deep-{i}", parent=world.working_group)
    with django_assert_max_num_queries(8):
        assert (
            client_for(None).get(f"/assemblies/{world.working_group.slug}/protocol/").status_code
            == 200
        )


def command(*args: str) -> subprocess.CompletedProcess[str]:
    folkmoot = Path(sys.executable).parent / "folkmoot"
    return subprocess.run(
        [str(folkmoot), "protocol", *args], capture_output=True, text=True, check=False
    )


def test_protocol_check_exits_0_for_a_valid_file_and_2_naming_the_problems(tmp_path: Path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(DOC)
    bad.write_text(BROKEN)
    ok = command("check", str(good))
    assert ok.returncode == 0 and "is a valid protocol" in ok.stdout
    refused = command("check", str(bad))
    assert refused.returncode == 2 and "offices.coordinator.seats: must be ≥ 1" in refused.stderr
    refused_fr = command("check", str(bad), "--lang", "fr")
    assert "doit être ≥ 1" in refused_fr.stderr
    missing = command("check", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2


def test_protocol_render_prints_markdown_or_json(tmp_path: Path):
    source = tmp_path / "p.yaml"
    source.write_text(DOC)
    md = command("render", str(source), "--lang", "es")
    assert md.returncode == 0 and md.stdout.startswith("# Protocolo mínimo")
    data = json.loads(command("render", str(source), "--format", "json").stdout)
    assert data["offices"]["coordinator"]["seats"] == 5
