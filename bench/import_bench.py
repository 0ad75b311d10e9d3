"""Import benchmark: a targets workbook of N rows through the same code path as `import_registry`.

Each phase runs in its own process so that its wall time and peak resident memory (ru_maxrss) are its
own: plain openpyxl read-only iteration over the file (the floor any import must pay to read it), and the
import into a fresh database (migrations run before the clock starts).

    .venv/bin/python bench/import_bench.py 25000 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python bench/import_bench.py 100000
    .venv/bin/python bench/import_bench.py readings

``readings`` times the other import the issues measure: a month of a county's hourly online-monitoring
readings (60 outlets × 3 pollutants × 744 hours = 133,920 rows) through ``intake.services.do_import``.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from fresh_db import fresh_environment  # bench/ is the script's own directory, first on sys.path

COUNTIES = [("130602", "竞秀区"), ("130606", "莲池区"), ("130607", "满城区"), ("130608", "清苑区"),
            ("130609", "徐水区")]


def build_workbook(rows: int, path: str) -> None:
    from openpyxl import Workbook

    from shuangsuiji.engine.creditcode import complete

    book = Workbook(write_only=True)
    sheet = book.create_sheet("检查对象名录库")
    sheet.append(["统一社会信用代码", "单位名称", "行政区划代码", "地址", "行业代码", "行业名称", "经度", "纬度",
                  "联系人", "联系电话", "监管类别", "正面清单", "状态"])
    for n in range(rows):
        code, name = COUNTIES[n % len(COUNTIES)]
        sheet.append([complete(f"91{code}{n:09d}"), f"保定市测试{n}有限公司", code, f"{name}测试路{n}号", "C2614",
                      "有机化学原料制造", 115.4, 38.8, "张某", "0312-0000000",
                      "重点排污单位" if n % 11 == 0 else "一般排污单位", "否", "在营"])
    book.save(path)


READING_OUTLETS = 60
READING_HOURS = 744


def build_readings(path: str) -> None:
    """One plant's month: every outlet, three pollutants, every hour; one reading in 97 over its limit."""
    import datetime

    from openpyxl import Workbook

    from shuangsuiji.engine.creditcode import complete

    book = Workbook(write_only=True)
    sheet = book.create_sheet("在线监测数据")
    sheet.append(["统一社会信用代码", "排口编号", "污染物", "监测时间", "监测值", "标准限值", "单位"])
    first = datetime.datetime(2021, 3, 1)
    code = complete(f"91{COUNTIES[0][0]}000000001")
    for outlet in range(READING_OUTLETS):
        for pollutant in ("二氧化硫", "氮氧化物", "颗粒物"):
            for hour in range(READING_HOURS):
                value = 40 if (hour % 97 == 0 and pollutant == "颗粒物") else 12.5
                sheet.append([code, f"DA{outlet:03d}", pollutant, first + datetime.timedelta(hours=hour), value, 30,
                              "mg/m³"])
    book.save(path)


def _jurisdictions():
    from shuangsuiji.registry.models import Jurisdiction, Level

    province = Jurisdiction.objects.create(code="130000", name="河北省", level=Level.PROVINCE, path="130000.")
    city = Jurisdiction.objects.create(code="130600", name="保定市", level=Level.CITY, parent=province,
                                       path="130000.130600.")
    return {code: Jurisdiction.objects.create(code=code, name=name, level=Level.COUNTY, parent=city,
                                              path=f"{city.path}{code}.") for code, name in COUNTIES}


def phase_floor(path: str) -> dict:
    from openpyxl import load_workbook

    start = time.perf_counter()
    rows = sum(1 for _row in load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    return {"seconds": time.perf_counter() - start, "rows": rows - 1}


def phase_import(path: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    django.setup()
    from django.core.management import call_command

    from shuangsuiji.registry.models import Target
    from shuangsuiji.registry.services import do_import_registry

    call_command("migrate", verbosity=0)
    _jurisdictions()
    start = time.perf_counter()
    with open(path, "rb") as handle:
        summary = do_import_registry("targets", handle, os.path.basename(path), acting_user=None)
    seconds = time.perf_counter() - start
    assert summary["created"] == Target.objects.count(), summary
    return {"seconds": seconds, "rows": summary["created"], "database": django.db.connection.vendor}


def phase_readings(path: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    django.setup()
    from django.core.management import call_command

    from shuangsuiji.engine.creditcode import complete
    from shuangsuiji.intake.services import do_import
    from shuangsuiji.registry.models import Outlet, Target, TargetStatus

    call_command("migrate", verbosity=0)
    county = _jurisdictions()[COUNTIES[0][0]]
    plant = Target.objects.create(credit_code=complete(f"91{county.code}000000001"), name="保定市测试化工有限公司",
                                  jurisdiction=county, status=TargetStatus.ACTIVE)
    Outlet.objects.bulk_create(Outlet(target=plant, code=f"DA{n:03d}") for n in range(READING_OUTLETS))
    start = time.perf_counter()
    with open(path, "rb") as handle:
        result = do_import("exceedances", handle, os.path.basename(path), acting_user=None)
    seconds = time.perf_counter() - start
    assert result.batch.readings == READING_OUTLETS * 3 * READING_HOURS, result.batch.readings
    return {"seconds": seconds, "rows": result.batch.readings, "database": django.db.connection.vendor}


def run_phase(phase: str, path: str, env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, path], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main_readings() -> None:
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "readings.xlsx")
    build_readings(path)
    env = fresh_environment(folder)
    floor = run_phase("floor", path, env)
    imported = run_phase("readings", path, env)
    assert floor["rows"] == imported["rows"]
    print(f"{imported['rows']:>7} hourly readings on {imported['database']}: import {imported['seconds']:.1f} s, "
          f"peak RSS {imported['max_rss_mib']:.0f} MiB | openpyxl read-only iteration {floor['seconds']:.1f} s | "
          f"ratio {imported['seconds'] / floor['seconds']:.2f}")


def main(sizes: list[int]) -> None:
    for rows in sizes:
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, f"targets-{rows}.xlsx")
        build_workbook(rows, path)
        env = fresh_environment(folder)
        floor = run_phase("floor", path, env)
        imported = run_phase("import", path, env)
        assert floor["rows"] == imported["rows"] == rows
        print(f"{rows:>7} rows on {imported['database']}: import {imported['seconds']:.1f} s, "
              f"peak RSS {imported['max_rss_mib']:.0f} MiB | openpyxl read-only iteration {floor['seconds']:.1f} s, "
              f"peak RSS {floor['max_rss_mib']:.0f} MiB | ratio {imported['seconds'] / floor['seconds']:.2f}")


if __name__ == "__main__":
    if sys.argv[1] == "--phase":
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        result = {"floor": phase_floor, "import": phase_import, "readings": phase_readings}[sys.argv[2]](sys.argv[3])
        result["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
    else:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        if sys.argv[1:] == ["readings"]:
            main_readings()
        else:
            main([int(n) for n in sys.argv[1:]] or [100_000])
