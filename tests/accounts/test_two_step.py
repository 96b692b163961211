"""Issue 13, "Sign-in": passkeys and authenticator apps (allauth.mfa), required for staff
and for holders of offices with the powers the protocol names (the presets: moderate and
launch votes), after a grace the protocol gives; the API is not blocked."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.utils import timezone

from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.forums.conftest import Red15m, build_red15m


@pytest.fixture
def red(db: None, settings: Any) -> Red15m:
    settings.FOLKMOOT_TWO_STEP_ENFORCED = True
    return build_red15m()


@pytest.fixture(autouse=True)
def enforced(settings: Any) -> None:
    settings.FOLKMOOT_TWO_STEP_ENFORCED = True


def test_a_coordinator_is_reminded_then_led_to_add_a_second_step(red: Red15m) -> None:
    page = html.unescape(client_for(red.coordinator).get("/assemblies/red15m/").content.decode())
    assert "Your office asks you to sign in with a second step from" in page
    assert "/accounts/2fa/" in page
    later = timezone.now() + timedelta(days=15)
    with time_machine.travel(later):
        coordinator = client_for(red.coordinator)
        blocked = coordinator.get("/assemblies/red15m/")
        assert blocked.status_code == 302 and blocked["Location"] == "/accounts/2fa/"
        assert coordinator.get("/accounts/2fa/").status_code == 200
        # Programs keep working: their tokens were made while signed in.
        assert Client().get("/api/v1/me", **bearer(red.coordinator)).status_code == 200
        # The browser session cannot act through the API instead.
        api = coordinator.post(
            "/api/v1/assemblies/red15m/sanctions", "{}", content_type="application/json"
        )
        assert api.status_code == 403 and api.json()["reasons"][0]["code"] == "two_step_needed"
        TOTP.activate(red.coordinator, generate_totp_secret())
        assert client_for(red.coordinator).get("/assemblies/red15m/").status_code == 200


def test_a_citizen_without_such_powers_is_never_asked(red: Red15m) -> None:
    with time_machine.travel(timezone.now() + timedelta(days=60)):
        page = client_for(red.citizen).get("/assemblies/red15m/")
        assert page.status_code == 200 and "second step" not in page.content.decode()


def test_staff_are_asked_two_weeks_after_joining(db: None) -> None:
    staff = UserFactory(is_staff=True)
    assert client_for(staff).get("/assemblies/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert client_for(staff).get("/assemblies/")["Location"] == "/accounts/2fa/"


def test_the_protocol_says_who_needs_a_second_step(red: Red15m) -> None:
    page = html.unescape(Client().get("/assemblies/red15m/protocol/").content.decode())
    assert "sign in with a second step" in page and "14 days after taking office" in page
