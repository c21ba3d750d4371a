"""Every message a person can read has a Vietnamese translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "_n": (1, 2)}
METHODS = [("**/tests/**", "ignore"), ("**/.venv/**", "ignore"), ("**/var/**", "ignore"), ("**/bench/**", "ignore"),
           ("**.py", "python"), ("**/templates/**.html", "jinja2")]


def _extracted() -> set[str]:
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in ids if m}


def test_i18n__every_message_in_the_code_is_translated_to_vietnamese():
    with (ROOT / "translations/vi/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    translated = {}
    for m in catalog:
        if not m.id:
            continue
        key = m.id[0] if isinstance(m.id, tuple) else m.id
        value = m.string if isinstance(m.string, str) else (m.string[0] if m.string else "")
        translated[key] = value
    extracted = _extracted()
    assert len(extracted) > 300  # the extraction really read the code and templates
    missing = sorted(m for m in extracted if not translated.get(m))
    assert missing == [], f"{len(missing)} messages without Vietnamese: {missing[:10]}"
