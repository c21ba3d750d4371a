"""Tables shared by the processes: dossier documents."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models import utcnow

# Dossier document kinds (mẫu hồ sơ kết nạp 1-KNĐ ... 16-KNĐ, and others).
ADMISSION_KINDS = tuple(f"{n}-KNĐ" for n in range(1, 17))
OTHER_KINDS = ("certificate", "consent", "evidence", "decision", "appeal", "other")
DOCUMENT_KINDS = ADMISSION_KINDS + OTHER_KINDS
# Kinds a case collects several of (a discipline report's evidence, other papers).
# An upload of any other kind supersedes the earlier upload of its kind (DOMAIN
# "Admission": documents are never deleted; the rules read the latest of each kind).
ACCUMULATING_KINDS = ("evidence", "other")


class Document(Base):
    """A file on a case, stored content-addressed outside the web root."""

    __tablename__ = "document"
    __table_args__ = (sa.Index("ix_document_case_kind", "case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("wf_case.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    # The date written on the document (it must be fresh at the branch vote).
    issued_on: Mapped[dt.date]
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
