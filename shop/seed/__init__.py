"""Demo and benchmark data: `flask --app shop seed` and `flask --app shop seed --products N`.

- `seed_demo(session, media_root)`: the demo catalogue (about 180 imported products with photos, stock
  lots and customs data), two bonded warehouses and one account per role. Idempotent.
- `seed_bulk(session, n)`: n generated products for load tests, via Core bulk inserts.
- `DEMO_ACCOUNTS`: (role, email, password) of the demo accounts.

Neither function commits: the caller does.
"""

from shop.seed.bulk import seed_bulk
from shop.seed.data import DEMO_ACCOUNTS
from shop.seed.demo import SeedReport, seed_demo

__all__ = ["DEMO_ACCOUNTS", "SeedReport", "seed_bulk", "seed_demo"]
