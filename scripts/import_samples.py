"""Write the import files of docs/: the template (the headers and one example
row, XLSX and CSV) and the sample built from the demo's thôn Trung (its units
from the top of the tree, its 16 people, posts and certificates).

    python scripts/import_samples.py
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE_UNITS = [["Tỉnh ủy Nam Định / Huyện ủy Nghĩa Hưng / Đảng ủy xã Phúc Thắng / Chi bộ thôn Trung", "Chi bộ",
                  "", "", "", ""]]
EXAMPLE_PERSON = ["Nguyễn Văn An", dt.date(1980, 5, 17), "Nam", "036080000001", "Kinh", "Trung học phổ thông",
                  "Thôn Trung, xã Phúc Thắng, huyện Nghĩa Hưng, Nam Định",
                  "Tỉnh ủy Nam Định / Huyện ủy Nghĩa Hưng / Đảng ủy xã Phúc Thắng / Chi bộ thôn Trung",
                  "Đảng viên chính thức", dt.date(2005, 3, 2), dt.date(2006, 3, 2), "36000123",
                  "Bí thư chi bộ | 01/08/2025 | | Tỉnh ủy Nam Định / Huyện ủy Nghĩa Hưng / Đảng ủy xã Phúc Thắng / "
                  "Chi bộ thôn Trung", "", None, ""]


def main() -> None:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from cases.exports import export_unit
    from cases.record_columns import PEOPLE_COLUMNS, PEOPLE_SHEET, UNIT_COLUMNS, UNITS_SHEET
    from cases.spreadsheet import csv_text, write_workbook
    from core.demo import load_demo
    from core.models import Unit
    from core.schema import upgrade

    docs = ROOT / "docs"
    people_headers = [h for _k, h in PEOPLE_COLUMNS]
    (docs / "import-template.xlsx").write_bytes(write_workbook([
        (UNITS_SHEET, [h for _k, h in UNIT_COLUMNS], EXAMPLE_UNITS),
        (PEOPLE_SHEET, people_headers, [EXAMPLE_PERSON])]))
    (docs / "import-template.csv").write_text("\ufeff" + csv_text(people_headers, [EXAMPLE_PERSON]), encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        engine = upgrade(f"sqlite:///{tmp}/demo.db")
        with Session(engine) as session:
            load_demo(session)
            session.commit()
            trung = session.scalar(sa.select(Unit).where(Unit.name == "Chi bộ thôn Trung"))
            (docs / "import-sample-thon-trung.xlsx").write_bytes(export_unit(session, None, trung))
        engine.dispose()
    print("wrote docs/import-template.xlsx, docs/import-template.csv, docs/import-sample-thon-trung.xlsx")


if __name__ == "__main__":
    main()
