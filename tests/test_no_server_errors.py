"""No URL answers malformed input with a server error (the project's rule: a form error, a 400 naming what is
wrong, or a 404 — never a 500).

Every URL pattern of the site (the staff pages, the API, the public portal; the admin site is Django's), as
each role, with path ids that do not exist or do not fit a database integer, query parameters the views read
set to malformed values (Unicode digits int() refuses, numbers past 64 bits, days at the calendar's ends, NUL,
very long text), and a POST of the same. A smoke test over the small fixture tree: the deeper states (drafts,
ceremonies) are covered by each app's own tests; this one catches a new view or filter that trusts its input.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shuangsuiji.media import ensure_media_folder

# Parameter names the views, filter forms and API filtersets read (a name a view does not read is ignored).
NAMES = ["page", "page_size", "q", "jurisdiction", "year", "quarter", "month", "period", "from", "to", "status",
         "kind", "level", "category", "outlet", "target", "state", "mode", "handling", "source", "channel",
         "verified", "industry", "industry_code", "public_id", "credit_code", "sealed_after", "plan", "mine",
         "my_department", "is_joint", "is_active", "code", "format", "next", "download", "department", "specialty",
         "role", "action", "actor", "since", "until", "about", "verify", "address", "reason", "drawn_by", "place"]
VALUES = ["²", "99999999999999999999", "0001-01-01", "9999-12-31T23:59:59", "a\x00b"]
ROLES = [None, "city_admin", "county_admin", "inspector", "department_user"]
# Ids for the path: neither exists; the second does not fit a 64-bit integer.
IDS = ["999999", "99999999999999999999"]
STRS = ["%00", "x" * 300, "91130600MA0000000X"]


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern).removeprefix("^")
        if isinstance(pattern, URLResolver):
            if not route.startswith("admin/"):
                yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "logout" not in route and "<drf_format_suffix" not in route:
            yield route.removesuffix("$")


def _paths(route: str) -> list[str]:
    """The route with each argument in turn (the others a missing id) set to each malformed value."""
    args = re.findall(r"<(?:(\w+):)?\w+>|\(\?P<\w+>[^)]*\)", route)
    if not args:
        return ["/" + route.replace("\\.", ".")]
    paths = []
    for index in range(len(args)):
        converter = args[index]
        for value in STRS if converter in ("str", "path") else IDS:
            path = route
            for n, _arg in enumerate(args):
                pattern = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")
                path = pattern.sub(value if n == index else "999999", path, count=1)
            paths.append("/" + path.replace("\\.", ".").replace("/?", "/"))
    return paths


ROUTES = sorted(set(_routes()))


@pytest.mark.parametrize("route", ROUTES)
def test_malformed_input_is_never_a_server_error(route, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_media_folder()  # as migrate leaves a server's MEDIA_ROOT: else /healthz rightly answers 503
    failures = []
    clients = {}
    for role in ROLES:
        clients[role] = Client(raise_request_exception=False)
        if role:
            clients[role].force_login(users[role])
    for path in _paths(route):
        with_args = path != "/" + route.replace("\\.", ".")
        for role, client in clients.items():
            if with_args and role not in (None, "county_admin"):
                continue  # a path that names nothing: the 404 comes before the role matters
            requests = [("get", {}), ("post", {})]
            if not with_args:
                requests += [("options", {}), ("head", {})]
                requests += [("get", {name: value for name in NAMES}) for value in VALUES]
                requests += [("post", {name: value for name in NAMES}) for value in VALUES[:2]]
            for method, data in requests:
                response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
                if response.status_code >= 500:
                    error = response.exc_info[1] if getattr(response, "exc_info", None) else None
                    failures.append(f"{method.upper()} {path[:80]} as {role}: {response.status_code} "
                                    f"{str(data)[:60]} {error!r}")
                if connection.needs_rollback:  # pragma: no cover - a failed query inside the test's transaction
                    break
    assert not failures, "\n".join(failures[:10])
