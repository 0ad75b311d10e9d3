"""The English catalogues translate every message: an untranslated one shows Chinese in the English interface,
which no test of a single page would notice."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "shuangsuiji"
CATALOGUES = sorted(ROOT.glob("**/locale/en/LC_MESSAGES/django.po"))
STRING = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')


def entries(path: Path) -> list[dict[str, str]]:
    """The catalogue's entries (blank-line separated, as gettext writes them) as {keyword: text, "flags": …},
    continuation lines joined; obsolete ones (#~) and the header left out."""
    found = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            match = STRING.match(line)
            if match:
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
            elif line.startswith("#,"):
                entry["flags"] = line
        if entry.get("msgid"):
            found.append(entry)
    return found


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 5


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated_and_none_is_fuzzy(path):
    missing = [e["msgid"] for e in entries(path)
               if not any(v for k, v in e.items() if k.startswith("msgstr"))]
    fuzzy = [e["msgid"] for e in entries(path) if "fuzzy" in e["flags"]]
    assert not missing, f"{path}: untranslated: {missing[:10]}"
    assert not fuzzy, f"{path}: fuzzy (Django ignores them): {fuzzy[:10]}"


def test_the_reader_finds_an_untranslated_message(tmp_path):
    sample = tmp_path / "django.po"
    sample.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                      '#: a.py:1\nmsgid "已译"\nmsgstr "Done"\n\n'
                      '#, fuzzy\nmsgid "模糊"\nmsgstr "Fuzzy"\n\n'
                      'msgctxt "nav"\nmsgid "未译"\nmsgstr ""\n', encoding="utf-8")
    found = {e["msgid"]: e for e in entries(sample)}
    assert set(found) == {"已译", "模糊", "未译"}
    assert found["已译"]["msgstr"] == "Done" and found["未译"]["msgstr"] == "" and found["未译"]["msgctxt"] == "nav"
    assert "fuzzy" in found["模糊"]["flags"]


def test_one_chinese_word_three_english_ones():
    """执法人员 is the registry (Inspectors), one person (a field, a column, a user's role: Inspector) and a
    place in a team beside an expert (Officer); without contexts the project catalogue's plural won everywhere."""
    from django.utils import translation

    from shuangsuiji.accounts.models import Role
    from shuangsuiji.fieldwork.models import SignerRole
    from shuangsuiji.planning.models import MemberRole, TaskMember
    from shuangsuiji.registry.models import Inspector

    with translation.override("en"):
        assert translation.gettext("执法人员") == "Inspectors"
        assert (str(Role.INSPECTOR.label), str(Inspector._meta.verbose_name),
                str(TaskMember._meta.get_field("inspector").verbose_name)) == ("Inspector",) * 3
        assert (str(MemberRole.OFFICER.label), str(SignerRole.OFFICER.label)) == ("Officer", "Officer")
    with translation.override("zh-hans"):
        assert str(MemberRole.OFFICER.label) == str(Role.INSPECTOR.label) == "执法人员"


def test_no_message_has_two_english_translations():
    """Django merges the catalogues into one: for a message found in two, the project's wins, then the first
    app's in INSTALLED_APPS, on every page of every app. Two translations of one message mean one of them is
    never shown, and the page it was written for reads the other's words (a plan's 类别 read "Kinds", the
    public's 依据 "Evidence"). Where the English must differ, the message takes a context (msgctxt)."""
    seen: dict[tuple[str | None, str], dict[str, set[str]]] = {}
    for path in CATALOGUES:
        for entry in entries(path):
            key = (entry.get("msgctxt"), entry["msgid"])
            english = entry.get("msgstr", entry.get("msgstr[0]", ""))
            seen.setdefault(key, {}).setdefault(english, set()).add(str(path.relative_to(ROOT)))
    differing = {key: found for key, found in seen.items() if len(found) > 1}
    assert not differing, "\n".join(f"{key}: {found}" for key, found in differing.items())


def test_every_message_of_the_code_has_an_english_translation(tmp_path):
    """makemessages over a copy of the code finds no message that no catalogue translates: a new string, or a
    new context for an old one, would otherwise show Chinese on the English pages without any test noticing
    (Django looks a message up in all catalogues merged, so any one of them may hold it)."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: scripts/system-deps.sh installs gettext")
    copy = tmp_path / "shuangsuiji"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    shutil.copy(ROOT.parent / "manage.py", tmp_path / "manage.py")
    subprocess.run([sys.executable, "../manage.py", "makemessages", "-l", "en", "--no-location", "-v", "0"],
                   cwd=copy, check=True, capture_output=True)
    translated = {(e.get("msgctxt"), e["msgid"]) for path in CATALOGUES for e in entries(path)
                  if any(v for k, v in e.items() if k.startswith("msgstr")) and "fuzzy" not in e["flags"]}
    found = {(e.get("msgctxt"), e["msgid"]) for path in copy.glob("**/locale/en/LC_MESSAGES/django.po")
             for e in entries(path)}
    assert len(found) > 1000  # the copy was read
    missing = sorted(found - translated, key=str)
    assert not missing, f"not translated in any catalogue: {missing[:20]}"


CHINESE_MARKS = re.compile(r"[“”‘’，。：；（）「」『』《》【】！？]")
"""Chinese punctuation: in English text a Chinese font sets these full-width, with wide gaps around the words."""
CHINESE_QUOTED = re.compile(r"<code>.*?</code>|、")
"""What may keep it: a literal Chinese answer quoted as code, and 、 named as a separator a reader may type."""


def chinese_marks(english: str) -> list[str]:
    return CHINESE_MARKS.findall(CHINESE_QUOTED.sub("", english))


def test_the_check_finds_chinese_punctuation_in_english():
    assert chinese_marks("The “Change history” at the foot") == ["“", "”"]
    assert chinese_marks("each stratum’s numbers，then") == ["’", "，"]
    assert chinese_marks('The "Change history", separated by 、, e.g. <code>{"month": ["收到“2026-13”"]}</code>') == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_english_is_punctuated_in_english(path):
    """The English pages showed 'The “Change history” at…' with a full-width gap each side of the quotes (the
    portal's and the staff pages' fonts set them as Chinese ones); English takes ASCII quotes and apostrophes,
    around a Chinese name too."""
    found = {e["msgid"]: marks for e in entries(path)
             for key, english in e.items() if key.startswith("msgstr") and (marks := chinese_marks(english))}
    assert not found, f"{path}: {list(found.items())[:10]}"


TRANSLATED_AS = re.compile(r"{%\s*(?:translate|trans|blocktranslate|blocktrans)\b[^%]*?\bas\s+(\w+)\s*%}")
"""A message translated into a template variable ({% translate "…" as name %})."""
INCLUDED = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")


def unused_translations(text: str, included: list[str]) -> list[str]:
    """The variables a template translates into and never reads, in itself or in a template it includes."""
    unused = []
    for match in TRANSLATED_AS.finditer(text):
        rest = text[:match.start()] + text[match.end():] + "".join(included)
        if not re.search(rf"\b{match.group(1)}\b", rest):
            unused.append(match.group(1))
    return unused


def test_the_check_finds_a_translation_nobody_reads():
    assert unused_translations('{% translate "月" as month %}{% translate "年" as year %}{{ year }}', []) == ["month"]
    assert unused_translations('{% translate "稍候" as wait %}{% include "busy.html" %}', ["{{ wait }}"]) == []


def test_no_template_translates_a_message_it_never_shows():
    """The disclosure overview translated its month columns' date format ("n月", context "date format of a month
    column") into a variable no part of it read (the view formats the heads): a message a translator keeps up
    for nothing, and a reader of the template looks for where it shows."""
    templates = {path: path.read_text(encoding="utf-8") for path in ROOT.glob("**/templates/**/*.html")}
    by_name = {str(path).split("/templates/", 1)[1]: text for path, text in templates.items()}
    found = {}
    for path, text in templates.items():
        included = [by_name.get(name, "") for name in INCLUDED.findall(text)]
        if unused := unused_translations(text, included):
            found[str(path.relative_to(ROOT))] = unused
    assert not found, found


COUNT_NOUNS = ("days", "tasks", "rows", "targets", "units", "events", "results", "pages", "readings", "outlets",
               "exceedances", "inspectors", "problems")
COUNTED = re.compile(rf"%\((\w+)\)[sd] (?:[\w-]+ ){{0,2}}?(?:{'|'.join(COUNT_NOUNS)})\b")
"""A number, then a plural noun (up to two words may stand between: "%(n)s reviewed results")."""
NEVER_ONE = {
    # policy values and limits, never 1 in use: the draw window and the publication period in working days (5, 7,
    # 20), the password's age and a token's longest validity (its default too), the bureau's re-check period, the
    # first errors an Excel file is annotated with
    "抽取期是%(before)s最后 %(n)s 个工作日；%(year)s年的放假和调休安排尚未录入，暂无法确定。国务院办公厅通知发布后，"
    "由市局管理员在“工作日安排”中录入。",
    "逾期的是抽取：%(period)s的计划应在抽取期 %(first)s 至 %(last)s（%(before)s最后 %(n)s 个工作日，%(cite)s）内抽取，"
    "%(since)s 起仍未抽取的即为逾期；已抽取计划的任务按各自的完成期限计",
    "%(year)s年%(month)s月抽查结果的公开期限（当月结束后 %(n)s 个工作日）",
    "按%(cite)s，每季度的随机抽查对象及数量应在上一季度最后 %(n)s 个工作日内确定并在系统平台发布："
    "本季度的期限是 %(deadline)s。",
    "每月的检查结果应在该月检查结束之日起 %(n)s 个工作日内公开（%(cite)s），本计划各月结果的公开期限",
    "抽取日 %(day)s 不在规定的抽取期内（%(first)s 至 %(last)s，上一季度最后 %(n)s 个工作日；%(cite)s）",
    "抽取期（%(before)s最后 %(n)s 个工作日）要按%(year)s年的放假安排计算，"
    "该年安排尚未由市局管理员在“工作日安排”中录入，无法核对抽取日",
    "您的密码已使用超过%(days)d天，请先修改密码。",
    "默认%(default)d天，最长%(max)d天（至%(latest)s）；到期后令牌失效，须另建",
    "请填写有效期至哪一天（最长%(days)d天，即最晚%(latest)s）",
    "整改期限后 %(n)s 天是本局的规定，不是政策规定的期限：政策只要求“确保企业按时整改到位”（附件 三(三)），"
    "没有规定复查期限",
    "只有前%(limit)s处错误附有批注；所有错误的单元格都已标红，并写入“%(column)s”列。",
    # shown only past three days ("… (4 days)")
    "等 %(n)s 天",
    # the number is a place's name, not a count ("Baoding results of 2026-07")
    "%(name)s%(year)d年%(month)d月抽查结果",
}


def counts_without_plural(path: Path) -> list[str]:
    """The catalogue's messages whose English puts a number before a plural noun without a plural form: with the
    number 1 they read "1 days left"."""
    return [e["msgid"] for e in entries(path)
            if "msgid_plural" not in e and e["msgid"] not in NEVER_ONE and COUNTED.search(e.get("msgstr", ""))]


def test_the_check_finds_a_count_without_a_plural(tmp_path):
    sample = tmp_path / "django.po"
    sample.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                      'msgid "剩 %(n)s 天"\nmsgstr "%(n)s days left"\n\n'
                      'msgid "%(n)s 条已审核结果未公开"\nmsgstr "%(n)s reviewed results not published"\n\n'
                      'msgid "逾期 %(n)s 天"\nmsgid_plural "逾期 %(n)s 天"\n'
                      'msgstr[0] "%(n)s day overdue"\nmsgstr[1] "%(n)s days overdue"\n\n'
                      'msgid "等 %(n)s 天"\nmsgstr " … (%(n)s days)"\n\n'
                      'msgid "按排口统计"\nmsgstr "By outlet (exceedances: %(n)s)"\n', encoding="utf-8")
    assert counts_without_plural(sample) == ["剩 %(n)s 天", "%(n)s 条已审核结果未公开"]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_count_before_a_plural_noun_has_a_plural_form(path):
    """The phone cards read "1 days left", the workbench "Records submitted for 1 of 1 tasks": a message with a
    count is translated with ngettext (in a template {% blocktranslate count %}), its English entry with
    msgid_plural and a singular msgstr[0]; a text that cannot take a plural (one stored and translated later)
    puts the number after the noun ("exceedances: 3")."""
    found = counts_without_plural(path)
    assert not found, f"{path}: {found[:10]}"
