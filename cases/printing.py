"""Printing a form of a case as PDF and keeping it as a document of the case.

The forms (:mod:`cases.print_forms`) are Jinja templates in ``templates/print/``
rendered to PDF by WeasyPrint in Noto Serif (Debian's ``fonts-noto-core``, full
Vietnamese coverage). A printed PDF is stored like an upload (content-addressed,
its SHA-256 on the row) under its generated kind ``print:<form>``, and the
engine's ``record`` appends a ``print_document`` event to the case's audit
trail; printing the form again makes a new document and the older one stays,
superseded (as for uploads of a kind).

Who may print: whoever may see the case and holds a role other than auditor or
admin at the body that issues the form or above it
(:data:`core.permissions.PRINT_FORM`), or whoever recorded the step the form
prints (e.g. the branch secretary who recorded the branch vote of a 6-KNĐ).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import jinja2
from sqlalchemy.orm import Session

from core.permissions import PRINT_FORM, allows
from workflow.errors import NotPermitted, WorkflowError
from workflow.i18n import _
from workflow.models import Case

from .dates import as_date
from .documents import CheckedFile, file_document
from .models import Document
from .print_facts import Facts, load_facts
from .print_forms import PrintForm, find_form, forms_of
from .queries import NotFound

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "print"
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


class FormNotReady(WorkflowError):
    """The form applies to this type of case, but the case does not hold what it
    prints yet (e.g. a 9-KNĐ before the decision): 409, the message says what is missing."""

    code = "form_not_ready"


class FormNotForCase(WorkflowError):
    """The form is not one a case of this type prints: 422."""

    code = "form_not_for_case"


def _facts(session: Session, case: Case) -> Facts:
    data = case.data or {}
    extra = [data[k] for k in ("destination_unit_id", "deciding_unit_id") if str(data.get(k) or "").isdigit()]
    return load_facts(session, case, extra_unit_ids=[int(x) for x in extra])


def _may_print(session: Session, user, fields: dict) -> bool:
    event = fields.get("_event")
    if event is not None and event.actor_id == user.id:
        return True
    return allows(session, user, PRINT_FORM, fields["_issuer"])


def printable(session: Session, user, case: Case) -> list[PrintForm]:
    """The forms ``user`` may print on ``case`` now (ready, and permitted), in their order;
    the caller has checked that ``user`` sees the case."""
    candidates = forms_of(case.process)
    if not candidates or case.person is None:
        return []
    facts = _facts(session, case)
    return [form for form in candidates if form.ready(facts) is None and _may_print(session, user, form.fill(facts))]


def render_pdf(form: PrintForm, fields: dict) -> bytes:
    """The form's template filled with ``fields`` (keys starting ``_`` are not printed), as PDF bytes."""
    import weasyprint  # imported here: Pango loads once, on the first print

    html = _ENV.get_template(form.template).render(**{k: v for k, v in fields.items() if not k.startswith("_")})
    css = weasyprint.CSS(filename=str(TEMPLATE_DIR / "forms.css"))
    return weasyprint.HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf(stylesheets=[css])


def filename_of(form: PrintForm, case: Case) -> str:
    """The PDF's file name, plain ASCII: the form and the case number (``9-KND-case-12.pdf``)."""
    return f"{re.sub(r'[^0-9A-Za-z-]', '-', form.code.replace('Đ', 'D'))}-case-{case.id}.pdf"


def prepare(session: Session, user, case: Case, code: str) -> tuple[PrintForm, dict]:
    """The form ``code`` and its fields for ``case``, checked. Raises
    :class:`cases.queries.NotFound` for an unknown form, :class:`FormNotForCase`
    (422) for a form of another type of case, :class:`FormNotReady` (409) when
    the case does not hold what the form prints yet, ``NotPermitted`` (403)
    when ``user`` may not print it (see the module)."""
    form = find_form(code)
    if form is None:
        raise NotFound(code)
    if form.process != case.process or case.person is None:
        raise FormNotForCase(_("The form %(form)s is not printed for this type of case.", form=str(form.label)))
    facts = _facts(session, case)
    missing = form.ready(facts)
    if missing:
        raise FormNotReady(missing)
    fields = form.fill(facts)
    if not _may_print(session, user, fields):
        raise NotPermitted(_("Only the body that issues the %(form)s, the committees above it, or whoever recorded "
                             "that step may print it.", form=str(form.label)))
    return form, fields


def print_form(session: Session, user, case: Case, code: str, *, upload_dir: str,
               request_id: str | None = None) -> Document:
    """Print the form ``code`` of ``case`` as PDF and keep it as a document of the
    case (kind ``print:<code>``, dated the document's own date), with a
    ``print_document`` event in the audit trail; committed. Raises what
    :func:`prepare` raises, before anything is written."""
    form, fields = prepare(session, user, case, code)
    content = render_pdf(form, fields)
    checked = CheckedFile(filename_of(form, case), content, "application/pdf", hashlib.sha256(content).hexdigest())
    issued_on = _document_date(case, form)
    return file_document(session, user, case, form.kind, checked, issued_on, upload_dir, "print_document",
                         request_id, extra={"form": form.code})


def _document_date(case: Case, form: PrintForm):
    """The date the printed document bears (its decision's, meeting's or letter's), else today."""
    from core import clock

    d = case.data or {}
    keys = {"9-KNĐ": "decision_date", "16-KNĐ": "recognition_decision_date", "discipline-decision": "decided_on",
            "removal-decision": "decided_on", "6-KNĐ": "branch_vote_date",
            "transfer-letter": "letter_date" if d.get("letter_number") else "intro_date"}
    day = as_date(d.get(keys.get(form.code, ""))) if keys.get(form.code) else None
    return day if day is not None and day <= clock.today() else clock.today()
