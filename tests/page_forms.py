"""The forms a page renders, read from its HTML (for the page fuzzer)."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclasses.dataclass
class PageForm:
    """One ``<form>``: where it goes, how, and its fields with the values the page put in them."""

    page: str  # the page it was found on
    action: str  # path and query it posts to
    method: str
    multipart: bool
    fields: dict[str, list[str]]  # name -> values as rendered (a select: its options, chosen first)
    files: list[str]

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """What makes two renderings the same form: where it goes and its field names."""
        return self.method, urlsplit(self.action).path, tuple(sorted(self.fields))

    def defaults(self) -> dict[str, str]:
        """The value each field is sent with when left alone: as rendered; for a
        select or boxes, the chosen value, else the first that is not blank."""
        return {name: next((v for v in values if v), values[0] if values else "")
                for name, values in self.fields.items()}


class _Forms(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._selected: list[str] = []
        self._options: list[str] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            self._form = PageForm(self.page, action, (a.get("method") or "get").upper(),
                                  "multipart" in (a.get("enctype") or ""), {}, [])
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            self._options.append(value)
            if "selected" in a:
                self._selected.append(value)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._form.files.append(a["name"])
            elif kind in ("checkbox", "radio"):
                self._form.fields.setdefault(a["name"], []).append(a.get("value") or "on")
            elif kind not in ("submit", "button", "reset", "image"):
                self._form.fields.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select":
            self._select, self._selected, self._options = a["name"], [], []
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form.fields[self._select] = self._selected + [o for o in self._options if o not in self._selected]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields[self._textarea] = ["".join(self._text)]
            self._textarea = None


def forms_of(page: str, html: str) -> list[PageForm]:
    """The forms of a page (``page``: its path and query, where action-less forms post)."""
    parser = _Forms(page)
    parser.feed(html)
    parser.close()
    return parser.forms
