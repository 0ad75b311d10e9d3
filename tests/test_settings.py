"""The settings read from the environment for a bureau's server (docs/operations.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def _settings(**env: str) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, "
            "s.SECURE_HSTS_SECONDS]))")
    ours = {"DEBUG", "HTTPS", "HSTS_SECONDS"}  # as the test says, not as this shell happens to have them
    environment = {key: value for key, value in os.environ.items() if key not in ours}
    environment.update(DJANGO_SETTINGS_MODULE="shuangsuiji.settings", **env)
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=environment, capture_output=True, text=True,
                         check=True).stdout
    debug, session, csrf, proxy, hsts = json.loads(out)
    return {"debug": debug, "session": session, "csrf": csrf, "proxy": proxy, "hsts": hsts}


def test_plain_http_by_default_so_an_intranet_without_https_can_sign_in():
    assert _settings() == {"debug": True, "session": False, "csrf": False, "proxy": None, "hsts": 0}


def test_behind_an_https_proxy_the_cookies_are_secure_and_the_proxy_is_trusted():
    found = _settings(DEBUG="False", HTTPS="True", HSTS_SECONDS="3600")
    assert found == {"debug": False, "session": True, "csrf": True, "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
                     "hsts": 3600}
