"""Encryption of personal data at rest (resident ID numbers, phone numbers) and keyed digests for lookups.

The key comes from DATA_KEY (a Fernet key). Without one, development derives it from SECRET_KEY, so a
fresh checkout works; production must set its own (and keep it: data encrypted with a lost key is lost).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"globalbuy", info=purpose).derive(secret.encode())


def _keys() -> tuple[Fernet, bytes]:
    cached = current_app.extensions.get("data_keys")
    if cached is None:
        configured = current_app.config.get("DATA_KEY") or ""
        if configured:
            fernet_key = configured.encode()
            digest_key = _derive(configured, b"digest")
        else:
            secret = current_app.config["SECRET_KEY"]
            fernet_key = base64.urlsafe_b64encode(_derive(secret, b"encrypt"))
            digest_key = _derive(secret, b"digest")
        cached = (Fernet(fernet_key), digest_key)
        current_app.extensions["data_keys"] = cached
    return cached


def encrypt(value: str) -> str:
    return _keys()[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys()[0].decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong DATA_KEY: say so rather than show garbage
        raise RuntimeError("personal data cannot be decrypted with the configured DATA_KEY") from exc


def digest(value: str) -> str:
    """A keyed digest: equal values give equal digests, and nobody without the key can test a guess."""
    return hmac.new(_keys()[1], value.encode(), hashlib.sha256).hexdigest()
