"""The one way to redirect to a target that came with a request (``?next=``, a
form's ``next``): only a same-origin relative path is followed, anything else
goes to the home page.

Browsers "repair" a Location before following it: they drop tabs and line
breaks, read ``\\`` as ``/``, and take ``//host`` or ``/\\host`` as another
site. So a target is refused, not cleaned, when it holds any control or
whitespace character or a backslash, and it must start with exactly one ``/``
and parse with no scheme and no host. Its path must pass the same test once
percent-decoded (``/%2F/host`` is refused too), in case anything downstream
decodes it before redirecting again.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import redirect, url_for

MAX_TARGET = 2048


def _clean(text: str) -> bool:
    """No control, format, separator or whitespace character, no backslash."""
    return "\\" not in text and not any(
        ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in text
    )


def _is_local_path(text: str) -> bool:
    if not text.startswith("/") or text.startswith("//"):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def is_safe_target(target: object) -> bool:
    """True if ``target`` is a same-origin relative path (see the module)."""
    if not isinstance(target, str) or not 0 < len(target) <= MAX_TARGET:
        return False
    if not (_clean(target) and _is_local_path(target)):
        return False
    path = unquote(urlsplit(target).path)
    return _clean(path) and _is_local_path(path)


def safe_target(target: object, fallback: str | None = None) -> str:
    """``target`` if it is a same-origin relative path, else ``fallback``
    (default: the home page)."""
    if is_safe_target(target):
        return target
    return fallback if fallback is not None else url_for("main.index")


def safe_redirect(target: object, fallback: str | None = None):
    """A 302 to :func:`safe_target` of ``target``."""
    return redirect(safe_target(target, fallback))
