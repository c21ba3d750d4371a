"""One throttling policy for every door that takes a password.

The login page (``POST /login``) and the API's token endpoint
(``POST /api/v1/auth/token``) share two counters of *failed* attempts
(Flask-Limiter shared limits, so both doors draw on the same budget):

- per account (``LOGIN_ACCOUNT_RATE_LIMIT``, default 5 per minute): guessing
  one account's password, whichever door is used;
- per client address (``LOGIN_RATE_LIMIT``, default 10 per minute): one address
  trying many accounts.

Once either budget is spent, both doors answer 429 with the Vietnamese message
(a page or a problem document), even for the right password, until the window
passes. A successful sign-in costs nothing. With several web workers the
counters must live in Redis (``RATELIMIT_STORAGE_URI``).
"""

from __future__ import annotations

from typing import Callable

from flask import current_app, request

from .edge import json_value
from .extensions import limiter

ACCOUNT_SCOPE = "credentials-account"
ADDRESS_SCOPE = "credentials-address"


def submitted_username() -> str:
    """The username of the attempt (form field or JSON ``username``), normalised; "" when absent."""
    name = request.form.get("username") if request.form else None
    if name is None:
        body = json_value(silent=True)  # the edge's parse; None when refused (the address limit still applies)
        name = body.get("username") if isinstance(body, dict) else None
    return name.strip().lower()[:80] if isinstance(name, str) else ""


def _account_key() -> str:
    return f"account:{submitted_username()}"


def _address_key() -> str:
    return f"address:{request.remote_addr or '-'}"


def _failed(response) -> bool:
    return response.status_code >= 400


def credential_limits(view: Callable) -> Callable:
    """Decorate a view that checks a password with the shared per-account and
    per-address limits on failed attempts (POST only)."""
    per_account = limiter.shared_limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], scope=ACCOUNT_SCOPE,
                                       key_func=_account_key, methods=["POST"], deduct_when=_failed)
    per_address = limiter.shared_limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], scope=ADDRESS_SCOPE,
                                       key_func=_address_key, methods=["POST"], deduct_when=_failed)
    return per_address(per_account(view))
