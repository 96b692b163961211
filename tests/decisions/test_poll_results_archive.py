"""FOR-3, RED15M art. 2 (issue 15): "Los sondeos irán, directamente, a Historias durante dos
(2) meses... Más adelante se desecharán en la papelera." A poll's result is posted straight
to History, stays there two months and then is in the Trash, as the forum pages show,
computed from time (no job moves it)."""

from __future__ import annotations

import html
from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.models import Proposal, Vote
from folkmoot.forums.models import Thread
from tests.conftest import client_for
from tests.decisions.conftest import RedVoting


def test_a_polls_result_stays_in_history_two_months_then_goes_to_the_trash(
    voting: RedVoting,
) -> None:
    made = client_for(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "poll",
            "title": "Tea or coffee at the assembly?",
            "body": "Asking.",
            "options": "Tea\nCoffee",
            "simple_question": "1",
        },
    )
    assert made.status_code == 302
    poll = Proposal.objects.get()
    coordinator = client_for(voting.coordinators[0])
    coordinator.post(f"/decisions/{poll.pk}/validate/")  # art. 7.1: no supports to wait for
    coordinator.post(f"/decisions/{poll.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get(proposal=poll)
    for person in voting.citizens[:5]:
        client_for(person).post(f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"})

    history = f"/assemblies/{voting.assembly.slug}/forums/history/"
    trash = f"/assemblies/{voting.assembly.slug}/forums/trash/"
    closed = timezone.now() + timedelta(days=7, minutes=5)
    with time_machine.travel(closed):
        Client().get(f"/votes/{vote.pk}/")  # the first read after the close publishes it
        result = Thread.objects.get(forum_key="history")
        assert result.title == poll.title
        assert not Thread.objects.filter(forum_key="approved").exists()
        assert poll.title in html.unescape(Client().get(history).content.decode())
    with time_machine.travel(closed + timedelta(days=59)):
        assert poll.title in html.unescape(Client().get(history).content.decode())
        assert poll.title not in html.unescape(Client().get(trash).content.decode())
    with time_machine.travel(closed + timedelta(days=61)):
        assert poll.title not in html.unescape(Client().get(history).content.decode())
        assert poll.title in html.unescape(Client().get(trash).content.decode())
