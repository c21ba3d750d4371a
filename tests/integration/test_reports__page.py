"""Issue 15's "done when": a year of discipline driven through the engine into the demo
district, shaped like Tiền Hải's (147 members disciplined: 107 reprimands, 11 warnings,
6 dismissals, 23 expulsions), reads exactly those figures on the reports page, in the
JSON and in the XLSX; and the page's drill-down, charts, dashboard and the fact table's
rebuild (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import sqlalchemy as sa

from tests.report_year import TIEN_HAI, YEAR, tien_hai_year


def _section(page: str, key: str) -> list[tuple[str, str]]:
    """The (label, number) lines of the page's report section ``key``."""
    block = re.search(rf'data-testid="report-{key}">(.*?)</section>', page, re.S).group(1)
    out = []
    for label, value in re.findall(r"<th[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>", block, re.S):
        out.append((html.unescape(label).strip(), re.sub(r"<[^>]+>", "", value).strip()))
    return out


def _links(page: str, key: str) -> dict[str, str]:
    block = re.search(rf'data-testid="report-{key}">(.*?)</section>', page, re.S).group(1)
    return {html.unescape(label).strip(): html.unescape(href) for label, href in
            re.findall(r'<th[^>]*>(.*?)</th>\s*<td[^>]*><a href="([^"]+)"', block, re.S)}


def test_reports__tien_hai_year_on_the_page_in_the_json_and_in_the_xlsx(app, client, auth, demo, clock_file):
    from openpyxl import load_workbook

    from tests.api_client import Api

    tien_hai_year(app, demo, clock_file)
    district = demo.units["nghiahung"].id
    api = Api(client).as_user("thuongvu.nghiahung")

    # JSON
    body = api.get(f"/reports/summary?unit={district}&year={YEAR}").get_json()
    assert body["discipline"]["by_form"] == TIEN_HAI
    assert body["discipline"]["total"] == 147
    assert body["discipline"]["people"] == {"total": 147, "by_form": TIEN_HAI}

    # The page (HTML)
    auth.login("thuongvu.nghiahung")
    response = client.get(f"/reports?unit={district}&from={YEAR}-01-01&to={YEAR}-12-31")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    lines = _section(page, "discipline")
    assert lines[:5] == [("Quyết định kỷ luật", "147"), ("Khiển trách", "107"), ("Cảnh cáo", "11"),
                         ("Cách chức", "6"), ("Khai trừ", "23")], lines
    assert lines[5][1] == "147" and [v for _l, v in lines[6:10]] == ["107", "11", "6", "23"]

    # The XLSX, from the page's download and from the API, parsed back.
    for get, url in ((client.get, f"/reports/report.xlsx?unit={district}&from={YEAR}-01-01&to={YEAR}-12-31"),
                     (api.get, f"/reports/summary?unit={district}&year={YEAR}&format=xlsx")):
        response = get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        discipline = [(label.strip(), n) for section, label, n in rows if section == "Kỷ luật, xóa tên"]
        assert discipline[:5] == [("Quyết định kỷ luật", 147), ("Khiển trách", 107), ("Cảnh cáo", 11),
                                  ("Cách chức", 6), ("Khai trừ", 23)], discipline
        assert [n for _l, n in discipline[5:10]] == [147, 107, 11, 6, 23]

    # Each number links to the list behind it: the 23 expulsions are 23 cases, in scope.
    links = _links(page, "discipline")
    for label, expected in (("Khai trừ", 23), ("Quyết định kỷ luật", 147)):
        listed = client.get(links[label])
        assert listed.status_code == 200
        assert len(re.findall(r'<a href="/cases/\d+">#', listed.get_data(as_text=True))) == min(expected, 50)
    # Another district's user sees nothing behind the same link.
    auth.logout()
    auth.login("thuongvu.thanhpho")
    assert not re.search(r'href="/cases/\d+"', client.get(links["Khai trừ"]).get_data(as_text=True))


def test_reports__charts_are_svg_images_with_vietnamese_text(app, client, auth, demo, clock_file):
    auth.login("thuongvu.tinh")
    for name in ("admissions", "discipline", "members", "overdue"):
        response = client.get(f"/reports/charts/{name}.svg?year=2026")
        assert response.status_code == 200, name
        assert response.mimetype == "image/svg+xml"
        assert response.data.startswith(b"<?xml") and b"<svg" in response.data
    assert client.get("/reports/charts/nothing.svg").status_code == 404
    page = client.get("/reports").get_data(as_text=True)
    assert page.count('src="/reports/charts/') == 4
    assert "<script>" not in page and 'style="' not in page


def test_reports__a_bad_period_is_a_form_error_never_a_500(client, auth, demo):
    auth.login("thuongvu.tinh")
    for query in ("from=2026-13-01&to=2026-12-31", "from=2026-05-01&to=2026-01-01", "from=x&to=y",
                  "year=1800", "from=2026-01-01"):
        response = client.get(f"/reports?{query}")
        assert response.status_code == 400, query
        assert 'data-testid="report-error"' in response.get_data(as_text=True)
    assert client.get("/reports?year=abc").status_code == 400  # screened at the edge (app/edge.py)
    assert client.get("/cases?fact=nothing").status_code == 400
    assert client.get("/cases?fact=disciplined&from=2026-02-30").status_code == 400
    # A drill-down list whose period ends before it starts is refused as the report refuses it.
    assert client.get("/cases?fact=disciplined&from=2026-12-31&to=2026-01-01").status_code == 400
    assert client.get("/cases?type=admission&opened_from=2026-12-31&opened_to=2026-01-01").status_code == 400
    assert client.get(f"/reports?unit={10**6}").status_code == 404


def test_reports__a_unit_out_of_scope_is_absent(client, auth, demo):
    auth.login("bithu.trung")
    assert client.get(f"/reports?unit={demo.units['tdp4'].id}").status_code == 404
    assert client.get(f"/reports/charts/members.svg?unit={demo.units['tdp4'].id}").status_code == 404


def test_reports__dashboard_shows_inbox_overdue_and_the_highest_units_summary(client, auth, demo):
    auth.login("thuongvu.nghiahung")
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="dash-inbox"' in page and 'data-testid="dash-overdue"' in page
    assert "Huyện ủy Nghĩa Hưng" in page and f'/reports?unit={demo.units["nghiahung"].id}' in page
    assert re.search(r"<strong>24</strong> đảng viên", page)  # 2 branches × (10 official + 2 probationary)


def test_reports__facts_rebuilt_set_based_equal_the_facts_written_live(app, demo, clock_file):
    from app.extensions import db
    from cases.report_facts import ReportFact, rebuild
    from tests.report_year import add_members, discipline

    clock_file.write_text(f"{YEAR}-12-30T03:00:00Z")
    with app.app_context():
        people = add_members(db.session, demo.units["trung"].id, 3, 1)
        discipline(db.session, app.config["UPLOAD_DIR"], clock_file, people[0][0], "dismissal", dt.date(YEAR, 3, 4),
                   people[0][1])
        discipline(db.session, app.config["UPLOAD_DIR"], clock_file, people[1][0], "warning", dt.date(YEAR, 5, 6))

        def facts():
            return sorted(tuple(r) for r in db.session.execute(sa.select(*ReportFact.__table__.c)).all())

        live = facts()
        assert [(r[1], str(r[2]), r[8]) for r in live] == [("disciplined", f"{YEAR}-03-04", "dismissal"),
                                                            ("disciplined", f"{YEAR}-05-06", "warning")]
        assert rebuild(db.session) == 2
        db.session.commit()
        assert facts() == live


def test_reports__the_spreadsheet_never_holds_a_formula(app, client, auth, demo):
    from openpyxl import load_workbook

    from app.extensions import db
    from core.models import Unit

    with app.app_context():
        db.session.get(Unit, demo.units["nghiahung"].id).name = '=HYPERLINK("http://x","y")'
        db.session.commit()
    auth.login("thuongvu.nghiahung")
    response = client.get(f"/reports/report.xlsx?unit={demo.units['nghiahung'].id}&year=2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    cell = sheet.cell(row=2, column=2)
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
