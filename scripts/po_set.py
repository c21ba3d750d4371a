"""Set Vietnamese translations in the catalog from Python dict literals.

    python scripts/po_set.py < pairs.py          # {"English msgid": "Tiếng Việt", ...}
    python scripts/po_set.py translations/pending/*.py
Prints the msgids still untranslated (to stdout) and their count (to stderr).
"""

import ast
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations/vi/LC_MESSAGES/messages.po"

pairs = {}
if len(sys.argv) > 1:
    for name in sys.argv[1:]:
        pairs.update(ast.literal_eval(Path(name).read_text(encoding="utf-8") or "{}"))
else:
    pairs = ast.literal_eval(sys.stdin.read() or "{}")
with PO.open("rb") as fh:
    catalog = read_po(fh, locale="vi")
for msgid, msgstr in pairs.items():
    message = catalog.get(msgid)
    if message is None:
        continue  # not (or no longer) in the code
    message.string = msgstr
    message.flags.discard("fuzzy")
with PO.open("wb") as fh:
    write_po(fh, catalog, width=0, omit_header=False, sort_output=True)
missing = [m.id for m in catalog if m.id and not m.string]
for m in missing:
    print(repr(m))
print(f"{len(missing)} untranslated", file=sys.stderr)
