"""The user guides (docs/guide/) name the system's pages, buttons and clauses: keep them honest.

A guide that names a button the interface no longer has, or an address that no longer resolves, sends a
county's staff looking for something that is not there. What can be checked mechanically is checked here:

- every address written in code quotes, like `/planning/<编号>/`, resolves (``<…>`` stands for an id or key);
- every repository file named in code quotes, like `tools/verify_draw.py`, exists;
- every label quoted as 【…】 (the guides' mark for a button or link) occurs in a template or Python source of
  shuangsuiji/;
- every clause cited as 实施方案 二(四), 附件 二(四), 指导意见 五(十一), 民法典 第二百零一条 … is one the policy file
  cites, or one the code itself names;
- every link between the guides points to an existing file and heading;
- the README links the guides.
"""

import re
import tomllib
from functools import cache
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ROOT / "docs" / "guide"
SOURCE = ROOT / "shuangsuiji"
POLICY = ROOT / "policies" / "baoding-2021.toml"

CODE = re.compile(r"`([^`\n]+)`")
LABEL = re.compile(r"【([^】\n]+)】")
PLACEHOLDER = re.compile(r"<[^<>/]+>")
APP_PATH = re.compile(r"/(?:$|[a-z])")
REPO_FILE = re.compile(r"(?:docs|tools|policies|shuangsuiji|tests)/[\w./-]+")
CLAUSE_NUMERALS = "一二三四五六七八九十"
CITATION = re.compile(
    rf"(指导意见|实施方案|附件) ([{CLAUSE_NUMERALS}]+(?:\([{CLAUSE_NUMERALS}]+\))?)"
    r"|(民法典|行政处罚法) (第[一二三四五六七八九十百千零]+条)")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def guide_files() -> list[Path]:
    return sorted(GUIDES.glob("*.md"))


def test_there_are_guides_for_every_role():
    names = {path.name for path in guide_files()}
    assert {"README.md", "city-admin.md", "county-admin.md", "inspector.md", "department.md", "leader.md",
            "verify.md"} <= names


@cache
def source_text() -> str:
    """Every template and Python source of the application, where the interface's words live."""
    parts = [path.read_text(encoding="utf-8") for pattern in ("*.html", "*.py", "*.js")
             for path in SOURCE.rglob(pattern) if "migrations" not in path.parts]
    return "\n".join(parts)


def paths_in(text: str) -> list[str]:
    return [span for span in CODE.findall(text) if span.startswith("/") and APP_PATH.match(span)]


@pytest.mark.parametrize("guide", guide_files(), ids=lambda path: path.name)
def test_every_address_resolves(guide: Path):
    unresolved = []
    for written in paths_in(guide.read_text(encoding="utf-8")):
        path = PLACEHOLDER.sub("1", written).split("?")[0].split("#")[0]
        try:
            resolve(path)
        except Resolver404:
            unresolved.append(written)
    assert unresolved == [], f"{guide.name}: addresses the system does not have"


def test_placeholders_are_taken_as_ids():
    """A check of the check: a placeholder stands for an id, and a wrong address is caught."""
    assert resolve(PLACEHOLDER.sub("1", "/planning/<编号>/")).url_name == "plan_detail"
    with pytest.raises(Resolver404):
        resolve("/planning/plans/1/")
    assert paths_in("见 `/fieldwork/tasks/` 和 `docs/draw-spec.md`") == ["/fieldwork/tasks/"]


@pytest.mark.parametrize("guide", guide_files(), ids=lambda path: path.name)
def test_every_repository_file_exists(guide: Path):
    missing = [span for span in CODE.findall(guide.read_text(encoding="utf-8"))
               if REPO_FILE.fullmatch(span) and not (ROOT / span).exists()]
    assert missing == [], f"{guide.name}: files that are not in the repository"


@pytest.mark.parametrize("guide", guide_files(), ids=lambda path: path.name)
def test_every_quoted_label_is_in_the_interface(guide: Path):
    labels = LABEL.findall(guide.read_text(encoding="utf-8"))
    missing = sorted({label for label in labels if label not in source_text()})
    assert missing == [], f"{guide.name}: 【labels】 no template or source of shuangsuiji/ has"


def test_labels_are_checked_against_the_sources():
    assert "审定并冻结" in source_text()
    assert "审定并冻结全部" not in source_text()


@cache
def policy_citations() -> dict[str, set[str]]:
    """(document key → clauses) of every citation in the policy file."""
    found: dict[str, set[str]] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            if "doc" in node and "clause" in node:
                found.setdefault(node["doc"], set()).add(node["clause"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tomllib.loads(POLICY.read_text(encoding="utf-8")))
    return found


def cited(doc: str, clause: str) -> bool:
    # a clause the policy qualifies (附件 二(二)“制定联合抽查计划”) is cited by its number too
    in_policy = any(known == clause or known.startswith(clause + "“")
                    for known in policy_citations().get(doc, ()))
    return in_policy or f"{doc} {clause}" in source_text()


@pytest.mark.parametrize("guide", guide_files(), ids=lambda path: path.name)
def test_every_cited_clause_is_the_policys(guide: Path):
    wrong = []
    for match in CITATION.finditer(guide.read_text(encoding="utf-8")):
        doc, clause = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        if not cited(doc, clause):
            wrong.append(f"{doc} {clause}")
    assert wrong == [], f"{guide.name}: clauses neither the policy nor the code cites"


def test_citations_are_checked():
    assert cited("实施方案", "二(四)")
    assert cited("附件", "二(二)")
    assert not cited("实施方案", "九(九)")


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {github_anchor(line.lstrip("#")) for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")}


@pytest.mark.parametrize("guide", guide_files(), ids=lambda path: path.name)
def test_links_between_guides_lead_somewhere(guide: Path):
    broken = []
    for target in LINK.findall(guide.read_text(encoding="utf-8")):
        if "://" in target:
            continue
        name, _, anchor = target.partition("#")
        path = (guide.parent / name).resolve() if name else guide
        if not path.exists() or (anchor and path.suffix == ".md" and anchor not in anchors(path)):
            broken.append(target)
    assert broken == [], f"{guide.name}: links to no file or heading"


def test_github_anchor():
    assert github_anchor(" 抽取过程：一步一步") == "抽取过程一步一步"
    assert github_anchor(" 任务、递补与替换") == "任务递补与替换"


def test_readme_links_the_guides():
    assert "docs/guide/" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_checks_read_the_guides():
    """The checks above pass vacuously if their patterns find nothing: the county guide alone quotes dozens of
    labels, addresses and clauses."""
    text = (GUIDES / "county-admin.md").read_text(encoding="utf-8")
    assert len(set(LABEL.findall(text))) > 30
    assert len(set(paths_in(text))) > 10
    assert len({match.group(0) for match in CITATION.finditer(text)}) > 8
    assert len(LINK.findall(text)) > 5
