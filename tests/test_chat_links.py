"""Issue 12: the assembly page offers only the chat rooms its reader may read."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from folkmoot.accounts.models import User


def signed_in(person: object) -> Client:
    client = Client()
    client.force_login(person)  # type: ignore[arg-type]
    return client


@pytest.mark.django_db
def test_chat_rooms_are_offered_only_to_those_who_may_read_them() -> None:
    """Issue 12: Harmony's Rec is for participants; a visitor and someone who belongs to
    nothing are not offered a link that only refuses them, a member is."""
    call_command("demo", stdout=io.StringIO())
    page = "/assemblies/harmony-party-uk/"
    room = "/assemblies/harmony-party-uk/chat/rec/"
    assert room not in Client().get(page).content.decode()
    frank = signed_in(User.objects.get(email="frank@folkmoot.example"))
    assert room not in frank.get(page).content.decode()
    alice = signed_in(User.objects.get(email="alice@folkmoot.example"))
    assert room in alice.get(page).content.decode()
    assert alice.get(room).status_code == 200
