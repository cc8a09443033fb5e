"""Settings from environment variables, with safe embedded defaults for development."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("GLOBALBUY_INSTANCE", PROJECT_ROOT / "instance"))

# A development key. Production must set SECRET_KEY; the app refuses to run in production with this one.
DEV_SECRET_KEY = "dev-only-not-secret-globalbuy"


def _decimal(name: str, default: str) -> Decimal:
    return Decimal(os.environ.get(name, default))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment() -> dict:
    """Every setting the shop reads, with its default."""
    return {
        "ENV": os.environ.get("GLOBALBUY_ENV", "development"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'globalbuy.sqlite3'}"),
        "SQL_ECHO": _bool("SQL_ECHO", False),
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", str(INSTANCE_DIR / "media")),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Sign-in throttling (Flask-Limiter); memory:// keeps it in-process, REDIS_URL shares it.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or os.environ.get("REDIS_URL")
        or "memory://",
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per minute"),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("SHOP_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": ("zh_CN", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "WTF_CSRF_TIME_LIMIT": None,
        # Catalogue and cart
        "PAGE_SIZE": _int("PAGE_SIZE", 24),
        "FREIGHT_FEE": _decimal("FREIGHT_FEE", "10.00"),
        "FREE_FREIGHT_OVER": _decimal("FREE_FREIGHT_OVER", "399.00"),
        "INSURANCE_RATE": _decimal("INSURANCE_RATE", "0"),
        # Lots whose best-before date is this close are never sold.
        "NEAR_EXPIRY_DAYS": _int("NEAR_EXPIRY_DAYS", 30),
        "LOW_STOCK_THRESHOLD": _int("LOW_STOCK_THRESHOLD", 10),
    }
