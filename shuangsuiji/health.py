"""``/healthz``: whether this server can answer, for a load balancer or a monitor polling it every few seconds.

It asks the database one trivial question and looks at ``MEDIA_ROOT`` (``shuangsuiji.media``: the folder of the
records' files is there and writable), and says so in a small JSON body: 200 when both are fine, 503 when either
is not (the worker is up but cannot serve a page, or cannot store a photo nor print a record with photos). It reads
no table, lists no directory and touches no session, so polling costs nothing and shows no data; what went wrong
(with the paths) is in the server's log, not in the answer, which anyone on the network may read.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from shuangsuiji.media import media_problem

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    body = {"status": "ok", "database": "ok", "media": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database did not answer")
        body.update(status="error", database="unavailable")
    problem = media_problem()
    if problem:
        logger.error("health check: the media files cannot be stored: %s", problem)
        body.update(status="error", media="unavailable")
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
