"""tools/verify_draw.py as a citizen runs it, downloaded beside verify_assignment.py: the result in Chinese (each
difference said in words, its English detail beneath), ``--lang en`` for English only, the draw it checked named so
a file of another plan is not taken for this one, and a sealed manifest given alone told apart from a bad draw."""

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTOR = ROOT / "tests" / "engine" / "vectors" / "draw-manifest.json"
SEALED_VECTOR = ROOT / "tests" / "engine" / "vectors" / "draw-manifest-sealed.json"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def verifier(tmp_path):
    for name in ("verify_draw.py", "verify_assignment.py"):
        shutil.copy(ROOT / "tools" / name, tmp_path / name)

    def run(manifest, *args):
        path = tmp_path / "m.json"
        if isinstance(manifest, Path):
            path = manifest
        else:
            path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        return subprocess.run([sys.executable, "-I", "-S", "verify_draw.py", str(path), *map(str, args)],
                              cwd=tmp_path, capture_output=True, text=True, encoding="utf-8")
    return run


def genuine() -> dict:
    return json.loads(VECTOR.read_text(encoding="utf-8"))


def test_the_genuine_manifest_is_reported_in_chinese_naming_the_draw(verifier):
    done = verifier(VECTOR, "--sealed", SEALED_VECTOR)
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("OK 验证通过")
    manifest = genuine()
    assert "抽取：2021年第3季度县级抽查计划（行政区划代码 130602）的第 1 次抽取\n" in done.stdout
    assert f"输入哈希：{manifest['inputs_hash']}（请核对计划页面公布的输入哈希" in done.stdout
    assert "与当初公开的封存清单一致" in done.stdout


def test_english_only_with_lang_en(verifier):
    done = verifier(VECTOR, "--sealed", SEALED_VECTOR, "--lang", "en")
    assert done.returncode == 0
    assert done.stdout.startswith("OK: the 2021 Q3 county-level plan of division code 130602, draw 1;")
    assert "sealed manifest agrees" in done.stdout and not CJK.search(done.stdout)
    bad = genuine()
    bad["commitment"] = "1" * 64
    differs = verifier(bad, "--lang", "en")
    assert differs.returncode == 1 and differs.stdout.startswith("DIFFERS: 1 problem(s)")
    assert not CJK.search(differs.stdout)
    assert verifier(VECTOR, "--lang", "fr").returncode == 2


def test_a_file_of_another_plan_names_that_plan(verifier):
    other = genuine()
    # not this manifest's plan: what the reader compares with the plan page is the draw and the inputs hash printed
    done = verifier(other)
    assert "130602" in done.stdout and other["inputs_hash"] in done.stdout


def _swap_first_members(x):
    teams = x["assignment"]["result"]["teams"]
    a, b = teams[0]["members"][0], teams[1]["members"][0]
    a["inspector"], b["inspector"] = b["inspector"], a["inspector"]


def _drop_stratum(x):
    del x["strata"][1]


def _swap_targets(x):
    s = x["strata"][2]["selected"]
    s[0], s[1] = s[1], s[0]


def _other_target(x):
    chosen = {p["id"] for p in x["strata"][2]["selected"]}
    x["strata"][2]["selected"][1]["id"] = next(t[0] for t in x["inputs"]["strata"][2]["targets"] if t[0] not in chosen)


def _probability(x):
    x["strata"][0]["pps"]["probabilities"][2] = "1/1"


TAMPERINGS = {
    "one selected target": (_other_target, ["类别 key 的第 2 个抽中对象与重新抽取的结果不同",
                                            "stratum key: selected[1]"]),
    "two targets reordered": (_swap_targets, ["类别 key 的第 1 个抽中对象与重新抽取的结果不同"]),
    "two inspectors swapped": (_swap_first_members, ["的执法人员与重新随机分配的结果不同", "published team"]),
    "public value": (lambda x: x["public_value"].__setitem__("value", "1" + x["public_value"]["value"][1:]
                                                            if x["public_value"]["value"][0] != "1" else
                                                            "2" + x["public_value"]["value"][1:]),
                     ["种子不符：它不是由输入哈希、密钥和公开随机数算出的值"]),
    "secret": (lambda x: x.__setitem__("secret", "0" * 64), ["密钥不符：密钥的 SHA-256 不等于事先公开的密钥承诺"]),
    "commitment": (lambda x: x.__setitem__("commitment", "1" * 64), ["密钥不符", "commitment: published 111"]),
    "a stratum dropped": (_drop_stratum, ["类别不符", "the manifest has ['general', 'key', 'special'], the inputs "
                                                   "['general', 'joint', 'key', 'special']"]),
    "a substitution's reason": (lambda x: x["substitutions"][0].__setitem__("reason", " "),
                                ["第 1 条替换记录与替换规则不符", "substitution 0 ("]),
    "an inclusion probability": (_probability, ["类别 general 的第 3 个对象的入样概率与重新计算的不同",
                                                "stratum general: probabilities[2]: published \"1/1\""]),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_each_tampering_is_refused_saying_what_and_where(verifier, tampering):
    change, said = TAMPERINGS[tampering]
    manifest = copy.deepcopy(genuine())
    change(manifest)
    done = verifier(manifest)
    assert done.returncode == 1 and done.stdout.startswith("DIFFERS 不一致："), done.stdout
    for text in said:
        assert text in done.stdout, done.stdout
    assert "与重新计算的结果不同\n" not in done.stdout  # every line said in words, none left to the fallback


def test_a_sealed_manifest_alone_says_what_it_lets_one_check_now(verifier):
    sealed = json.loads(SEALED_VECTOR.read_text(encoding="utf-8"))
    done = verifier(SEALED_VECTOR)
    assert done.returncode == 1 and done.stdout.startswith("SEALED 封存清单："), done.stdout
    assert "DIFFERS" not in done.stdout and "这不说明抽取有误" in done.stdout
    assert sealed["inputs_hash"] in done.stdout and sealed["commitment"] in done.stdout
    assert "--sealed" in done.stdout
    english = verifier(SEALED_VECTOR, "--lang", "en")
    assert english.stdout.startswith("SEALED: this is the sealed manifest of the 2021 Q3 county-level plan of "
                                  "division code 130602, draw 1")
    assert "only a revealed manifest can be recomputed" in english.stdout


def test_a_sealed_manifest_of_another_draw_is_named_as_such(verifier, tmp_path):
    sealed = json.loads(SEALED_VECTOR.read_text(encoding="utf-8"))
    sealed["commitment"] = "1" * 64
    other = tmp_path / "other-sealed.json"
    other.write_text(json.dumps(sealed, ensure_ascii=False), encoding="utf-8")
    done = verifier(VECTOR, "--sealed", other)
    assert done.returncode == 1
    assert "与封存清单不一致：封存清单的 commitment 与本清单不同" in done.stdout


def test_a_truncated_file_cannot_be_read(verifier, tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(VECTOR.read_text(encoding="utf-8")[:500], encoding="utf-8")
    done = verifier(path)
    assert done.returncode == 2 and done.stdout.startswith("cannot read 无法读取：") and "is not JSON" in done.stdout


def test_a_console_that_cannot_show_chinese_still_gets_the_result(tmp_path):
    for name in ("verify_draw.py", "verify_assignment.py"):
        shutil.copy(ROOT / "tools" / name, tmp_path / name)
    # an old console's code page, forced: no UTF-8 mode and an ASCII stdout
    done = subprocess.run([sys.executable, "-S", "-X", "utf8=0", "verify_draw.py", str(VECTOR)], cwd=tmp_path,
                          capture_output=True, env={"PYTHONIOENCODING": "ascii", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"OK ?") and b"Traceback" not in done.stderr


def test_only_verify_draw_downloaded_says_which_file_is_missing(tmp_path):
    shutil.copy(ROOT / "tools" / "verify_draw.py", tmp_path / "verify_draw.py")
    done = subprocess.run([sys.executable, "-I", "-S", "verify_draw.py", str(VECTOR)], cwd=tmp_path,
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.startswith("cannot run 无法运行：verify_assignment.py 不在 verify_draw.py 所在的目录")


def test_a_python_too_old_is_told_so_not_shown_a_difference(tmp_path):
    # On 3.9 zip(strict=True) raised TypeError, which the verifier reports as a malformed manifest: a genuine draw
    # would have read as DIFFERS. Pretend to be 3.9 and run the file as a script.
    for name in ("verify_draw.py", "verify_assignment.py"):
        shutil.copy(ROOT / "tools" / name, tmp_path / name)
    code = ("import runpy, sys; sys.version_info = (3, 9, 18, 'final', 0); "
            f"sys.argv = ['verify_draw.py', {str(VECTOR)!r}]; runpy.run_path('verify_draw.py', run_name='__main__')")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          encoding="utf-8")
    assert done.returncode == 2 and "需要 Python 3.10 或更新版本，这里是 3.9.18" in done.stdout, done.stdout


def test_the_draw_is_named_as_the_plan_page_names_it_with_its_public_value(verifier):
    """A manifest carries no place name, only the division code: the reader is told the quarter and level in the
    words of the plan page's title, the code (which the plan page shows under its title) and the public value the
    page's 抽取记录 shows, so a file of another draw is recognised without reading codes alone."""
    done = verifier(VECTOR)
    assert done.returncode == 0, done.stdout
    assert "抽取：2021年第3季度县级抽查计划（行政区划代码 130602）的第 1 次抽取\n" in done.stdout
    assert "公开随机数：4261536512436152（现场掷骰，见证人：张伟、李秀英、王建国）" in done.stdout
    english = verifier(VECTOR, "--lang", "en")
    assert "public value 4261536512436152 (dice thrown before witnesses);" in english.stdout
    assert not CJK.search(english.stdout)
    bad = genuine()
    bad["commitment"] = "1" * 64
    differs = verifier(bad)
    assert differs.returncode == 1
    assert "\n  清单所载的抽取：2021年第3季度县级抽查计划（行政区划代码 130602）的第 1 次抽取\n" in differs.stdout
    differs = verifier(bad, "--lang", "en")
    said = "\n  The manifest says it is the 2021 Q3 county-level plan of division code 130602, draw 1.\n"
    assert said in differs.stdout


def test_a_sealed_re_draw_names_its_reason_the_draw_it_replaced_and_its_public_value(verifier):
    sealed = json.loads(SEALED_VECTOR.read_text(encoding="utf-8"))
    sealed["plan"].update(sequence=2, supersedes="a" * 64, reason="可抽对象名单漏列两家企业")
    sealed["public_value"] = {"kind": "lottery", "lottery": "福利彩票3D", "date": "2021-06-25", "value": "385"}
    done = verifier(sealed)
    assert done.returncode == 1 and done.stdout.startswith(
        "SEALED 封存清单：这是2021年第3季度县级抽查计划（行政区划代码 130602）的第 2 次抽取（经批准重新抽取，"
        f"原因：可抽对象名单漏列两家企业；取代输入哈希为 {'a' * 64} 的抽取）在密钥公开前的封存清单"), done.stdout
    assert "公开随机数是 385（彩票开奖号码：福利彩票3D，2021-06-25）" in done.stdout
    sealed["public_value"] = {"kind": "drand", "chain": "b" * 64, "round": 1234, "value": "c" * 64}
    english = verifier(sealed, "--lang", "en")
    assert f"draw 2 (an approved re-draw replacing the draw with inputs hash {'a' * 64})" in english.stdout
    assert f"the public value {'c' * 64} (drand randomness beacon, round 1234)." in english.stdout
    assert not CJK.search(english.stdout)


def redrawn(keep) -> tuple[dict, dict]:
    """The vector's draw re-run on the strata ``keep`` selects (the vector mixes every kind of stratum in one
    draw, as no plan of the system does), complete and sealed: a genuine manifest of one kind of plan."""
    from shuangsuiji.engine import manifest as engine

    vector = genuine()
    inputs = copy.deepcopy(vector["inputs"])
    inputs["strata"] = [stratum for stratum in inputs["strata"] if keep(stratum["name"])]
    complete = engine.draw(inputs, bytes.fromhex(vector["secret"]), vector["public_value"])
    return complete, engine.seal(complete)


def test_a_regular_and_a_joint_plan_of_one_place_and_quarter_are_told_apart_by_their_kind(verifier, tmp_path):
    """A quarter's regular plan and internal joint plan of one place share year, quarter, level and division code:
    the verifier named both alike, and only their hashes told them apart. The strata say the kind (key, special,
    general: the regular plan; joint alone: the joint one, its departments in the inputs), in the words of the
    plan page's title."""
    regular, regular_sealed = redrawn(lambda name: name != "joint")
    done = verifier(regular)
    assert done.returncode == 0, done.stdout
    assert "抽取：2021年第3季度县级双随机抽查计划（行政区划代码 130602）的第 1 次抽取\n" in done.stdout
    assert verifier(regular, "--lang", "en").stdout.startswith(
        "OK: the 2021 Q3 county-level double-random inspection plan of division code 130602, draw 1;")
    joint, joint_sealed = redrawn(lambda name: name == "joint")
    done = verifier(joint)
    assert done.returncode == 0, done.stdout
    assert ("抽取：2021年第3季度县级内部联合抽查计划（行政区划代码 130602，参加科室：大气环境处、水生态环境处）"
            "的第 1 次抽取\n") in done.stdout
    english = verifier(joint, "--lang", "en").stdout
    assert english.startswith("OK: the 2021 Q3 county-level internal joint inspection plan of division code 130602 "
                              "with 2 departments taking part, draw 1;") and not CJK.search(english)
    # the sealed manifests name their strata too (not the departments), and a manifest that differs is named alike
    assert verifier(joint_sealed).stdout.startswith(
        "SEALED 封存清单：这是2021年第3季度县级内部联合抽查计划（行政区划代码 130602）的第 1 次抽取"
        "在密钥公开前的封存清单")
    assert "县级双随机抽查计划（行政区划代码 130602）" in verifier(regular_sealed).stdout
    joint["commitment"] = "1" * 64
    assert "\n  清单所载的抽取：2021年第3季度县级内部联合抽查计划（" in verifier(joint).stdout
    # strata of no one kind (the vector's own mix): no kind is claimed
    assert "抽取：2021年第3季度县级抽查计划（行政区划代码 130602）" in verifier(VECTOR).stdout
