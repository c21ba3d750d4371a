"""A user driving the pages in headless Chromium, with a screenshot per step."""

from __future__ import annotations

from tests.admission_flow import PDF

from .conftest import login


class Browser:
    def __init__(self, page, base: str, artifacts, prefix: str):
        self.page, self.base, self.artifacts, self.prefix = page, base, artifacts, prefix
        self.user = None
        self.shot_no = 0

    def as_user(self, username: str) -> None:
        if self.user == username:
            return
        if self.user:
            self.page.click("button:has-text('Đăng xuất')")
            self.page.wait_for_url("**/login")
        login(self.page, self.base, username)
        self.page.wait_for_selector("[data-testid=current-user]")
        self.user = username

    def shot(self, name: str) -> None:
        self.shot_no += 1
        self.page.screenshot(path=str(self.artifacts / f"{self.prefix}-{self.shot_no:02d}-{name}.png"), full_page=True)

    def shot_of(self, selector: str, name: str) -> None:
        """A screenshot of one element (e.g. the case page's header block), to read it at full size."""
        self.shot_no += 1
        self.page.locator(selector).first.screenshot(
            path=str(self.artifacts / f"{self.prefix}-{self.shot_no:02d}-{name}.png"))

    def open_case(self, case_id: int) -> None:
        self.page.goto(f"{self.base}/cases/{case_id}")

    def state(self) -> str | None:
        return self.page.locator("[data-testid=case-state]").get_attribute("data-state")

    def fill(self, form, fields=None, selects=None) -> None:
        """Fill ``fields`` (inputs by name) and ``selects`` (a select's value, or a
        person picker's id: set as the page would after a choice)."""
        for name, value in (selects or {}).items():
            if form.locator(f"select[name={name}]").count():
                form.locator(f"select[name={name}]").select_option(str(value))
            else:
                form.locator(f"input[type=hidden][name={name}]").evaluate("(el, v) => { el.value = v; }", str(value))
        for name, value in (fields or {}).items():
            form.locator(f"[name={name}]").fill(str(value))

    def pick(self, form, name: str, typed: str, label: str) -> None:
        """Choose a person in the picker ``name`` of ``form`` by typing ``typed`` and clicking ``label``."""
        box = form.locator(f"[data-testid=picker-{name}]")
        box.fill("")
        box.type(typed, delay=20)
        option = form.locator(f"[role=option]:has-text('{label}')").first
        option.wait_for()
        option.click()
        assert form.locator(f"input[type=hidden][name={name}]").input_value()

    def _submitted(self) -> None:
        self.page.wait_for_load_state()
        assert self.page.locator(".flash-success").count() == 1, \
            self.page.locator("[data-testid=refusal]").all_inner_texts()

    def new_case(self, process_name: str, fields=None, selects=None, name: str = "new-case") -> int:
        self.page.goto(f"{self.base}/cases/new/{process_name}")
        form = self.page.locator("[data-testid=new-case-form]")
        self.fill(form, fields, selects)
        self.shot(name)
        form.locator("button[type=submit]").click()
        self._submitted()
        return int(self.page.url.rstrip("/").split("/")[-1].split("#")[0])

    def act(self, case_id: int, action: str, fields=None, selects=None) -> None:
        """Open the case, fill the action's form (rendered from available_actions), send it."""
        self.open_case(case_id)
        details = self.page.locator(f"details[data-action={action}]")
        assert details.count() == 1, f"{action} is not offered to {self.user}"
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        form = self.page.locator(f"[data-testid=form-{action}]")
        self.fill(form, fields, selects)
        self.shot(f"{action}-form")
        form.locator("button[type=submit]").click()
        self._submitted()
        self.shot(f"{action}-done")

    def upload(self, case_id: int, kind: str, filename: str, issued_on: str, content: bytes = PDF) -> None:
        self.open_case(case_id)
        form = self.page.locator("[data-testid=upload-form]")
        form.locator("select[name=kind]").select_option(kind)
        form.locator("[name=issued_on]").fill(issued_on)
        form.locator("input[name=file]").set_input_files(
            files=[{"name": filename, "mimeType": "application/pdf", "buffer": content}])
        form.locator("button[type=submit]").click()
        self._submitted()
        assert filename in self.page.locator("[data-testid=documents]").inner_text()
