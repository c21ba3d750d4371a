"""Dossier documents: checked by content, stored content-addressed.

A document is accepted only if its bytes are a PDF, a JPEG or a PNG (the
``filetype`` library reads the magic numbers; the extension is ignored), it
is at most ``MAX_UPLOAD_MB``, and its name is a plain file name. Nothing is
written to disk before every check has passed. Files live under
``UPLOAD_DIR/ab/cd/<sha256>``, outside the web root, and are served only
through a view that checks the case's visibility. Adding and downloading a
document writes an audit event of the case (``engine.record``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import filetype
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import clock
from core.permissions import can_upload
from workflow import access, engine
from workflow.errors import NotPermitted
from workflow.i18n import _
from workflow.models import Case

from .models import ACCUMULATING_KINDS, DOCUMENT_KINDS, Document
from .queries import NotFound, get_case

ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class UploadRefused(ValueError):
    """A document failed a check; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "file"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check: its name, bytes, detected type and SHA-256."""
    filename: str
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def check_filename(name: str | None, _) -> str:
    """Refuse names that are paths or hold control characters."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise UploadRefused(_("Choose a file to upload."))
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise UploadRefused(_("The file name “%(name)s” is not allowed: it must not contain “/”, “\\” or “..”.",
                              name=name))
    if any(unicodedata.category(ch).startswith("C") for ch in name) or len(name) > 200:
        raise UploadRefused(_("The file name is not allowed: use at most 200 printable characters."))
    return name


def read_limited(stream, max_bytes: int, _) -> bytes:
    """Read at most ``max_bytes``; refuse a larger file without keeping it."""
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise UploadRefused(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    if not content:
        raise UploadRefused(_("The file is empty."))
    return content


def check_upload(filename: str | None, stream, max_bytes: int, _) -> CheckedFile:
    """Check the name, size and content type (PDF, JPEG, PNG) of an upload; :class:`UploadRefused` if one fails."""
    name = check_filename(filename, _)
    content = read_limited(stream, max_bytes, _)
    kind = filetype.guess(content)
    mime = kind.mime if kind is not None else None
    if mime not in ALLOWED_TYPES:
        raise UploadRefused(_("Only PDF, JPEG or PNG documents are accepted; this file's content is not one of them."))
    return CheckedFile(name, content, mime, hashlib.sha256(content).hexdigest())


def storage_path(upload_dir: str | os.PathLike, sha256: str) -> Path:
    """Where the file of that SHA-256 lives: ``upload_dir/ab/cd/<sha256>``."""
    return Path(upload_dir) / sha256[:2] / sha256[2:4] / sha256


def store(upload_dir: str | os.PathLike, checked: CheckedFile) -> Path:
    """Write the bytes once (same content, same file); atomic."""
    target = storage_path(upload_dir, checked.sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(checked.content)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


# ---- the documents of a case ---------------------------------------------------------------------

def add_document(session: Session, user, case: Case, *, kind: str, filename: str | None, stream,
                 issued_on: dt.date | None, upload_dir: str, max_bytes: int,
                 request_id: str | None = None) -> Document:
    """Check, store and record an upload (``stream`` None: no file was sent).

    ``issued_on`` is the date on the document (default today). Raises
    ``NotPermitted`` if the user may not add documents to the case, and
    :class:`UploadRefused` (with the form field at fault) for an unknown kind, a
    future date, or a file that fails :func:`check_upload`.
    """
    if not can_upload(session, user, case, acts_now=bool(access.available_actions(session, case.id, user))):
        raise NotPermitted(_("You may not add documents to this case."))
    if kind not in DOCUMENT_KINDS:
        raise UploadRefused(_("Unknown document kind “%(kind)s”.", kind=kind), field="kind")
    issued_on = issued_on or clock.today()
    if issued_on > clock.today():
        raise UploadRefused(_("The document date %(date)s is in the future.", date=issued_on.strftime("%d/%m/%Y")),
                            field="issued_on")
    # Nothing touches the disk before this passes.
    checked = check_upload(filename, stream if stream is not None else io.BytesIO(), max_bytes, _)
    return file_document(session, user, case, kind, checked, issued_on, upload_dir, "upload_document", request_id)


def file_document(session: Session, user, case: Case, kind: str, checked: CheckedFile, issued_on: dt.date,
                  upload_dir: str, action: str, request_id: str | None = None, extra: dict | None = None) -> Document:
    """Store checked bytes as a document of ``case`` and append the audit event
    ``action`` (``upload_document``, or ``print_document`` for a generated form) with
    its id, kind, name, size and SHA-256 (``extra`` added); the engine's ``record``
    commits. The earlier document of the kind (not of an accumulating kind) stays,
    superseded: the event names it (``supersedes``). The caller has authorised ``user``."""
    previous = None if kind in ACCUMULATING_KINDS else session.scalar(
        sa.select(sa.func.max(Document.id)).where(Document.case_id == case.id, Document.kind == kind))
    doc = Document(case_id=case.id, kind=kind, filename=checked.filename, content_type=checked.content_type,
                   size=checked.size, sha256=checked.sha256, issued_on=issued_on, uploaded_by_id=user.id,
                   uploaded_at=clock.now())
    session.add(doc)
    session.flush()
    store(upload_dir, checked)
    event = {"document_id": doc.id, "kind": kind, "filename": checked.filename, "size": checked.size,
             "sha256": checked.sha256, "content_type": checked.content_type, "issued_on": issued_on.isoformat(),
             **(extra or {})}
    if previous is not None:
        event["supersedes"] = previous  # that document stays in the case, marked superseded
    engine.record(session, case.id, action, user, event, request_id=request_id)
    return doc


def get_document(session: Session, user, case_id: int, doc_id: int) -> tuple[Case, Document]:
    """The case and its document ``doc_id``; :class:`cases.queries.NotFound` if either is
    absent or outside the user's scope, or the document belongs to another case."""
    case = get_case(session, user, case_id)
    doc = session.get(Document, doc_id)
    if doc is None or doc.case_id != case.id:
        raise NotFound(doc_id)
    return case, doc


def open_document(session: Session, user, case: Case, doc: Document, upload_dir: str,
                  request_id: str | None = None) -> Path:
    """Audit the download and return the file's path (which may be missing on disk)."""
    engine.record(session, case.id, "download_document", user,
                  {"document_id": doc.id, "kind": doc.kind, "sha256": doc.sha256}, request_id=request_id)
    return storage_path(upload_dir, doc.sha256)


def documents_of(session: Session, case: Case) -> list[Document]:
    """Every document of the case, superseded ones included, by kind, then in upload order."""
    return list(session.scalars(sa.select(Document).where(Document.case_id == case.id)
                                .order_by(Document.kind, Document.id)))


# ---- supersession: documents are never deleted, a newer upload of a kind replaces the older --------

def superseded_by(documents: Iterable) -> dict[int, int]:
    """``{id: id of the upload that superseded it}``: each upload of a kind is
    superseded by the next upload of that kind (by upload order), except the
    kinds a case collects several of (:data:`~cases.models.ACCUMULATING_KINDS`)."""
    last: dict[str, int] = {}
    out: dict[int, int] = {}
    for doc in sorted(documents, key=lambda doc: doc.id):
        if doc.kind in ACCUMULATING_KINDS:
            continue
        if doc.kind in last:
            out[last[doc.kind]] = doc.id
        last[doc.kind] = doc.id
    return out


def current_documents(documents: Iterable) -> list:
    """The documents the rules read: the latest upload of each kind (every one of
    an accumulating kind), in the order given."""
    documents = list(documents)
    gone = superseded_by(documents)
    return [doc for doc in documents if doc.id not in gone]
