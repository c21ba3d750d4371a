"""Process definitions: the case types, and one type's steps, transitions and diagram."""

from __future__ import annotations

from flask import jsonify

from cases.registry import all_entries

from .blueprint import bp
from .openapi import operation, ref
from .render import process_json
from .requests import ApiError


@bp.get("/processes")
@operation("The case types", tags=["processes"], response=ref("ProcessList"))
def list_processes():
    items = [{"type": name, "title": str(t.process.title or name)} for name, t in sorted(all_entries().items())]
    return jsonify({"items": items, "next_cursor": None})


@bp.get("/processes/<type>")
@operation("A process definition: steps, transitions with role and level, Mermaid diagram", tags=["processes"],
           response=ref("Process"))
def get_process(type: str):  # noqa: A002 (the contract names it type)
    process_entry = all_entries().get(type)
    if process_entry is None:
        raise ApiError(404)
    return jsonify(process_json(process_entry))
