"""Security headers on every response, and HTTPS behind a reverse proxy.

Every response says: no MIME sniffing, no referrer beyond the origin, never inside a frame,
and a Content-Security-Policy that runs only the site's own scripts plus the inline ones that
carry this response's nonce (``<script nonce="{{ csp_nonce() }}">``); no inline event
handlers (shared behaviour such as ``data-confirm`` forms lives in ``static/dcx.js``).

Behind a TLS-terminating proxy, ``DCX_PROXY_COUNT`` (how many proxies set ``X-Forwarded-*``)
makes the app trust their headers (Werkzeug's ProxyFix), so a request that arrived over HTTPS
is seen as such: its response carries Strict-Transport-Security and its cookies are Secure.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS = "max-age=31536000; includeSubDomains"

# Inline styles stay allowed (Bootstrap utilities, charts' SVG); scripts do not.
CSP = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


def csp_nonce() -> str:
    """This response's script nonce (one per request, made on first use)."""
    if "_dcx_csp_nonce" not in g:
        g._dcx_csp_nonce = secrets.token_urlsafe(16)
    return g._dcx_csp_nonce


def add_security_headers(response: Response) -> Response:
    """After every request: the headers above (a view may set its own stricter ones)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session whose cookie is Secure when the request came over HTTPS
    (or always, with ``SESSION_COOKIE_SECURE``)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure if configured so, or if this request is HTTPS."""
        configured = super().get_cookie_secure(app)
        return configured or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    """Trust the configured proxies, send the headers, make cookies Secure over HTTPS."""
    proxies = int(app.config.get("DCX_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
