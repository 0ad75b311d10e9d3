"""A registry import at the upload limit, through the page: a valid targets CSV just under ``MAX_REQUEST_BYTES``
(100 MB by default) posted to /registry/targets/import/ through Django's WSGI handler (the body read from a
file, as a server reads it from its socket), and one just over it.

Each runs in its own process, on a fresh database with DEBUG off, so that its wall time and peak resident memory
(ru_maxrss) are its own. The file is generated (never committed): long addresses, so that the rows are as few
as a file this size allows and the run takes minutes, not hours.

    .venv/bin/python bench/upload_limit_bench.py            # at the configured limit
    MAX_REQUEST_MB=20 .venv/bin/python bench/upload_limit_bench.py
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from fresh_db import fresh_environment  # bench/ is the script's own directory, first on sys.path

COUNTY = ("130608", "清苑区")
HEADER = "统一社会信用代码,单位名称,行政区划代码,地址,行业代码,行业名称,联系人,联系电话,监管类别,状态\r\n"


def build_csv(path: str, size: int) -> int:
    """A valid targets CSV of at most ``size`` bytes, as close to it as a row allows; returns its rows."""
    from shuangsuiji.engine.creditcode import complete

    code, name = COUNTY
    written, rows = 0, 0
    with open(path, "wb") as handle:
        header = HEADER.encode()
        handle.write(header)
        written += len(header)
        while True:
            line = (f"{complete(f'91{code}{rows:09d}')},保定市测试{rows}有限公司,{code},"
                    f"{name}{'经济开发区创业路' * 9}{rows}号,C2614,有机化学原料制造,张某,0312-0000000,"
                    f"{'重点排污单位' if rows % 11 == 0 else '一般排污单位'},在营\r\n").encode()
            if written + len(line) > size:
                return rows
            handle.write(line)
            written += len(line)
            rows += 1


def build_body(csv_path: str, body_path: str, token: str) -> str:
    """The multipart body a browser posts (the form token, then the file), written to disk: the request is read
    by the server from a file, as from a socket, so the measure holds no client's copy of it."""
    boundary = "----shuangsuijiBenchBoundary"
    with open(body_path, "wb") as body, open(csv_path, "rb") as source:
        body.write((f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n"
                    f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"targets.csv\"\r\n"
                    f"Content-Type: text/csv\r\n\r\n").encode())
        while chunk := source.read(2**20):
            body.write(chunk)
        body.write(f"\r\n--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}"


def phase(path: str) -> dict:
    """Post the file to the import page through Django's WSGI handler, the server's code path."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string

    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.registry.models import Jurisdiction, Level, Target

    call_command("migrate", verbosity=0)
    province = Jurisdiction.objects.create(code="130000", name="河北省", level=Level.PROVINCE, path="130000.")
    city = Jurisdiction.objects.create(code="130600", name="保定市", level=Level.CITY, parent=province,
                                       path="130000.130600.")
    county = Jurisdiction.objects.create(code=COUNTY[0], name=COUNTY[1], level=Level.COUNTY, parent=city,
                                         path=f"{city.path}{COUNTY[0]}.")
    user = User.objects.create_user(username="county", password="x", role=Role.COUNTY_ADMIN, jurisdiction=county)
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token = _get_new_csrf_string()
    body_path = path + ".body"
    content_type = build_body(path, body_path, token)
    size = os.path.getsize(body_path)
    status: list[str] = []
    handler = WSGIHandler()
    start = time.perf_counter()
    with open(body_path, "rb") as body:
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/registry/targets/import/", "SCRIPT_NAME": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
                   "wsgi.url_scheme": "http", "wsgi.input": body, "wsgi.errors": sys.stderr,
                   "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(size),
                   "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                                  f"{settings.CSRF_COOKIE_NAME}={token}"}
        response = handler(environ, lambda code, headers, exc_info=None: status.append(code))
        text = b"".join(response).decode(errors="replace")
        response.close()
    seconds = time.perf_counter() - start
    os.remove(body_path)
    code = int(status[0].split()[0])
    message = ""
    if code != 302:
        import re

        found = re.search(r"(提交的内容过大[^<]*|文件[^<]*)", text)
        message = found.group(1).strip() if found else text[:300]
    return {"status": code, "seconds": seconds, "created": Target.objects.count(), "body_mib": size / 2**20,
            "message": message, "database": django.db.connection.vendor}


def run(path: str, env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", path], capture_output=True, text=True, env=env,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from django.conf import settings

    limit = settings.MAX_REQUEST_BYTES
    for label, size in (("just under", limit - 64 * 1024), ("just over", limit + 1024)):
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "targets.csv")
        rows = build_csv(path, size)
        result = run(path, fresh_environment(folder))
        print(f"{label} the limit ({limit / 2**20:.0f} MiB): {os.path.getsize(path) / 2**20:.1f} MiB, {rows:,} rows "
              f"-> HTTP {result['status']}, {result['created']:,} created, {result['seconds']:.1f} s, peak RSS "
              f"{result['max_rss_mib']:.0f} MiB on {result['database']}"
              + (f"; said: {result['message']}" if result["message"] else ""))
        os.remove(path)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if sys.argv[1:2] == ["--phase"]:
        result = phase(sys.argv[2])
        result["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result, ensure_ascii=False))
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
        import django

        django.setup()
        main()
