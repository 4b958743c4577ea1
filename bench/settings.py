"""Settings of the load benchmark (bench/load.py): production settings, plus a trivial view to compare with.

Only the URL configuration differs from `concilium.settings`, so the app runs exactly as in production
(DEBUG off, the manifest's static files, the cache and sessions from REDIS_URL); nothing here is shipped.
"""

from concilium.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
