"""HTTP security headers: one policy, applied by Flask-Talisman to every response.

- Content-Security-Policy: scripts, styles, images, fonts and connections from
  this origin only; no inline script or style, no plugins, no framing
  (``frame-ancestors 'none'``, and ``X-Frame-Options: DENY`` for old browsers);
  forms post only here.
- ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: same-origin`` (URLs
  can hold names — a search — so no other site sees them; the pages' own
  requests keep the Referer that CSRF checks over HTTPS rely on).
- HTTPS: HSTS and the redirect to https only where ``FORCE_HTTPS`` /
  ``HSTS_SECONDS`` say so (production), never in development or tests.
- ``Cache-Control: no-store`` on every response but static files: pages,
  documents and API answers show personal data, and a shared or back-button
  cache must not keep them.
"""

from __future__ import annotations

from flask import Flask, request

from .extensions import talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = {"camera": "()", "microphone": "()", "geolocation": "()", "payment": "()", "usb": "()",
                      "browsing-topics": "()"}


def init_security(app: Flask) -> None:
    hsts_seconds = int(app.config.get("HSTS_SECONDS") or 0)
    talisman.init_app(
        app,
        force_https=bool(app.config.get("FORCE_HTTPS")),
        strict_transport_security=hsts_seconds > 0,
        strict_transport_security_max_age=hsts_seconds,
        strict_transport_security_include_subdomains=True,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        x_content_type_options=True,
        # Cookie flags stay those of config.py (Secure in production only).
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=bool(app.config.get("SESSION_COOKIE_HTTPONLY", True)),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )

    @app.after_request
    def _no_store(response):
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response
