"""统一社会信用代码 (unified social credit identifier) per GB 32100-2015.

A target is keyed by its credit code, and the draw hashes that code as the target's id, so one
enterprise must have exactly one spelling. ``validate`` therefore checks the canonical form strictly
(upper-case, no surrounding spaces) and says what is wrong and where; ``normalize`` is the single,
documented place where user input is cleaned (surrounding whitespace removed, full-width characters
made half-width, letters upper-cased) before it is validated and stored.

Layout: position 1 登记管理部门代码, 2 机构类别代码, 3–8 登记管理机关行政区划码 (digits),
9–17 主体标识码 (组织机构代码), 18 校验码 = 31 − (Σ value·3^i mod 31) over positions 1–17, 31 → '0'.
The embedded 组织机构代码's own GB 11714 check digit is deliberately not enforced: every single-character
error is already caught by position 18, and a stricter rule would only risk rejecting real, issued codes
(some issued codes are known not to follow the later rules).
"""

import argparse
import unicodedata

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of GB 32100-2015; a character's value is its index."""

VALUE = {char: index for index, char in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18
EXCLUDED_LETTERS = "IOSVZ"

REGISTRATION_CATEGORIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}
"""登记管理部门 → (name, 机构类别 → name), the code table of GB 32100-2015 as published with its amendments."""


def normalize(raw: str) -> str:
    """Clean typed or pasted input into the canonical spelling; validate the result afterwards.

    Only what cannot change the meaning is cleaned: surrounding whitespace (including the ideographic
    space), full-width forms (NFKC) and letter case. Inner whitespace is kept so that two codes pasted
    into one cell are reported, not silently glued together.
    """
    return unicodedata.normalize("NFKC", raw).strip().upper()


def _character_problem(position: int, char: str) -> str | None:
    if char in VALUE:
        return None
    where = f"第{position}位"
    if char.isspace():
        return f"{where}是空白字符"
    folded = unicodedata.normalize("NFKC", char).upper()
    if len(folded) == 1 and folded in EXCLUDED_LETTERS:
        return f"{where}“{char}”不可使用（统一社会信用代码不使用字母 I、O、S、V、Z）"
    if folded in VALUE:
        kind = "小写字母" if char.islower() else "全角字符"
        return f"{where}“{char}”是{kind}，应写作“{folded}”"
    return f"{where}“{char}”不是统一社会信用代码字符（只可用数字和除 I、O、S、V、Z 以外的大写字母）"


def _body_problem(body: str) -> str | None:
    """What is wrong with positions 1–17 (charset, the code table, the division code), if anything."""
    for position, char in enumerate(body, start=1):
        problem = _character_problem(position, char)
        if problem:
            return problem
    department = REGISTRATION_CATEGORIES.get(body[0])
    if department is None:
        known = "、".join(REGISTRATION_CATEGORIES)
        return f"第1位登记管理部门代码“{body[0]}”不存在（GB 32100-2015 只有 {known}）"
    department_name, categories = department
    if body[1] not in categories:
        allowed = "、".join(categories)
        return f"第2位机构类别代码“{body[1]}”不属于登记管理部门“{body[0]}”（{department_name}），该部门只有 {allowed}"
    for position in range(3, 9):
        char = body[position - 1]
        if not char.isdigit():
            return f"第{position}位“{char}”应为数字（第3—8位是登记管理机关行政区划码）"
    return None


def _check_value(body: str) -> str:
    total = sum(VALUE[char] * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def check_character(first17: str) -> str:
    """The 18th character (校验码) for the first 17; ValueError if those are not a valid body."""
    if len(first17) != LENGTH - 1:
        raise ValueError(f"前17位长度应为17，实为{len(first17)}")
    problem = _body_problem(first17)
    if problem:
        raise ValueError(problem)
    return _check_value(first17)


def complete(first17: str) -> str:
    """The valid 18-character code whose first 17 characters are ``first17`` (used to build demo data)."""
    return first17 + check_character(first17)


def validate(code: str) -> str | None:
    """None if ``code`` is a valid code in canonical spelling; otherwise, in Chinese, what is wrong and where."""
    if not code:
        return "统一社会信用代码为空"
    if len(code) != LENGTH:
        hint = "（首尾有空白字符）" if code != code.strip() else ""
        return f"长度应为18位，实为{len(code)}位{hint}"
    problem = _body_problem(code[:-1]) or _character_problem(LENGTH, code[-1])
    if problem:
        return problem
    expected = _check_value(code[:-1])
    if code[-1] != expected:
        return f"第18位校验码应为“{expected}”，实为“{code[-1]}”（代码有误写或误录）"
    return None


def is_valid(code: str) -> bool:
    return validate(code) is None


def _run_cli(args: argparse.Namespace) -> int:
    all_valid = True
    for code in args.codes:
        problem = validate(code)
        if problem is None:
            print(f"{code} valid")
        else:
            all_valid = False
            print(f"{code} invalid: {problem}")
    return 0 if all_valid else 1


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "creditcode",
        help="check 统一社会信用代码 (GB 32100-2015)",
        description="Print each code with 'valid' or 'invalid: <reason>'; exit 0 only if all are valid. "
        "Codes are checked exactly as given (upper-case, no spaces).",
    )
    parser.add_argument("codes", nargs="+", metavar="CODE")
    parser.set_defaults(func=_run_cli)
