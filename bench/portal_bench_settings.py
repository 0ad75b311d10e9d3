"""Settings of bench/portal_bench.py only: the project's settings, a trivial view beside the real URLs, and
the public API's throttling off (50 clients from one address would otherwise be throttled, not measured)."""

from shuangsuiji.settings import *  # noqa: F403

ROOT_URLCONF = "portal_bench_urls"
PUBLIC_API_RATE = None  # the public API's throttle off
# the served application refuses the development key with DEBUG off (shuangsuiji/wsgi.py); any other fixed key will do
SECRET_KEY = "portal-bench-only-" + "k" * 40
