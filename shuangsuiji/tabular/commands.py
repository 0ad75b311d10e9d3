"""What the two import commands (import_registry, import_intake) share: the paths checked before anything is
read, a problem told as the file's or as a row's, and the marked original written where it was asked for."""

import os

from django.core.management.base import CommandError

from shuangsuiji.tabular.annotate import annotated_workbook
from shuangsuiji.tabular.importing import CellError, ImportRejected


def check_paths(file: str | os.PathLike, errors_out: str | os.PathLike | None) -> None:
    """Refuse a file that is a folder or missing, and an --errors-out that is a folder or in a missing folder,
    before the import reads anything: the marks of a rejected file must have somewhere to go."""
    if os.path.isdir(file):
        raise CommandError(f"{file} 是一个目录，请给出要导入的文件")
    if not os.path.isfile(file):
        raise CommandError(f"文件不存在：{file}")
    if errors_out:
        if os.path.isdir(errors_out):
            raise CommandError(f"--errors-out {errors_out} 是一个目录，请给出要写入的文件名")
        folder = os.path.dirname(errors_out) or "."
        if not os.path.isdir(folder):
            raise CommandError(f"--errors-out 无法写入 {errors_out}：目录 {folder} 不存在")


def describe(error: CellError, name: str) -> str:
    """One problem as a line: the file's own (not a workbook, empty: row 1 of no column, its value the file's
    name, where "第1行" sent the reader to the header), or a row's, with its column and value."""
    if not error.column and error.row <= 1 and error.value == name:
        return f"{name}：{error.message}"
    column = f"“{error.column}”列" if error.column else ""
    value = f"（{error.value}）" if error.value else ""
    return f"第{error.row}行{column}{value}：{error.message}"


def write_marked(errors_out: str | os.PathLike, file: str | os.PathLike, name: str, rejected: ImportRejected) -> None:
    try:
        with open(file, "rb") as original, open(errors_out, "wb") as out:
            out.write(annotated_workbook(original.read(), name, rejected))
    except OSError as error:  # e.g. no permission: found only by trying
        raise CommandError(f"--errors-out 无法写入 {errors_out}：{error.strerror}") from None
