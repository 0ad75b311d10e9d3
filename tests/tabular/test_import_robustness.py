"""Any mix of good, bad and blank cells gets an answer, never a crash.

The row rules run on the cells a row could read (``Values.has``), so each rule must ask before it reads: one
that reads a cell that failed would end an upload in a server error instead of the list of its problems.
Rows are made of the template's example cells, garbage and blanks, for every importer of the registry and of
the outside data, and imported as the city's admin: the import goes through or is rejected with its problems.
"""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji.engine.creditcode import complete
from shuangsuiji.intake.importers import IMPORTERS as INTAKE
from shuangsuiji.intake.services import do_import
from shuangsuiji.registry.excel import IMPORTERS as REGISTRY
from shuangsuiji.registry.services import do_import_registry
from shuangsuiji.tabular.importing import ImportRejected
from tests.conftest import xlsx_upload

pytestmark = pytest.mark.django_db

GARBAGE = ("？？", "2021-02-30", "-1", "x" * 300, "91130608MA0A0000X1", "是否", "0", "1e20", "0.123456789")
OTHER_GOOD = {  # besides the template's example, which the example-row rule refuses before the others run
    "统一社会信用代码": complete("91130623000000001"), "行政区划代码": "130623", "执法证号": "13062300001",
    "事项编码": "C-9", "处罚决定书文号": "涞环罚〔2021〕1号", "举报编号": "12369-20210412-0001",
}


def _importer(registry: dict, kind: str):
    found = registry[kind]
    return found() if isinstance(found, type) else found


def _workbook(headers: list[str], rows: list[list]) -> io.BytesIO:
    return xlsx_upload([headers, *rows])


def _rows(columns) -> st.SearchStrategy:
    cell = [st.sampled_from([column.example_value, OTHER_GOOD.get(column.header, column.example_value), None, *GARBAGE])
            for column in columns]
    return st.lists(st.tuples(*cell).map(list), min_size=1, max_size=4)


KINDS = [("registry", kind) for kind in sorted(REGISTRY)] + [("intake", kind) for kind in sorted(INTAKE)]


@pytest.mark.parametrize(("app", "kind"), KINDS)
def test_every_mix_of_cells_is_imported_or_rejected_with_its_problems(tree, users, app, kind):
    importer = _importer(REGISTRY if app == "registry" else INTAKE, kind)
    headers = [column.header for column in importer.columns]
    user = users["city_admin"]

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(rows=_rows(importer.columns))
    def check(rows):
        upload = _workbook(headers, rows)
        try:
            if app == "registry":
                do_import_registry(kind, upload, "upload.xlsx", acting_user=user)
            else:
                do_import(kind, upload, "upload.xlsx", acting_user=user)
        except ImportRejected as rejected:
            assert rejected.errors and all(error.message for error in rejected.errors)

    check()
