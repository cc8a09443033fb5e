"""localstripe for the tests: a launcher, fixtures, and helpers that do what Stripe (or a browser) would.

Registered for every test directory from tests/conftest.py:

    from tests.localstripe import localstripe, localstripe_server  # noqa: F401

- `localstripe_server` (session): `python -m shop.payments.localstripe_dev` on a free loopback port, stopped
  at the end of the run. A `LocalStripe` handle: base URL, keys, a `stripe` client, helpers.
- `localstripe` (session): the same handle, with the session-scoped `app` pointed at it (STRIPE_API_BASE,
  STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, the cached gateway dropped); restored at the end.

Another app (a live server on its own database, the e2e tests) can use `point_app_at(app, handle)`, or start
a server of its own with `running_localstripe()`. Between tests, `handle.reset()` empties localstripe's store.
See /work/shared/reference/STRIPE-OFFLINE.md for what localstripe does and does not do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import stripe

from shop import PROJECT_ROOT

SECRET_KEY = "sk_test_globalbuy_tests"
PUBLISHABLE_KEY = "pk_test_globalbuy_tests"
WEBHOOK_SECRET = "whsec_globalbuy_tests"

# Stripe's test cards, as localstripe plays them.
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"  # attaches, then declined when charged: card_declined
CARD_3DS = "4000002760003184"  # stops at requires_action until authenticated

STARTUP_TIMEOUT = 10.0

# Straight to loopback, whatever proxy the environment names.
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(base: str) -> bool:
    """localstripe answers (not merely something listening on the port): it serves its Stripe.js stand-in."""
    try:
        with _http.open(f"{base}/js.stripe.com/v3/", timeout=0.5) as response:
            return response.status == 200
    except OSError:  # refused, reset, timed out, HTTP errors
        return False


@contextmanager
def running_localstripe(*, attempts: int = 3) -> Iterator[str]:
    """Start the shop's localstripe launcher on a free loopback port; yield its base URL; stop it by PID."""
    failures = []
    for _ in range(attempts):  # a free port can be taken between looking and binding: try another
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryFile() as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "shop.payments.localstripe_dev", "--quiet", "--port", str(port)],
                cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
            try:
                deadline = time.monotonic() + STARTUP_TIMEOUT
                ready = False
                while process.poll() is None and time.monotonic() < deadline:
                    if _answers(base):
                        ready = process.poll() is None  # still ours: not a dead process and another listener
                        break
                    time.sleep(0.02)
                if ready:
                    yield base
                    return
                log.seek(0)
                output = log.read().decode(errors="replace")
                failures.append(f"exit code {process.poll()} on port {port}:\n{output}")
            finally:
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
    pytest.fail("localstripe did not start:\n" + "\n".join(failures), pytrace=False)


class LocalStripe:
    """A running localstripe and what tests do with it."""

    def __init__(self, base: str, *, secret_key: str = SECRET_KEY, publishable_key: str = PUBLISHABLE_KEY,
                 webhook_secret: str = WEBHOOK_SECRET):
        self.base = base
        self.secret_key = secret_key
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(secret_key, base_addresses={"api": base}, max_network_retries=0)

    # --- raw HTTP (localstripe's own /_config endpoints, and what the browser's Stripe.js would do) ---

    def _request(self, method: str, path: str, *, form: dict | None = None, auth: bool = False) -> tuple[int, bytes]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if auth:
            request.add_header("Authorization", f"Bearer {self.secret_key}")
        try:
            with _http.open(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read()

    def reset(self) -> None:
        """Empty localstripe's store (customers, payment methods, intents, refunds). Webhooks stay registered."""
        status, body = self._request("DELETE", "/_config/data")
        assert status == 200, body

    def register_webhook(self, name: str, url: str, secret: str | None = None) -> None:
        status, body = self._request("POST", f"/_config/webhooks/{name}",
                                     form={"url": url, "secret": secret or self.webhook_secret})
        assert status == 200, body

    def payment_method(self, number: str = CARD_OK) -> str:
        """A card PaymentMethod entered as a number (what Stripe.js would create in the browser)."""
        pm = self.client.v1.payment_methods.create(params={
            "type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}})
        return pm.id

    def authenticate(self, intent_id: str, *, success: bool = True) -> dict:
        """Complete (or fail) 3-D Secure, as the browser's modal does."""
        intent = self.client.v1.payment_intents.retrieve(intent_id)
        status, body = self._request(
            "POST", f"/v1/payment_intents/{intent_id}/_authenticate?success={'true' if success else 'false'}",
            form={"key": self.publishable_key, "client_secret": intent.client_secret})
        assert status == 200, body
        return json.loads(body)

    def intent_json(self, intent_id: str) -> dict:
        """The PaymentIntent exactly as the API returns it (for webhook payloads)."""
        status, body = self._request("GET", f"/v1/payment_intents/{intent_id}", auth=True)
        assert status == 200, body
        return json.loads(body)

    # --- webhooks built the way Stripe builds them ---------------------------------------------------

    def event(self, event_type: str, obj: dict, *, event_id: str | None = None) -> bytes:
        return json.dumps({
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "type": event_type,
            "api_version": "2020-08-27", "created": int(time.time()), "livemode": False,
            "data": {"object": obj}, "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
        }, indent=2).encode()

    def sign(self, payload: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
        """A Stripe-Signature header: t=…,v1=HMAC-SHA256(secret, "{t}.{payload}")."""
        t = int(time.time()) if timestamp is None else timestamp
        mac = hmac.new((secret or self.webhook_secret).encode(), f"{t}.".encode() + payload, hashlib.sha256)
        return f"t={t},v1={mac.hexdigest()}"

    def intent_event(self, intent_id: str, event_type: str = "payment_intent.succeeded", *,
                     event_id: str | None = None) -> tuple[bytes, dict[str, str]]:
        """A signed event about a PaymentIntent as localstripe has it now: (body, headers) for a POST."""
        payload = self.event(event_type, self.intent_json(intent_id), event_id=event_id)
        return payload, {"Stripe-Signature": self.sign(payload), "Content-Type": "application/json"}


def point_app_at(app, handle: LocalStripe) -> dict:
    """Make `app` talk to this localstripe; returns the previous settings for `restore_app`."""
    keys = ("STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET",
            "STRIPE_JS_URL")
    previous = {key: app.config.get(key) for key in keys}
    app.config.update(STRIPE_API_BASE=handle.base, STRIPE_SECRET_KEY=handle.secret_key,
                      STRIPE_PUBLISHABLE_KEY=handle.publishable_key, STRIPE_WEBHOOK_SECRET=handle.webhook_secret,
                      STRIPE_JS_URL=f"{handle.base}/js.stripe.com/v3/")
    app.extensions.pop("stripe_gateway", None)
    return previous


def restore_app(app, previous: dict) -> None:
    app.config.update(previous)
    app.extensions.pop("stripe_gateway", None)


@pytest.fixture(scope="session")
def localstripe_server() -> Iterator[LocalStripe]:
    """A localstripe process for the whole run (started on first use)."""
    with running_localstripe() as base:
        yield LocalStripe(base)


@pytest.fixture(scope="session")
def localstripe(app, localstripe_server) -> Iterator[LocalStripe]:
    """localstripe, with the tests' `app` pointed at it."""
    previous = point_app_at(app, localstripe_server)
    yield localstripe_server
    restore_app(app, previous)
