"""import_registry refuses a folder, a missing file and an --errors-out it cannot write with a CommandError
naming the problem (never a traceback), before importing or writing anything; a problem of the whole file
is told as the file's, not as row 1's."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.registry.models import Target

pytestmark = pytest.mark.django_db
README = str(Path(__file__).resolve().parents[2] / "README.md")


def run(*args) -> str:
    err = StringIO()
    call_command("import_registry", *args, stdout=StringIO(), stderr=err, verbosity=0)
    return err.getvalue()


def test_a_folder_or_a_missing_file_is_refused(tree, tmp_path):
    with pytest.raises(CommandError, match="是一个目录"):
        run("targets", str(tmp_path))
    with pytest.raises(CommandError, match="文件不存在"):
        run("targets", str(tmp_path / "none.xlsx"))


def test_an_errors_out_it_cannot_write_is_refused_before_the_import(tree, tmp_path):
    with pytest.raises(CommandError, match=r"--errors-out 无法写入 .*：目录 .* 不存在"):
        run("targets", README, "--errors-out", str(tmp_path / "nonexistent" / "x.xlsx"))
    with pytest.raises(CommandError, match=r"--errors-out .* 是一个目录"):
        run("targets", README, "--errors-out", str(tmp_path))
    assert list(tmp_path.iterdir()) == [] and not Target.objects.exists()


def test_a_problem_of_the_whole_file_is_not_row_1(tree, tmp_path):
    path = tmp_path / "hostname"
    path.write_text("db01\n")
    err = StringIO()
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_registry", "targets", str(path), stdout=StringIO(), stderr=err, verbosity=0)
    assert "hostname：只能导入 .xlsx 或 .csv 文件" in err.getvalue()
    assert "第1行" not in err.getvalue()
