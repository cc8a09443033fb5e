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
        # Set in production: rate limits, caches and background jobs then live in Redis, shared by every server.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Heavy reports and exports read from a replica when one is configured (else from DATABASE_URL).
        "DATABASE_REPLICA_URL": os.environ.get("DATABASE_REPLICA_URL", ""),
        # Files that background jobs produce (exports) wait here for their download: shared storage when
        # several servers run, like MEDIA_ROOT.
        "JOBS_DIR": os.environ.get("JOBS_DIR", str(INSTANCE_DIR / "jobs")),
        # How long finished jobs and their files are kept.
        "JOBS_KEEP_DAYS": _int("JOBS_KEEP_DAYS", 7),
        # Caches (Flask-Caching): Redis when REDIS_URL is set, else in the process.
        "CACHE_TYPE": os.environ.get("CACHE_TYPE") or ("RedisCache" if os.environ.get("REDIS_URL") else "SimpleCache"),
        "CACHE_REDIS_URL": os.environ.get("REDIS_URL", ""),
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "globalbuy:cache:"),
        "CACHE_DEFAULT_TIMEOUT": _int("CACHE_DEFAULT_TIMEOUT", 60),
        # Sign-in throttling (Flask-Limiter); memory:// keeps it in-process, REDIS_URL shares it.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or os.environ.get("REDIS_URL")
        or "memory://",
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per minute"),
        # The JSON API: how long a bearer token lives, how often one address may ask for one (failed attempts
        # count) or place orders, and which web origins may call it from a browser (comma-separated).
        "API_TOKEN_DAYS": _int("API_TOKEN_DAYS", 30),
        "API_TOKEN_RATE_LIMIT": os.environ.get("API_TOKEN_RATE_LIMIT", "10 per minute"),
        "API_ORDER_RATE_LIMIT": os.environ.get("API_ORDER_RATE_LIMIT", "20 per minute"),
        "API_CORS_ORIGINS": [o.strip() for o in os.environ.get("API_CORS_ORIGINS", "").split(",") if o.strip()],
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("SHOP_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": ("zh_CN", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "WTF_CSRF_TIME_LIMIT": None,
        # The largest request body: product photos are at most 5 MB, imports a few MB.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024),
        # Logs (shop/logs.py): LOG_FORMAT "json" or "text" (empty: json in production, text otherwise), and the
        # level of the `shop` loggers. PROXY_FIX_HOPS: how many reverse proxies (nginx: 1) are trusted for
        # X-Forwarded-For/-Proto/-Host, so that the client's address and HTTPS are seen (0: none).
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", ""),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        "PROXY_FIX_HOPS": _int("PROXY_FIX_HOPS", 0),
        # Catalogue and cart
        "PAGE_SIZE": _int("PAGE_SIZE", 24),
        # The home page and the listings are rendered once and shared this many seconds (0: never kept);
        # a card's stock state may be this old (shop/catalog/pagecache.py).
        "CATALOGUE_PAGE_CACHE_SECONDS": _int("CATALOGUE_PAGE_CACHE_SECONDS", 15),
        "FREIGHT_FEE": _decimal("FREIGHT_FEE", "10.00"),
        "FREE_FREIGHT_OVER": _decimal("FREE_FREIGHT_OVER", "399.00"),
        "INSURANCE_RATE": _decimal("INSURANCE_RATE", "0"),
        # Lots whose best-before date is this close are never sold.
        "NEAR_EXPIRY_DAYS": _int("NEAR_EXPIRY_DAYS", 30),
        "LOW_STOCK_THRESHOLD": _int("LOW_STOCK_THRESHOLD", 10),
        # The stock dashboard warns about lots this close to their best-before date.
        "NEAR_EXPIRY_WARNING_DAYS": _int("NEAR_EXPIRY_WARNING_DAYS", 90),
        # Unpaid orders hold their stock this long.
        "RESERVATION_MINUTES": _int("RESERVATION_MINUTES", 30),
        # Encrypts ID and phone numbers at rest (a Fernet key). Development derives one from SECRET_KEY.
        "DATA_KEY": os.environ.get("DATA_KEY", ""),
        **_stripe_settings(),
        **_customs_settings(),
        # Mail (Flask-Mailman): the console backend prints messages to the log in development.
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "console"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        # Links in e-mails point here.
        "SHOP_BASE_URL": os.environ.get("SHOP_BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "GlobalBuy <orders@globalbuy.example>"),
    }


LOCALSTRIPE_PORT = 8420


def _stripe_settings() -> dict:
    """Real Stripe when STRIPE_SECRET_KEY is set (and no other API base); localstripe on loopback otherwise."""
    secret = os.environ.get("STRIPE_SECRET_KEY", "")
    local_base = f"http://127.0.0.1:{os.environ.get('LOCALSTRIPE_PORT', LOCALSTRIPE_PORT)}"
    default_base = "https://api.stripe.com" if secret else local_base
    base = os.environ.get("STRIPE_API_BASE", default_base).rstrip("/")
    return {
        "STRIPE_SECRET_KEY": secret or "sk_test_globalbuy_local",
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_globalbuy_local"),
        "STRIPE_API_BASE": base,
        "STRIPE_JS_URL": os.environ.get(
            "STRIPE_JS_URL", "https://js.stripe.com/v3/" if base == "https://api.stripe.com" else f"{base}/js.stripe.com/v3/"),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_globalbuy_local"),
    }


# Fictional development codes in the shape of 18-character unified social credit codes (valid check
# character, Changchun prefix 220100): they look real to the XSD and to the clerk, and belong to no one.
# Production sets every one of them from the operator's customs registration.
_CUSTOMS_DEFAULTS: dict[str, str] = {
    "EBP_CODE": "91220100MACFCJM94E",
    "EBP_NAME": "长春全球购网络科技有限公司",
    "EBC_CODE": "91220100MAUEHYR3HY",
    "EBC_NAME": "长春全球购跨境贸易有限公司",
    "AGENT_CODE": "91220100MAXGC77PDM",
    "AGENT_NAME": "长春兴隆报关服务有限公司",
    "AREA_CODE": "91220100MADFDD0C1T",
    "AREA_NAME": "长春兴隆综保区保税仓储有限公司",
    "LOGISTICS_CODE": "91220100MAYUH6LJXX",
    "LOGISTICS_NAME": "吉林速达供应链管理有限公司",
    "PAY_CODE": "91220100MAKULAPG29",
    "PAY_NAME": "吉林环球支付服务有限公司",
    # The enterprise that guarantees the tax withheld: the e-commerce company itself.
    "ASSURE_CODE": "91220100MAUEHYR3HY",
    # The bonded warehouse's account book (账册), debited when a parcel leaves the zone.
    "EMS_NO": "T1510W000001",
    # 1510 长春兴隆综合保税区 (customs district code table, shop/customs/data/code_customs_district.csv).
    "CUSTOMS_CODE": "1510",
    "PORT_CODE": "1510",
    # Second-line exit transport: 4 = road (公路运输/汽车运输): parcels leave the zone by courier van.
    "TRAF_MODE": "4",
    # The data-exchange (DXP) client that transmits the messages; its company is the declaring agent.
    "DXP_ID": "DXPENT0000015100",
}


def _customs_settings() -> dict:
    """Enterprise codes for the customs messages (CBEC-RULES §8), each overridable as CUSTOMS_<NAME>.

    Also how declarations are signed: CUSTOMS_SIGNER "rsa" (a key and certificate on disk; development
    generates a self-signed pair under instance/customs-keys/ on first use) or "external" (a signing host
    holding the company's customs USB key, at CUSTOMS_SIGNER_URL).
    """
    settings = {f"CUSTOMS_{name}": os.environ.get(f"CUSTOMS_{name}", default)
                for name, default in _CUSTOMS_DEFAULTS.items()}
    # The transmitting company must match the DXP client's identity: by default the declaring agent.
    settings["CUSTOMS_COP_CODE"] = os.environ.get("CUSTOMS_COP_CODE", settings["CUSTOMS_AGENT_CODE"])
    settings["CUSTOMS_COP_NAME"] = os.environ.get("CUSTOMS_COP_NAME", settings["CUSTOMS_AGENT_NAME"])
    settings.update({
        "CUSTOMS_SIGNER": os.environ.get("CUSTOMS_SIGNER", "rsa"),
        "CUSTOMS_SIGNING_KEY": os.environ.get("CUSTOMS_SIGNING_KEY", ""),
        "CUSTOMS_SIGNING_CERT": os.environ.get("CUSTOMS_SIGNING_CERT", ""),
        "CUSTOMS_SIGNER_URL": os.environ.get("CUSTOMS_SIGNER_URL", ""),
        "CUSTOMS_SIGNER_TIMEOUT": float(os.environ.get("CUSTOMS_SIGNER_TIMEOUT", "30")),
        "CUSTOMS_KEYS_DIR": os.environ.get("CUSTOMS_KEYS_DIR", str(INSTANCE_DIR / "customs-keys")),
        # The folders the e-port's transfer client watches: declarations go out of the outbox, customs'
        # receipts arrive in the inbox (imported ones move to its processed/ folder).
        "CUSTOMS_OUTBOX": os.environ.get("CUSTOMS_OUTBOX", str(INSTANCE_DIR / "customs" / "outbox")),
        "CUSTOMS_INBOX": os.environ.get("CUSTOMS_INBOX", str(INSTANCE_DIR / "customs" / "inbox")),
        # Waybill numbers come from the carrier's allotted range: its prefix, then the declaration's number.
        "CUSTOMS_WAYBILL_PREFIX": os.environ.get("CUSTOMS_WAYBILL_PREFIX", "SD1510"),
    })
    return settings
