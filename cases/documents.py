"""Dossier documents: checked by content, stored content-addressed.

A document is accepted only if its bytes are a PDF, a JPEG or a PNG (the
``filetype`` library reads the magic numbers; the extension is ignored), it
is at most ``MAX_UPLOAD_MB``, and its name is a plain file name. Nothing is
written to disk before every check has passed. Files live under
``UPLOAD_DIR/ab/cd/<sha256>``, outside the web root, and are served only
through a view that checks the case's visibility.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype

ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class UploadRefused(ValueError):
    """A document failed a check; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "file"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CheckedFile:
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
    name = check_filename(filename, _)
    content = read_limited(stream, max_bytes, _)
    kind = filetype.guess(content)
    mime = kind.mime if kind is not None else None
    if mime not in ALLOWED_TYPES:
        raise UploadRefused(_("Only PDF, JPEG or PNG documents are accepted; this file's content is not one of them."))
    return CheckedFile(name, content, mime, hashlib.sha256(content).hexdigest())


def storage_path(upload_dir: str | os.PathLike, sha256: str) -> Path:
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
