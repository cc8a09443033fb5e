"""Background jobs: long work (exports, folder imports, reservation expiry, e-mail) off the request.

With REDIS_URL set, work goes to an RQ queue on Redis and `flask --app shop jobs worker` runs it (any number
of workers on any number of machines); `flask --app shop jobs cron` enqueues the periodic work. Without Redis,
the same work runs inline, so the embedded development setup needs no extra process.

Two kinds of work:
- tracked jobs (`submit`): a `jobs` row that the person who asked sees, with progress and a file to download;
- tasks (`enqueue`): fire-and-forget work such as an e-mail or the minute's reservation expiry.
"""
