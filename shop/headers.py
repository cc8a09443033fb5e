"""Security headers on every response: a Content-Security-Policy without inline script, HSTS behind TLS, no framing.

The policy allows the shop's own origin, plus Stripe.js where payment pages need it: its script and frames
from STRIPE_JS_URL's origin (with Stripe's other frame hosts when that is js.stripe.com), its API calls to
STRIPE_API_BASE. In development both are localstripe, whose Stripe.js stand-in needs nothing more.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

STRIPE_JS_ORIGIN = "https://js.stripe.com"
# What Stripe.js itself loads on top of its script (Stripe's CSP guidance): frames on its subdomains and
# hooks.stripe.com (3-D Secure).
STRIPE_JS_EXTRA_SCRIPTS = ("https://*.js.stripe.com",)
STRIPE_JS_EXTRA_FRAMES = ("https://*.js.stripe.com", "https://hooks.stripe.com")

HSTS = "max-age=31536000; includeSubDomains"

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    # No page uses the camera, microphone or location (shelf labels are printed, not scanned).
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _sources(*sources) -> str:
    unique = []
    for source in sources:
        if source and source not in unique:
            unique.append(source)
    return " ".join(unique)


@lru_cache(maxsize=8)
def content_security_policy(stripe_js_url: str, stripe_api_base: str) -> str:
    """The policy for the given Stripe.js address and Stripe API base."""
    js = _origin(stripe_js_url)
    api = _origin(stripe_api_base)
    stripe_scripts = STRIPE_JS_EXTRA_SCRIPTS if js == STRIPE_JS_ORIGIN else ()
    stripe_frames = STRIPE_JS_EXTRA_FRAMES if js == STRIPE_JS_ORIGIN else ()
    directives = {
        "default-src": "'self'",
        "script-src": _sources("'self'", js, *stripe_scripts),
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": _sources("'self'", api),
        "frame-src": _sources(js, *stripe_frames) or "'none'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _add_headers(response):
    config = current_app.config
    response.headers.setdefault(
        "Content-Security-Policy",
        content_security_policy(config.get("STRIPE_JS_URL") or "", config.get("STRIPE_API_BASE") or ""))
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app) -> None:
    """Add the headers to every response; trust PROXY_FIX_HOPS proxies' X-Forwarded-For/-Proto/-Host."""
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.after_request(_add_headers)
