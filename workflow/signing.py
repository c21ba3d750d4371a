"""The audit anchor's key: an Ed25519 key kept in a file outside the database.

The private key signs checkpoints (:mod:`workflow.checkpoints`); an HMAC key
derived from it (HKDF-SHA256) authenticates every audit event as it is
appended (:func:`workflow.audit.event_mac`). Whoever holds only the database
(its superuser included) can neither sign a checkpoint nor compute an event's
MAC. Auditors need only the public key, whose id (the first 16 hex digits of
the SHA-256 of its raw 32 bytes) every checkpoint names.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_MAC_INFO = b"party-audit event MAC v1"


class KeyFileError(Exception):
    """The key file is missing, unreadable or not an Ed25519 key."""


def key_id_of(public_raw: bytes) -> str:
    """The id checkpoints name a public key by."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


class PublicKey:
    """A checkpoint verifier: an Ed25519 public key and its id."""

    def __init__(self, key: Ed25519PublicKey):
        self._key = key
        self.raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = key_id_of(self.raw)

    def verify(self, message: bytes, signature_b64: str) -> bool:
        """True when ``signature_b64`` (standard base64) signs ``message``."""
        try:
            signature = base64.b64decode(signature_b64, validate=True)
            self._key.verify(signature, message)
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True

    def pem(self) -> str:
        """The public key as PEM (SubjectPublicKeyInfo), for auditors."""
        return self._key.public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


class SigningKey(PublicKey):
    """The private key: signs checkpoints and yields the event MAC key."""

    def __init__(self, private: Ed25519PrivateKey):
        super().__init__(private.public_key())
        self._private = private
        raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
        self.mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_MAC_INFO).derive(raw)

    def sign(self, message: bytes) -> str:
        """The Ed25519 signature of ``message``, standard base64."""
        return base64.b64encode(self._private.sign(message)).decode("ascii")

    def public(self) -> PublicKey:
        """The public half, as a verifier."""
        return PublicKey(self._private.public_key())


def generate(path: str | os.PathLike) -> SigningKey:
    """Create a new key file at ``path`` (mode 0600); refuses to overwrite one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return SigningKey(private)


def load(path: str | os.PathLike) -> SigningKey:
    """The signing key in the PEM file at ``path``. Raises :class:`KeyFileError`."""
    try:
        data = Path(path).read_bytes()
        private = serialization.load_pem_private_key(data, password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise KeyFileError(f"cannot read the audit signing key {path}: {exc}") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 private key")
    return SigningKey(private)


def load_or_generate(path: str | os.PathLike) -> SigningKey:
    """The key at ``path``, created first when the file does not exist."""
    try:
        return generate(path)
    except FileExistsError:
        return load(path)


def load_public(path: str | os.PathLike) -> PublicKey:
    """A public key from a PEM file holding either the public or the private key."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read {path}: {exc}") from exc
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        return load(path).public()
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} is not an Ed25519 public key")
    return PublicKey(key)
