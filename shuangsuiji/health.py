"""``/healthz``: whether this server can answer, for a load balancer or a monitor polling it every few seconds.

It asks the database one trivial question and says so in a small JSON body: 200 when it answers, 503 when it does
not (the worker is up but cannot serve a page). It reads no table and no session, so polling costs nothing and
shows no data; what went wrong is in the server's log, not in the answer, which anyone on the network may read.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
