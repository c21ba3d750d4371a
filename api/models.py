"""API tokens: only a SHA-256 of the secret is stored."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models import User, utcnow
from core import clock


class ApiToken(Base):
    """A bearer token of a user. The secret is shown once; ``token_hash`` is
    ``sha256(secret)`` in hex, so a leaked table does not leak tokens."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[Optional[dt.datetime]]
    revoked_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    last_used_at: Mapped[Optional[dt.datetime]]

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def is_valid(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


@sa.event.listens_for(User, "before_update")
def _end_tokens_with_the_credentials(mapper, connection, user: User) -> None:
    """Disabling an account or changing its password ends its API tokens, as it
    ends its login sessions: they are revoked in the same transaction, so
    enabling the account again does not bring them back. (A logout ends the
    browser sessions only; tokens have their own lifetime and revocation.)"""
    state = sa.inspect(user)
    disabled = state.attrs.active.history.has_changes() and not user.active
    if not (disabled or state.attrs.password_hash.history.has_changes()):
        return
    table = ApiToken.__table__
    connection.execute(sa.update(table).where(table.c.user_id == user.id, table.c.revoked_at.is_(None))
                       .values(revoked_at=clock.now()))
