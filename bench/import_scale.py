"""Benchmark: the bulk import of a district of the ``--scale`` shape (8,741
members, 71 grassroots organisations) into an empty SQLite database.

    python bench/import_scale.py [--members 8741] [--db /tmp/import_scale.db]

Generates the XLSX file (tests/import_files.py), builds an empty database from
the migrations, imports the file as ``flask registry import`` does (dry run
first, then the real run), imports it again (nothing may change) and prints one
JSON line: seconds for the file, the dry run, the import and the re-import, and
the counts. Exits non-zero if the import takes 60 s or more or the re-import
changes anything.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIMIT_SECONDS = 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=8741)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="import-scale-"))
    db_path = Path(args.db) if args.db else workdir / "import.db"
    db_path.unlink(missing_ok=True)

    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from cases.imports import run_import
    from core.models import Certificate, Person, Post, Unit
    from core.schema import upgrade
    from tests.import_files import district_workbook
    from workflow.models import AuditEvent

    started = time.perf_counter()
    data = district_workbook(args.members)
    t_file = time.perf_counter() - started
    url = f"sqlite:///{db_path}"
    engine = sa.create_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_DIR": str(workdir / "uploads"), "CLOCK_FILE": ""})
    with app.test_request_context():
        started = time.perf_counter()
        dry = run_import(db.session, None, data, filename="district.xlsx", dry_run=True)
        db.session.rollback()
        t_dry = time.perf_counter() - started
        started = time.perf_counter()
        first = run_import(db.session, None, data, filename="district.xlsx")
        db.session.commit()
        t_import = time.perf_counter() - started

        def counts():
            return {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                    for name, model in (("units", Unit), ("people", Person), ("posts", Post),
                                        ("certificates", Certificate), ("audit_events", AuditEvent))}

        after_first = counts()
        started = time.perf_counter()
        again = run_import(db.session, None, data, filename="district.xlsx")
        db.session.commit()
        t_again = time.perf_counter() - started
        after_again = counts()
    result = {"members": args.members, "file_bytes": len(data), "seconds_file": round(t_file, 2),
              "seconds_dry_run": round(t_dry, 2), "seconds_import": round(t_import, 2),
              "seconds_reimport": round(t_again, 2), "errors": len(first.errors) + len(dry.errors),
              "created": first.created, "reimport": again.as_json() | {"errors": len(again.errors)},
              "counts": after_first, "unchanged_by_reimport": after_first == after_again}
    print(json.dumps(result, ensure_ascii=False))
    ok = (not first.errors and t_import < LIMIT_SECONDS and after_first == after_again
          and again.created == again.updated == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
