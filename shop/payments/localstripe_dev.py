"""Run localstripe — a stateful stand-in for Stripe's API — on loopback, for development and tests.

    python -m shop.payments.localstripe_dev --port 8420 \
        --webhook-url http://127.0.0.1:5000/payments/stripe/webhook --webhook-secret whsec_...

Unlike the stock `localstripe` command it listens on 127.0.0.1 only, keeps its data in memory (the stock
command pickles its whole store to a file in /tmp after every write: slow, and state leaks between runs),
and registers the shop's webhook at start. It relies on localstripe internals, which is why the version is
pinned. Never used in production: real keys talk to Stripe itself.
"""

from __future__ import annotations

import argparse
import logging


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url", help="where to post events (payment_intent.succeeded, …)")
    parser.add_argument("--webhook-secret", help="the signing secret the shop verifies events with")
    parser.add_argument("--quiet", action="store_true", help="do not log every request")
    args = parser.parse_args(argv)

    from aiohttp import web
    from localstripe import resources, server, webhooks

    resources.Store.dump_to_disk = lambda self: None  # memory only
    if args.webhook_url:
        webhooks.register_webhook("globalbuy", args.webhook_url, args.webhook_secret or "", None)

    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="localstripe: %(message)s")
    web.run_app(server.app, host=args.host, port=args.port, access_log=None if args.quiet else
                logging.getLogger("aiohttp.access"), print=lambda *a: None)


if __name__ == "__main__":
    main()
