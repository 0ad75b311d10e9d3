"""The engine is pure: no module under shuangsuiji/engine may import Django (DESIGN.md §5)."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "shuangsuiji" / "engine"
FORBIDDEN = ("django", "rest_framework", "shuangsuiji.accounts", "shuangsuiji.registry")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_engine_has_modules():
    assert len(list(ENGINE.rglob("*.py"))) >= 5


def test_engine_never_imports_django():
    offenders = {
        str(path.relative_to(ENGINE)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] in {"django", "rest_framework"}
            or name.startswith(FORBIDDEN)
        )
        for path in ENGINE.rglob("*.py")
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}, f"engine modules import the Django shell: {offenders}"
