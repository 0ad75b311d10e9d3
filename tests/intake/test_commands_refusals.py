"""classify refuses a year outside those the system stores, naming the option, and classifies nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.intake.models import ClassificationRun

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", ["0", "1", "9999", "99999999999"])
def test_classify_refuses_a_year_out_of_range(tree, year):
    with pytest.raises(CommandError, match=f"--year {year} 超出范围：年度应在 2 至 9998 之间"):
        call_command("classify", "--year", year, "--quarter", "1", stdout=StringIO(), stderr=StringIO())
    assert not ClassificationRun.objects.exists()


def test_import_intake_names_a_problem_of_the_whole_file_as_the_files_and_checks_its_paths_first(tmp_path,
                                                                                                 capsys):
    """As import_registry does: "第1行" sent the reader to a header that is not there, and an --errors-out in a
    missing folder (or a template written there) was a traceback."""
    not_a_workbook = tmp_path / "hostname"
    not_a_workbook.write_text("localhost\n")
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_intake", "penalties", str(not_a_workbook))
    told = capsys.readouterr().err
    assert "hostname：只能导入 .xlsx 或 .csv 文件" in told and "第1行" not in told
    for options, says in ((["--errors-out", str(tmp_path / "missing" / "x.xlsx")], "目录"),
                          (["--errors-out", str(tmp_path)], "是一个目录")):
        with pytest.raises(CommandError, match=says):
            call_command("import_intake", "penalties", str(not_a_workbook), *options)
    with pytest.raises(CommandError, match="是一个目录"):
        call_command("import_intake", "penalties", str(tmp_path))
    with pytest.raises(CommandError, match="无法把模板写到"):
        call_command("import_intake", "penalties", str(tmp_path / "missing" / "t.xlsx"), "--template")
