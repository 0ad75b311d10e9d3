"""A registry import near the upload limit: a valid file just under ``MAX_REQUEST_BYTES`` is imported, one just
over is refused before anything reads it, with a message naming the limit; and a CSV is read in bounded memory,
whatever its size (it was held whole three times over: as bytes, as text and as the reader's copy of the text).

The limit is lowered here to keep the test quick; ``bench/upload_limit_bench.py`` does the same at the real
limit (100 MB by default) and measures the time and memory."""

import io
import tracemalloc

import pytest
from django.test import override_settings

from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Target
from shuangsuiji.tabular.reader import read_rows
from tests.clients import signed_in

pytestmark = pytest.mark.django_db

HEADER = "统一社会信用代码,单位名称,行政区划代码,地址,监管类别,状态\r\n"
LIMIT = 2 * 2**20


def targets_csv(size: int, county: str = "130623") -> bytes:
    """A valid targets CSV of about ``size`` bytes (never more): long addresses, distinct credit codes."""
    lines, total, n = [HEADER.encode()], len(HEADER.encode()), 0
    while True:
        line = f"{complete(f'91{county}{n:09d}')},保定市测试{n}有限公司,{county},{'涞水县经济开发区创业路' * 8}{n}号," \
               f"一般排污单位,在营\r\n".encode()
        if total + len(line) > size:
            return b"".join(lines)
        lines.append(line)
        total += len(line)
        n += 1


def _post(client, content: bytes):
    upload = io.BytesIO(content)
    upload.name = "targets.csv"
    return client.post("/registry/targets/import/", {"file": upload})


@override_settings(MAX_REQUEST_BYTES=LIMIT, MAX_REQUEST_MB=LIMIT // 2**20)
def test_a_file_just_under_the_limit_is_imported(tree, users):
    content = targets_csv(LIMIT - 8 * 1024)  # the form's other fields and the multipart boundaries fit in the rest
    rows = content.count(b"\r\n") - 1
    response = _post(signed_in(users["county_admin"]), content)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Target.objects.count() == rows > 2000  # more than one chunk of the import


@override_settings(MAX_REQUEST_BYTES=LIMIT, MAX_REQUEST_MB=LIMIT // 2**20)
@pytest.mark.parametrize(("language", "said"), [("zh-hans", "一次提交不超过 2 MB"), ("en", "2 MB")])
def test_a_file_just_over_the_limit_is_refused_naming_it(tree, users, language, said):
    client = signed_in(users["county_admin"])
    client.cookies["django_language"] = language
    response = _post(client, targets_csv(LIMIT + 1024))
    assert response.status_code == 413
    assert said in response.content.decode()
    assert not Target.objects.exists()


def test_a_large_csv_is_read_in_bounded_memory():
    content = targets_csv(24 * 2**20)
    rows = content.count(b"\r\n")
    tracemalloc.start()
    try:
        counted = sum(1 for _row in read_rows(io.BytesIO(content), "targets.csv"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counted == rows
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MiB to read a {len(content) / 2**20:.0f} MiB CSV"


def test_a_gbk_csv_and_a_nul_are_still_told_apart():
    gbk = targets_csv(200_000).decode().encode("gb18030")
    assert sum(1 for _row in read_rows(io.BytesIO(gbk), "t.csv")) == gbk.count(b"\r\n")
    from shuangsuiji.tabular.reader import SheetError

    damaged = b"a,b\r\nc,d\r\ne,\x00f\r\n"
    with pytest.raises(SheetError, match="第 3 行含有空字符"):
        list(read_rows(io.BytesIO(damaged), "t.csv"))
