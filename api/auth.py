"""Bearer tokens for the API: issue, authenticate, revoke.

A token is 32 random bytes (URL-safe text) shown once to its owner; the
database keeps only ``sha256(token)``. Tokens expire after
``API_TOKEN_HOURS`` and an admin may revoke them (API or ``flask api
revoke-tokens``). The token's user then acts with exactly their role
assignments, as on the pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.models import User
from core import clock

from .models import ApiToken


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(session: Session, user: User, hours: int) -> tuple[str, ApiToken]:
    """Create a token for ``user``; returns the secret (shown once) and its row."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(user_id=user.id, token_hash=hash_token(secret), created_at=now,
                     expires_at=now + dt.timedelta(hours=hours))
    session.add(token)
    session.flush()
    return secret, token


def user_for_token(session: Session, secret: str) -> User | None:
    """The active user of a valid (unexpired, unrevoked) token, or None."""
    if not secret or len(secret) > 200:
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or not token.is_valid(clock.now()):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    return user


def revoke_tokens(session: Session, username: str, by: User | None = None) -> int | None:
    """Revoke every live token of ``username``; the count, or None if no such user."""
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        return None
    now = clock.now()
    result = session.execute(sa.update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
    ).values(revoked_at=now, revoked_by_id=by.id if by is not None else None))
    return result.rowcount
