"""Set Vietnamese translations in the catalog from a Python dict on stdin.

    python scripts/po_set.py < pairs.py     # {"English msgid": "Tiếng Việt", ...}
Prints the msgids still untranslated.
"""

import ast
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations/vi/LC_MESSAGES/messages.po"

pairs = ast.literal_eval(sys.stdin.read() or "{}")
with PO.open("rb") as fh:
    catalog = read_po(fh, locale="vi")
for msgid, msgstr in pairs.items():
    message = catalog.get(msgid)
    if message is None:
        print(f"not in catalog: {msgid!r}", file=sys.stderr)
        continue
    message.string = msgstr
    message.flags.discard("fuzzy")
with PO.open("wb") as fh:
    write_po(fh, catalog, width=0, omit_header=False, sort_output=True)
missing = [m.id for m in catalog if m.id and not m.string]
for m in missing:
    print(repr(m))
print(f"{len(missing)} untranslated", file=sys.stderr)
