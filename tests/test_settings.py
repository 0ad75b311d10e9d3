"""The settings read from the environment for a bureau's server (docs/operations.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


OURS = {"DEBUG", "HTTPS", "HSTS_SECONDS", "SECRET_KEY", "CACHE_DIR"}


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    """``python -c code`` in the project with these variables, not the ones this shell happens to have."""
    environment = {key: value for key, value in os.environ.items() if key not in OURS}
    environment.update(DJANGO_SETTINGS_MODULE="shuangsuiji.settings", **env)
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=environment, capture_output=True, text=True)


def _settings(**env: str) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, "
            "s.SECURE_HSTS_SECONDS]))")
    out = _run(code, **env)
    assert out.returncode == 0, out.stderr
    out = out.stdout
    debug, session, csrf, proxy, hsts = json.loads(out)
    return {"debug": debug, "session": session, "csrf": csrf, "proxy": proxy, "hsts": hsts}


def test_plain_http_by_default_so_an_intranet_without_https_can_sign_in():
    assert _settings() == {"debug": True, "session": False, "csrf": False, "proxy": None, "hsts": 0}


def test_behind_an_https_proxy_the_cookies_are_secure_and_the_proxy_is_trusted():
    found = _settings(DEBUG="False", HTTPS="True", HSTS_SECONDS="3600")
    assert found == {"debug": False, "session": True, "csrf": True, "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
                     "hsts": 3600}


SERVE = "import shuangsuiji.wsgi"  # what gunicorn shuangsuiji.wsgi does first


def test_a_server_with_debug_off_refuses_to_start_with_the_development_key():
    refused = _run(SERVE, DEBUG="False")
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "SECRET_KEY is not set" in refused.stderr
    assert _run(SERVE, DEBUG="False", SECRET_KEY="").returncode != 0  # an empty value is no key either


def test_a_server_starts_with_its_own_key_and_the_demo_without_one():
    assert _run(SERVE, DEBUG="False", SECRET_KEY="a-long-random-string-kept-out-of-the-repository").returncode == 0
    assert _run(SERVE).returncode == 0  # make run: DEBUG on


def test_the_deploy_check_names_the_development_key():
    code = "import sys; from django.core.management import execute_from_command_line as run; " \
           "run(['manage.py', 'check', '--deploy'])"
    assert "security.W009" in _run(code, DEBUG="False").stderr
    assert "security.W009" not in _run(code, DEBUG="False", SECRET_KEY="x" * 20 + "a-long-random-key" * 3).stderr


def test_cache_dir_gives_every_process_one_cache(tmp_path):
    """The public API's limit (PUBLIC_API_RATE) counts in the default cache: with CACHE_DIR the workers share it,
    so the limit is per address, not per address and worker."""
    setup = "import django; django.setup(); from django.core.cache import cache; "
    assert _run(setup + "cache.set('seen', 7)", CACHE_DIR=str(tmp_path)).returncode == 0
    shared = _run(setup + "print(cache.get('seen'))", CACHE_DIR=str(tmp_path))
    assert shared.stdout.strip() == "7", shared.stderr
    alone = _run(setup + "print(cache.get('seen'))")
    assert alone.stdout.strip() == "None", alone.stderr
