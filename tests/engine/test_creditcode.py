"""统一社会信用代码 (GB 32100-2015): real codes pass, every single-character error is caught."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.engine import creditcode

# Codes of real, registered organisations, as published (company records quoted in public sources).
REAL_CODES = {
    "91520000214434146R": "中航重机股份有限公司",
    "91440300192181490G": "万科企业股份有限公司",
    "91440400192548256N": "珠海格力电器股份有限公司",
    "91440300192317458F": "比亚迪股份有限公司",
    "9144030010001686XA": "招商银行股份有限公司",
    "91440606722473344C": "美的集团股份有限公司",
    "914403001922038216": "华为技术有限公司",
    "91340111MA2RAD3M4R": "蔚来控股有限公司",
    "91350100M000100Y43": "(GB 32100 worked example, hutool tests)",
    "12440600MB2C07549J": "a 事业单位 of Foshan (机构编制 / 事业单位)",
    "92310109MA1KMFLM1K": "an individual business of Shanghai (工商 / 个体工商户)",
}

OUTSIDE_CHARSET = "IOSVZ" + string.ascii_lowercase + " -_.*/\u3000０Ａ"


@pytest.mark.parametrize("code", sorted(REAL_CODES))
def test_real_codes_are_valid(code):
    assert creditcode.validate(code) is None
    assert creditcode.is_valid(code)


def test_weights_are_powers_of_three_mod_31():
    assert creditcode.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(creditcode.CHARSET) == 31
    assert not set(creditcode.CHARSET) & set("IOSVZ")


def test_check_character_of_real_codes():
    for code in REAL_CODES:
        assert creditcode.check_character(code[:17]) == code[17]


def test_check_value_31_becomes_zero():
    # A body whose weighted sum is a multiple of 31 gives 31 − 0 = 31, which the standard writes as '0'.
    bodies = [f"9113060{d}MA0000000" for d in range(10)]
    bodies += [f"91130602MA0{c}00000" for c in creditcode.CHARSET]
    zeros = [body for body in bodies if creditcode.check_character(body) == "0"]
    assert zeros, "expected at least one body whose check character is '0'"
    for body in zeros:
        assert creditcode.is_valid(body + "0")


PAIRS = sorted(dept + cat for dept, (_, cats) in creditcode.REGISTRATION_CATEGORIES.items() for cat in cats)
valid_bodies = st.builds(
    str.__add__,
    st.sampled_from(PAIRS),
    st.builds(
        str.__add__,
        st.text(alphabet=string.digits, min_size=6, max_size=6),
        st.text(alphabet=creditcode.CHARSET, min_size=9, max_size=9),
    ),
)


@given(valid_bodies)
def test_completed_codes_are_valid(body):
    code = creditcode.complete(body)
    assert len(code) == 18
    assert code.startswith(body)
    assert creditcode.validate(code) is None


@settings(max_examples=60)
@given(valid_bodies)
def test_every_single_character_change_is_rejected(body):
    code = creditcode.complete(body)
    for position in range(18):
        for char in creditcode.CHARSET + OUTSIDE_CHARSET:
            if char == code[position]:
                continue
            changed = code[:position] + char + code[position + 1 :]
            problem = creditcode.validate(changed)
            assert problem is not None, f"{changed} (position {position + 1} changed) was accepted"
            # the reason points at the changed position, or at what it broke: the check or the category
            assert f"第{position + 1}位" in problem or "第18位" in problem or (position == 0 and "第2位" in problem), (
                problem
            )


def test_reasons_name_the_position_and_the_problem():
    valid = "91350100M000100Y43"
    assert creditcode.validate("") == "统一社会信用代码为空"
    assert "长度应为18位，实为17位" in creditcode.validate(valid[:-1])
    assert "首尾有空白字符" in creditcode.validate(valid + " ")
    assert "第9位“m”是小写字母，应写作“M”" in creditcode.validate(valid[:8] + "m" + valid[9:])
    assert "第8位“O”不可使用" in creditcode.validate("9135010OM000100Y43")
    assert "第1位“９”是全角字符" in creditcode.validate("９" + valid[1:])
    assert "第1位登记管理部门代码“B”不存在" in creditcode.validate("B" + valid[1:])
    assert "第2位机构类别代码“4”不属于登记管理部门“9”（工商）" in creditcode.validate("94" + valid[2:])
    assert "第7位“A”应为数字" in creditcode.validate("913501A0M000100Y43")
    assert "第18位校验码应为“3”，实为“4”" in creditcode.validate(valid[:-1] + "4")


def test_registration_table_follows_the_standard():
    table = {dept: "".join(sorted(cats)) for dept, (_, cats) in creditcode.REGISTRATION_CATEGORIES.items()}
    assert table == {
        "1": "1239",
        "2": "19",
        "3": "123459",
        "4": "19",
        "5": "1239",
        "6": "129",
        "7": "129",
        "8": "19",
        "9": "123",
        "A": "19",
        "N": "1239",
        "Y": "1",
    }
    assert creditcode.validate("99" + "350100M000100Y43") is not None


def test_validate_is_strict_normalize_cleans_input():
    messy = "\u3000 ９１３５０１００m０００１００y４３ \t"
    assert creditcode.validate(messy) is not None
    assert creditcode.normalize(messy) == "91350100M000100Y43"
    assert creditcode.is_valid(creditcode.normalize(messy))
    # two codes pasted together are reported, never glued into one
    assert creditcode.normalize(" 9135 100M000100Y43") == "9135 100M000100Y43"
    assert creditcode.validate("9135 100M000100Y43") == "第5位是空白字符"


def test_known_irregular_real_code_is_reported_by_its_check_character():
    # A real Xiamen code issued before the rules settled (hutool issue #4119) fails the standard's check;
    # the engine reports exactly that, so the shell can show it and handle it explicitly.
    assert creditcode.validate("91350203M0001QKT19") == "第18位校验码应为“F”，实为“9”（代码有误写或误录）"


def test_complete_rejects_a_bad_body():
    with pytest.raises(ValueError, match="长度应为17"):
        creditcode.complete("9135")
    with pytest.raises(ValueError, match="第3位"):
        creditcode.check_character("91I50100M000100Y4")


def run_cli(*codes: str) -> int:
    import argparse

    parser = argparse.ArgumentParser()
    creditcode.add_cli(parser.add_subparsers())
    args = parser.parse_args(["creditcode", *codes])
    return args.func(args)


def test_cli_prints_each_code_and_exits_zero_only_if_all_valid(capsys):
    assert run_cli("91440300192317458F", "91350100M000100Y43") == 0
    assert capsys.readouterr().out.splitlines() == ["91440300192317458F valid", "91350100M000100Y43 valid"]
    assert run_cli("91440300192317458F", "91440300192317458G") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "91440300192317458F valid"
    assert lines[1].startswith("91440300192317458G invalid: 第18位校验码应为“F”")
