"""``format=xlsx`` on every list (API.md "Conventions"): the same rows as the
JSON page, one line each, nested objects flattened (``person.full_name``),
as an XLSX workbook whose text cells never start a formula (:mod:`cases.spreadsheet`)."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_babel import gettext as _

from cases.spreadsheet import XLSX_TYPE, write_workbook

from .openapi import query
from .requests import ApiError

# A list answers JSON, or with format=xlsx a workbook.
LIST_TYPES = ["application/json", XLSX_TYPE]
FORMAT = query("format", {"type": "string", "enum": ["json", "xlsx"], "default": "json"},
               "xlsx: the same rows as a spreadsheet")


def wants_xlsx() -> bool:
    """True for ``format=xlsx``; 400 for a format that is neither json nor xlsx."""
    value = request.args.get("format", "json")
    if value not in ("json", "xlsx"):
        raise ApiError(400, _("Invalid query parameter %(name)s.", name="format"))
    return value == "xlsx"


def _flat(item: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, name + "."))
        elif isinstance(value, list):
            out[name] = "; ".join(str(v.get("name", v.get("title", v))) if isinstance(v, dict) else str(v)
                                  for v in value)
        else:
            out[name] = value
    return out


def xlsx_response(items: list[dict], name: str) -> Response:
    """The rows ``items`` (the JSON page's) as ``<name>.xlsx``."""
    rows = [_flat(i) for i in items]
    headers: list[str] = []
    for row in rows:
        headers.extend(k for k in row if k not in headers)
    body = write_workbook([(name, headers, ([row.get(h) for h in headers] for row in rows))])
    return Response(body, mimetype=XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
