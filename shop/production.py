"""The checks that keep development settings out of production.

With GLOBALBUY_ENV=production, create_app refuses to start while any setting is still a development default or
unsafe: it raises one RuntimeError that lists every problem, so that one deployment fixes them all.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from shop.config import DEV_SECRET_KEY

MIN_SECRET_KEY_LENGTH = 32

# The placeholders shop/config.py falls back on when no Stripe keys are set: they only work with localstripe.
LOCAL_STRIPE_KEYS = {
    "STRIPE_SECRET_KEY": "sk_test_globalbuy_local",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_globalbuy_local",
    "STRIPE_WEBHOOK_SECRET": "whsec_globalbuy_local",
}

# Mail backends that print messages (personal data) to the output or keep them in memory: never sent.
DEVELOPMENT_MAIL_BACKENDS = {"console", "locmem"}


def is_production(config: Mapping) -> bool:
    return config.get("ENV") == "production"


def is_local_url(url: str) -> bool:
    """A loopback address, localhost, or a host named after localstripe: somewhere only development uses."""
    host = (urlsplit(url or "").hostname or "").lower()
    if not host or host == "localhost" or host.endswith(".localhost") or "localstripe" in host:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _public_https(url: str) -> bool:
    return urlsplit(url or "").scheme == "https" and not is_local_url(url)


def _mail_backend_name(backend) -> str:
    """The short name of a Flask-Mailman backend: "console" for "console" or "flask_mailman.backends.console"."""
    if not isinstance(backend, str):
        return ""
    parts = backend.split(".")
    if parts[-1] == "EmailBackend":
        parts = parts[:-1]
    return parts[-1] if parts else ""


def _valid_fernet_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def problems(config: Mapping) -> list[str]:
    """Every reason the settings are not fit for production (an empty list when they are)."""
    found = []
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET_KEY:
        found.append("SECRET_KEY is the development key: set a random one of at least "
                     f"{MIN_SECRET_KEY_LENGTH} characters")
    elif len(secret) < MIN_SECRET_KEY_LENGTH:
        found.append(f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters")
    if config.get("DEBUG"):
        found.append("debug mode is on (FLASK_DEBUG): it shows tracebacks and runs code for anyone who asks")
    if config.get("TESTING"):
        found.append("TESTING is on")

    data_key = config.get("DATA_KEY") or ""
    if not data_key:
        found.append("DATA_KEY is not set: ID and phone numbers would be encrypted with a key derived from "
                     "SECRET_KEY (generate one with Fernet.generate_key(), and keep it)")
    elif not _valid_fernet_key(data_key):
        found.append("DATA_KEY is not a Fernet key (32 url-safe base64-encoded bytes)")

    if str(config.get("DATABASE_URL") or "").startswith("sqlite"):
        found.append("DATABASE_URL is SQLite: production runs on PostgreSQL")
    if config.get("SQL_ECHO"):
        found.append("SQL_ECHO is on: it logs every statement's parameters, personal data included")
    if not config.get("SESSION_COOKIE_SECURE"):
        found.append("SESSION_COOKIE_SECURE is off: session cookies would travel over plain HTTP")

    if not _public_https(config.get("STRIPE_API_BASE") or ""):
        found.append(f"STRIPE_API_BASE is {config.get('STRIPE_API_BASE')!r}: localstripe or not HTTPS "
                     "(set STRIPE_SECRET_KEY to a real key and leave STRIPE_API_BASE unset)")
    if not _public_https(config.get("STRIPE_JS_URL") or ""):
        found.append(f"STRIPE_JS_URL is {config.get('STRIPE_JS_URL')!r}: localstripe's Stripe.js or not HTTPS")
    for name, placeholder in LOCAL_STRIPE_KEYS.items():
        if not config.get(name) or config.get(name) == placeholder:
            found.append(f"{name} is not set (only localstripe accepts the built-in placeholder)")

    if _mail_backend_name(config.get("MAIL_BACKEND")) in DEVELOPMENT_MAIL_BACKENDS:
        found.append(f"MAIL_BACKEND is {config.get('MAIL_BACKEND')!r}: e-mails would be printed or kept in memory, "
                     "never sent (use smtp)")
    if not _public_https(config.get("SHOP_BASE_URL") or ""):
        found.append(f"SHOP_BASE_URL is {config.get('SHOP_BASE_URL')!r}: links in e-mails need the shop's public "
                     "HTTPS address")
    return found


def check(config: Mapping) -> None:
    """Refuse to start in production with unsafe settings (a RuntimeError naming every problem)."""
    if not is_production(config):
        return
    found = problems(config)
    if found:
        raise RuntimeError("GlobalBuy refuses to start in production:\n" + "\n".join(f"- {p}" for p in found))
