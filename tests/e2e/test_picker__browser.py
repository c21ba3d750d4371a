"""Headless Chromium on the ``--scale`` district (Nghĩa Hưng with 8,741 members):
the member picker of a new discipline case searches as you type, without
diacritics, from the start of any word of the name: kiemtra.nghiahung finds
"Vũ Ngọc Đạt" of thôn Trung by "vu ngoc" and by a middle word, "ngoc dat".
Screenshots are saved as artifacts."""

import datetime as dt
import re
import time

import pytest
import sqlalchemy as sa

from tests.demo_people import NOW

from .browser import Browser

pytestmark = pytest.mark.e2e

NAME = "Vũ Ngọc Đạt"


@pytest.fixture
def scaled(app, demo):
    """The demo district scaled to Nghĩa Hưng's size, with Vũ Ngọc Đạt an official member of thôn Trung."""
    from app.extensions import db
    from core.demo import scale_district
    from core.enums import Education, Gender, PersonStatus
    from core.models import Person
    from core.text import fold

    with app.app_context():
        result = scale_district(db.session)
        trung = demo.units["trung"].id
        person = db.session.scalar(sa.select(Person).where(Person.full_name == NAME, Person.unit_id == trung))
        if person is None:
            person = Person(full_name=NAME, name_folded=fold(NAME), date_of_birth=dt.date(1985, 4, 2),
                            gender=Gender.male, national_id="036085999001", education=Education.upper_secondary,
                            unit_id=trung, status=PersonStatus.official, admission_date=dt.date(2010, 5, 19),
                            official_date=dt.date(2011, 5, 19))
            db.session.add(person)
        db.session.commit()
        assert result["members"] == 8741
        return person.id


def test_browser__member_picker_finds_a_name_by_any_word_on_the_scaled_district(live_server, page, artifacts_dir,
                                                                                 scaled, clock_file):
    clock_file.write_text(NOW)
    b = Browser(page, live_server, artifacts_dir, "picker-scale")
    b.as_user("kiemtra.nghiahung")
    page.goto(f"{live_server}/cases/new/discipline")
    form = page.locator("[data-testid=new-case-form]")
    assert form.locator("select[name=person_id]").count() == 0  # no capped list of the district's members
    label = f"{NAME} — Chi bộ thôn Trung"
    for typed in ("vu ngoc", "ngoc dat"):
        box = form.locator("[data-testid=picker-person_id]")
        box.fill("")
        started = time.monotonic()
        box.type(typed, delay=30)
        option = form.locator("[role=option]", has_text=label)
        option.wait_for()
        waited = time.monotonic() - started
        assert waited < 5, f"the picker took {waited:.1f} s"
        b.shot(typed.replace(" ", "-"))
        assert box.get_attribute("aria-expanded") == "true"
    # Chosen with the keyboard: down to it, Enter.
    options = form.locator("[role=option]").all_inner_texts()
    for _ in range(options.index(label) + 1):
        box.press("ArrowDown")
    box.press("Enter")
    assert form.locator("input[type=hidden][name=person_id]").input_value() == str(scaled)
    assert box.input_value() == label
    b.fill(form, {"violation_date": "2026-09-05", "description": "Không dự sinh hoạt chi bộ ba kỳ liền."},
           {"category": "party_activity"})
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=case-state]")
    assert re.search(r"/cases/\d+$", page.url)
    assert NAME in page.locator("h1").inner_text()
    b.shot("case-opened")
