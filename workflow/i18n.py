"""A pluggable translator for the engine's user-facing messages.

The engine knows nothing of Flask: its messages are English msgids passed
through :func:`gettext`. By default that is the identity (with ``%(name)s``
interpolation); the web app plugs in ``flask_babel.gettext`` with
:func:`set_translator`. :func:`lazy_gettext`-style deferral is not needed:
messages are translated when an error is raised, inside the request.
"""

from __future__ import annotations

from typing import Callable

Translator = Callable[..., str]


def _identity(msgid: str, **variables) -> str:
    return msgid % variables if variables else msgid


_translator: Translator = _identity


def set_translator(fn: Translator | None) -> None:
    """Use ``fn(msgid, **variables) -> str`` (e.g. ``flask_babel.gettext``)."""
    global _translator
    _translator = fn or _identity


def gettext(msgid: str, **variables) -> str:
    return _translator(msgid, **variables)


_ = gettext
