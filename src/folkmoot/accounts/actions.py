from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.refusals import NotFound
from folkmoot.statements import Statement

from .models import ApiToken, RevokedBecause, User, hash_token


@transaction.atomic
def do_update_profile(*, user: User, changes: dict[str, Any]) -> User:
    """`changes` may carry "consent": True, given with the attributes it covers. Removing
    every attribute withdraws the consent (its date goes)."""
    changes = dict(changes)
    consent = changes.pop("consent", False)
    if "attributes" in changes:
        if not changes["attributes"]:
            changes["attributes_consented_at"] = None
        elif consent and user.attributes_consented_at is None:
            changes["attributes_consented_at"] = timezone.now()
    for field, value in changes.items():
        setattr(user, field, value)
    user.save(update_fields=list(changes))
    record("profile.update", actor=user, subject=user, fields=sorted(changes))
    return user


@transaction.atomic
def do_create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its raw value, which is shown once and never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:8])
    record("api_token.create", actor=user, subject=token)
    return token, raw


def access_api_token(user: User, token_id: int) -> ApiToken:
    try:
        return ApiToken.objects.active().get(pk=token_id, user=user)
    except ApiToken.DoesNotExist as missing:
        raise NotFound(token_id) from missing


@transaction.atomic
def do_revoke_api_token(*, token: ApiToken, actor: User) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record("api_token.revoke", actor=actor, subject=token)
    return token


@transaction.atomic
def do_secure_after_password_change(*, user: User, how: str) -> int:
    """A new password is a fresh start (issue 10): every API token made before it stops
    working. Other browser sessions end by themselves: each carries a hash of the old
    password, which Django checks on every request (and the chat socket before every
    message). `how` is "change", "set" or "reset". Returns how many tokens were revoked."""
    revoked = (
        ApiToken.objects.active()
        .filter(user=user)
        .update(revoked_at=timezone.now(), revoked_because=RevokedBecause.PASSWORD)
    )
    record("account.password_" + how, actor=user, subject=user, tokens_revoked=revoked)
    return revoked


def _token_holder(_variant: None, *, key_hash: str) -> Any:
    # One join to the token (filter and annotations in one call share it); "not revoked" is
    # ApiToken.objects.active()'s condition.
    return User.objects.filter(
        is_active=True, api_tokens__key_hash=key_hash, api_tokens__revoked_at__isnull=True
    ).annotate(token_id=F("api_tokens__id"), token_used_at=F("api_tokens__last_used_at"))


# Every API call with a bearer token runs this: compiled once (folkmoot.statements).
_TOKEN_HOLDER = Statement(User, _token_holder, key_hash=str)


def authenticate_token(raw: str) -> User | None:
    found = _TOKEN_HOLDER.run(key_hash=hash_token(raw))
    if not found:
        return None
    user = found[0]
    _note_use(user.token_id, user.token_used_at)
    return user


# `last_used_at` tells the owner whether a token is still in use, not each request: written
# at most once a minute, so a busy client does not write a row on every call (issue 11).
TOKEN_USE_PRECISION = timedelta(seconds=60)


def _note_use(token_id: int, last_used_at: Any) -> None:
    now = timezone.now()
    stale = now - TOKEN_USE_PRECISION
    if last_used_at is not None and last_used_at >= stale:
        return
    # Conditional, so that parallel requests with the same token write it once.
    ApiToken.objects.filter(pk=token_id).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
    ).update(last_used_at=now)
