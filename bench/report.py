"""Benchmark: the summary report of a province over the ``--scale`` district (issue 15).

    python bench/report.py --db /tmp/report.db [--runs 30]
    python bench/report.py --db postgresql://postgres@127.0.0.1:5432/bench_report

A fresh database (built by the migrations) gets the demo (``flask demo load``)
and the Nghĩa Hưng-sized district of ``flask demo load --scale`` (71 grassroots
organisations, 8,741 members), then a year of discipline driven through the
engine into it, shaped like Tiền Hải's (147 cases: 107 reprimands, 11 warnings,
6 dismissals, 23 expulsions; ``tests/report_year.py``). Then, timed through the
app's WSGI stack (Flask's test client, a bearer token), ``--runs`` times each:
the province standing member's ``GET /api/v1/reports/summary`` for the province
and for the district, the reports page (HTML) and its XLSX. Checks the figures
and prints one JSON line of p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace as NS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="SQLite file or PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    url = args.db or f"sqlite:///{work / 'report.db'}"
    if "://" not in url:
        url = f"sqlite:///{url}"
        Path(url[len("sqlite:///"):]).unlink(missing_ok=True)

    from core import clock
    from core.schema import upgrade

    upgrade(url)
    clock_file = work / "clock"
    clock_file.write_text("")
    clock.set_clock_file(str(clock_file))
    from app import create_app
    from app.extensions import db
    from core.demo import load_demo, scale_district
    from tests.report_year import TIEN_HAI, YEAR, tien_hai_year

    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "UPLOAD_DIR": str(work / "uploads"),
                      "CLOCK_FILE": str(clock_file), "RATELIMIT_STORAGE_URI": "memory://",
                      "CELERY_BROKER_URL": f"sqla+sqlite:///{work / 'broker.db'}"})
    started = time.perf_counter()
    with app.app_context():
        data = load_demo(db.session)
        db.session.commit()
        units = {k: NS(id=u.id) for k, u in data.units.items()}
        scale_district(db.session)
        db.session.commit()
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    tien_hai_year(app, NS(units=units), clock_file)
    drive_s = time.perf_counter() - started

    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "thuongvu.tinh", "password": "demo"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    province, district = units["tinh"].id, units["nghiahung"].id
    body = client.get(f"/api/v1/reports/summary?unit={province}&year={YEAR}", headers=headers).get_json()
    assert body["discipline"]["by_form"] == TIEN_HAI, body["discipline"]
    assert body["members"]["total"] >= 8741, body["members"]

    def timed(path: str, **kw) -> dict:
        samples = []
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get(path, **kw)
            samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        return _percentiles(samples)

    out = {"db": url.split("://")[0], "members": body["members"]["total"], "cases": 147, "runs": args.runs,
           "load_s": round(load_s, 1), "drive_147_cases_s": round(drive_s, 1),
           "summary_province": timed(f"/api/v1/reports/summary?unit={province}&year={YEAR}", headers=headers),
           "summary_district": timed(f"/api/v1/reports/summary?unit={district}&year={YEAR}", headers=headers),
           "summary_province_xlsx": timed(f"/api/v1/reports/summary?unit={province}&year={YEAR}&format=xlsx",
                                          headers=headers)}
    page = client.get("/login").get_data(as_text=True)
    import re

    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    client.post("/login", data={"username": "thuongvu.tinh", "password": "demo", "csrf_token": csrf.group(1)})
    out["page_province"] = timed(f"/reports?unit={province}&from={YEAR}-01-01&to={YEAR}-12-31")
    out["chart_discipline"] = timed(f"/reports/charts/discipline.svg?unit={province}&from={YEAR}-01-01&to={YEAR}-12-31")
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


if __name__ == "__main__":
    main()
