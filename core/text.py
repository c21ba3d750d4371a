"""Text helpers: folding Vietnamese names for accent-insensitive search."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower-case, strip Vietnamese diacritics and collapse spaces.

    ``fold("Nguyễn Văn Ân") == "nguyen van an"``. ``đ`` is a letter of its own,
    not a combining mark, so it is mapped by hand.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return " ".join(stripped.lower().split())
