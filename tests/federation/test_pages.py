"""ASM-1..5 on the pages people see, with query-count bounds that hold as data grows."""

import pytest
from django.urls import reverse

from folkmoot.federation import actions
from folkmoot.federation.models import Assembly, AssemblyType
from tests.conftest import World, client_for
from tests.factories import UserFactory, make_assembly


def test_assembly_page_shows_everything_decidim_shows(world: World):
    wg = world.working_group
    Assembly.objects.filter(pk=wg.pk).update(
        subtitle="Helping Harmony work (and play!)",
        description="We keep the constitution.",
        purpose_of_action="Records consensus.",
        composition="Everyone.",
        internal_organisation="Monthly moots.",
        remits="rules, regulations",
        secretary_elected=True,
    )
    html = client_for(None).get(wg.get_absolute_url()).content.decode()
    for text in (
        "Helping Harmony work (and play!)",
        "About this assembly",
        "We keep the constitution.",
        "Purpose of action",
        "Records consensus.",
        "Composition",
        "Internal organisation",
        "Monthly moots.",
        "Remits",
        "rules, regulations",
        "The secretary is elected.",
        f"HPUK-ASSE-2025-09-{wg.pk}",
        "Harmony",
    ):
        assert text in html, text


def test_federation_page_shows_general_secretaries_and_counts(world: World):
    html = client_for(None).get(world.federation.get_absolute_url()).content.decode()
    assert "General secretaries" in html
    assert "Sam" in html
    assert "2 members" in html and "1 participant" in html


def test_index_shows_the_tree_with_children_and_umbrellas(world: World):
    rec = make_assembly("rec", parent=world.federation, title="The Rec")
    actions.do_add_to_umbrella(member=rec, umbrella=world.working_group, actor=None)
    html = client_for(None).get(reverse("assembly-index")).content.decode()
    assert html.index("Harmony") < html.index("Working Group")
    assert "Member of" in html and "The Rec" in html


def test_index_filters_by_type_keeping_the_path_to_matches(world: World):
    region = make_assembly(
        "north", parent=world.federation, title="North Region", assembly_type=AssemblyType.REGION
    )
    make_assembly("town", parent=region, title="Townsville", assembly_type=AssemblyType.CITY)
    html = client_for(None).get(reverse("assembly-index"), {"type": "city"}).content.decode()
    assert "Townsville" in html and "North Region" in html
    assert "Working Group" not in html


def test_unknown_type_filter_shows_everything_rather_than_failing(world: World):
    response = client_for(None).get(reverse("assembly-index"), {"type": "martian"})
    assert response.status_code == 200
    assert "Working Group" in response.content.decode()


def test_reference_link_redirects_to_the_assembly(world: World):
    wg = world.working_group
    response = client_for(None).get(reverse("assembly-by-reference", args=[wg.reference]))
    assert response.status_code == 302 and response["Location"] == wg.get_absolute_url()
    assert (
        client_for(None)
        .get(reverse("assembly-by-reference", args=["HPUK-ASSE-2024-01-" + str(wg.pk)]))
        .status_code
        == 404
    )


def test_restricted_assembly_is_invisible_to_outsiders_and_visible_to_members(world: World):
    secret = make_assembly(
        "secret", parent=world.federation, title="Secret Circle", access_mode="restricted"
    )
    assert client_for(world.charlie).get(secret.get_absolute_url()).status_code == 404
    assert "Secret Circle" not in client_for(None).get(reverse("assembly-index")).content.decode()
    actions.do_join(user=world.alice, assembly=secret)
    assert client_for(world.alice).get(secret.get_absolute_url()).status_code == 200


def test_home_lists_every_federation(world: World):
    make_assembly("red15m", title="Asamblea RED15M", reference_prefix="RED15M")
    html = client_for(None).get("/").content.decode()
    assert "Harmony" in html and "Asamblea RED15M" in html


def _grow(world: World, n: int) -> None:
    for i in range(n):
        a = make_assembly(f"grown-{n}-{i}", parent=world.working_group)
        person = UserFactory()
        actions.do_join(user=person, assembly=world.federation)
        actions.do_join(user=person, assembly=a)


@pytest.mark.parametrize(
    "page", ["index", "detail", "home", "members", "profile", "requests", "api-list", "api-detail"]
)
def test_query_count_does_not_grow_with_assemblies_or_members(
    world: World, page: str, django_assert_max_num_queries
):
    url = {
        "index": reverse("assembly-index"),
        "detail": world.working_group.get_absolute_url(),
        "home": "/",
        "members": reverse("assembly-members", args=[world.federation.slug]),
        "profile": reverse("profile"),
        "requests": reverse("assembly-requests", args=[world.federation.slug]),
        "api-list": "/api/v1/assemblies",
        "api-detail": "/api/v1/assemblies/working-group",
    }[page]
    client = client_for(world.sam)
    _grow(world, 2)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    _grow(world, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
