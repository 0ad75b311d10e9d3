"""Texts the system wrote in Chinese, said in the reader's language when they are shown.

What the system writes is stored in its own language (``audit.services.system_language``): a history row's
reason ("登记"), a classification's reasons, a plan's quota explanation, a run's warnings. The engine, which has
no gettext, writes its explanations (quotas, credit codes, reporting deadlines) in Chinese, and some of them
are hashed or published, so neither the engine nor a stored row changes. Instead a page passes such a text
through ``system_text`` (a builtin template filter, ``{{ row.reason|system_text }}``): a text that is, whole,
one of the messages below with its values is said in the reader's language; a text made of such sentences
("…家。…家。") or clauses ("…；…") is said piece by piece; anything else — what a person typed, a name, a
document's title — is shown exactly as stored, and a text is translated only when every piece of it is known,
so a person's sentence is never half translated. A Chinese page shows every text exactly as stored.

Each message is the same msgid the writing code uses, so the catalogues' existing English serves; the
engine's sentences and the demo's reasons are listed here with their own msgids (``gettext_noop``). A value in
a message is said the same way when it is itself a known text ("上一季度（2026年第3季度）"). A message whose
English agrees with a count (``COUNTED``: "1 key unit.", "3 key units.") is said with ngettext by that count; the
engine stays without Django, its Chinese does not change, and neither does a stored row.
"""

import re
from dataclasses import dataclass
from functools import cache

from django import template
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

register = template.Library()


# Messages the services write through gettext under ``system_language`` (their msgids are in the catalogues).
WRITTEN_BY_SERVICES = (
    # registry, accounts, intake: history reasons
    gettext_noop("登记"),
    gettext_noop("解除回避"),
    gettext_noop("新增用户"),
    gettext_noop("录入行政处罚决定"),
    gettext_noop("手工录入在线监测超标数据"),
    gettext_noop("列入重点排污单位名录"),
    gettext_noop("执法人员档案改属%(name)s"),
    gettext_noop("Excel导入：%(file)s"),
    gettext_noop("替换导入名录：%(file)s"),
    gettext_noop("导入在线监测数据：%(file)s"),
    gettext_noop("按%(policy)s进行%(period)s分类"),
    gettext_noop("放假"),
    gettext_noop("调休上班"),
    # accounts: the reasons of the sign-in locks and password events, read on the 审计日志 page
    gettext_noop("连续登录失败，账号锁定"),
    gettext_noop("同一地址登录失败过多，地址锁定"),
    gettext_noop("设置密码"),
    gettext_noop("已设置"),
    gettext_noop("已停用密码登录"),
    gettext_noop("本人修改密码"),
    gettext_noop("管理员重置密码，原有 API 令牌一并吊销"),
    # intake: a classification's warnings and the positive-list reason
    gettext_noop("%(day)s 不在正面清单中"),
    gettext_noop("尚未录入任何年度的重点排污单位名录：本次没有对象归为重点排污单位"),
    gettext_noop("%(year)s年重点排污单位名录尚未录入，沿用%(used)s年名录"),
    gettext_noop("%(window)s没有在线监测数据导入记录：超标次数可能不全"),
    # planning: a plan's warnings, its strata's notes, a withdrawn task, a late draw
    gettext_noop("不设上限（按任务数 %(n)s 计，不构成限制）"),
    gettext_noop("并入 %(number)s"),
    gettext_noop("%(period)s尚未进行季度分类，本计划按检查对象名录库中的当前类别编制"),
    gettext_noop("本季度本级其他联合抽查计划已计划 %(n)s 家，本计划至少 %(m)s 家。"),
    gettext_noop("正面清单企业原则上不进行现场检查；经批准核查线索的 %(n)s 家已作为必查对象计入各类别。"),
    gettext_noop("联合抽查由科室发起的内部联合抽查计划完成，此处核对本季度各联合抽查计划合计是否达到最低数。"),
    # the one stratum of a clue check and of a cross-department check (public on the portal's plan page)
    gettext_noop("线索核查：%(day)s 发现的线索经%(who)s批准现场检查，该企业为唯一的必查对象；检查人员照常随机"
                 "选派。这是针对线索的检查，不计入任何随机抽查比例。"),
    gettext_noop("跨部门联合抽查：%(initiator)s在部门协同监管平台抽取的 %(n)s 家检查对象，均为必查对象；"
                 "本局执法人员照常随机选派。检查对象不是按本局各类别抽取的，不计入本局任何随机抽查比例。"),
    # a 线索核查's opening names its clue (the plan's history, shown to readers of the plan who may not read the clue)
    gettext_noop("线索 #%(id)s（%(day)s 发现）经批准现场检查"),
    gettext_noop("所在抽取经批准作废：%(r)s"),
    gettext_noop("抽取日 %(day)s 不在规定的抽取期内（%(first)s 至 %(last)s，上一季度最后 %(n)s 个工作日；%(cite)s）"),
    gettext_noop("抽取期（%(before)s最后 %(n)s 个工作日）要按%(year)s年的放假安排计算，该年安排尚未由市局管理员"
                 "在“工作日安排”中录入，无法核对抽取日"),
    # fieldwork: a re-check's item content (sealed with its record), a review's return, and the reasons of the events
    # that closed a follow-up or cancelled a re-check (the rows themselves say them from their links)
    gettext_noop("复查整改情况：%(problem)s（整改期限 %(deadline)s）"),
    gettext_noop("经更正记录%(number)s更正，原认定的问题或处理方式已变更"),
    gettext_noop("经更正记录%(number)s更正，不再责令整改，无需复查"),
    gettext_noop("经更正记录%(number)s更正，新增或改列事项的责令改正并入复查任务%(recheck)s"),
    gettext_noop("复查发现仍未整改到位，按复查记录%(number)s的处理方式继续处置"),
    gettext_noop("复查确认已整改到位（复查记录%(number)s）"),
    gettext_noop("审核退回，更正后重新提交"),
    gettext_noop("已作出行政处罚决定（%(number)s）"),
    # planning: a plan's strata as its events list them ("内部联合抽查 5/1": population/minimum; "重点排污单位 3")
    gettext_noop("重点排污单位"),
    gettext_noop("特殊监管对象"),
    gettext_noop("一般排污单位"),
    gettext_noop("正面清单（经批准核查线索）"),
    gettext_noop("内部联合抽查"),
    gettext_noop("%(stratum)s %(population)d/%(minimum)d"),
    gettext_noop("%(stratum)s %(n)d"),
    # values inside the messages
    gettext_noop("%(year)s年第%(quarter)s季度"),
    gettext_noop("市级"),
    gettext_noop("县级"),
    # a check item's 检查方式: a free text whose default, and the demo's and the import's value, is the record's mode
    gettext_noop("现场检查"),
    gettext_noop("非现场检查"),
)

# Written as f-strings by code without gettext: the admin's reasons, the demo's, the classification rules
# (``intake.rules``), the engine's quotas, credit-code problems and reporting deadlines. Each msgid here is
# that code's sentence with its values as placeholders (%(x)d: digits); tests hold the two together.
WRITTEN_IN_CHINESE = (
    # registry.admin, accounts.admin
    gettext_noop("后台管理：修改"),
    gettext_noop("后台管理：新增"),
    # the demo (demo.services, fieldwork.demo)
    gettext_noop("初始化"),
    gettext_noop("初始化：%(detail)s"),
    gettext_noop("列入%(city)s重点排污单位名录"),
    gettext_noop("列入生态环境监督执法正面清单"),
    gettext_noop("上一季度因环境违法问题被行政处罚"),
    gettext_noop("上一季度因环境污染问题被群众举报"),
    gettext_noop("上一季度同一排口在线监测数据超标%(n)d次以上"),
    gettext_noop("演示数据"),
    gettext_noop("装入演示数据（合成数据，单位与人员均为虚构）"),
    # intake: the quarterly classification (rules.window, rules.classify, services._category_change)
    gettext_noop("%(period)s分类：%(reasons)s"),
    gettext_noop("上一季度（%(period)s）"),
    gettext_noop("上一年度（%(year)d年）"),
    gettext_noop("%(window)s因环境违法问题被行政处罚（%(n)d次）"),
    gettext_noop("%(window)s因环境污染问题被群众举报（%(n)d件，其中经核实属实%(verified)d件）"),
    gettext_noop("%(window)s同一排口在线监测数据超标%(threshold)d次以上（%(outlets)d个排口，最多%(most)d次）"),
    gettext_noop("列入%(year)d年重点排污单位名录"),
    gettext_noop("同时符合特殊监管对象条件和重点排污单位名录，按政策从严归为特殊监管对象"),
    gettext_noop("同时符合特殊监管对象条件和重点排污单位名录，按政策仍归为重点排污单位"),
    gettext_noop("%(window)s未发生特殊监管情形，且未列入重点排污单位名录，为一般排污单位"),
    gettext_noop("列入正面清单，但发现违法问题线索并经执法机构负责人批准现场检查，作为必查对象纳入本季度抽查"),
    gettext_noop("列入正面清单：“无事不扰”，以非现场监管为主，不参加本季度现场随机抽查"),
    gettext_noop("列入正面清单；本政策不将正面清单企业移出现场随机抽查"),
    # the evidence a reason links to (intake.services._gather, rules.special_reasons)
    gettext_noop("%(outlet)s：超标%(n)d次"),
    gettext_noop("%(reference)s（%(day)s，经核实属实）"),
    gettext_noop("%(reference)s（%(day)s，未核实或不属实）"),
    # engine.quotas: each sentence of a stratum's explanation
    gettext_noop("重点排污单位 %(n)d 家。"),
    gettext_noop("特殊监管对象 %(n)d 家。"),
    gettext_noop("一般排污单位 %(n)d 家。"),
    gettext_noop("正面清单企业 %(n)d 家不参加现场随机抽查。"),
    gettext_noop("经批准核查线索的 %(n)d 家必查。"),
    gettext_noop("%(level)s每季度至少抽查 %(ratio)s：⌈%(ratio)s × %(n)d⌉ = %(required)d 家。"),
    gettext_noop("本季度是上半年的第二个季度，上半年尚未现场检查的 %(n)d 家全部必查。"),
    gettext_noop("本季度是下半年的第二个季度，下半年尚未现场检查的 %(n)d 家全部必查。"),
    gettext_noop("其中列入重点排污单位名录的 %(n)d 家，上半年尚未现场检查的 %(m)d 家必查。"),
    gettext_noop("其中列入重点排污单位名录的 %(n)d 家，下半年尚未现场检查的 %(m)d 家必查。"),
    gettext_noop("上半年每家重点排污单位至少检查一次，本季度未抽到的下季度必查。"),
    gettext_noop("下半年每家重点排污单位至少检查一次，本季度未抽到的下季度必查。"),
    gettext_noop("%(level)s全年至少按 1:%(per)s（双随机执法人员数 : 被抽查单位数）抽查：⌈%(inspectors)d × %(per)s⌉ = "
                 "%(annual)d 家；今年已抽查 %(done)d 家，尚需 %(remaining)d 家，分摊到剩余 %(left)d 个季度："
                 "⌈%(remaining)d ÷ %(left)d⌉ = %(share)d 家。"),
    gettext_noop("内部联合抽查每季度至少 %(min)d 家次；全年联合抽查的重点排污单位不少于本地重点排污单位"
                 "（%(local)d 家）的 %(ratio)s：⌈%(ratio)s × %(local)d⌉ = %(annual)d 家；今年已完成 %(done)d 家，"
                 "尚需 %(remaining)d 家，分摊到剩余 %(left)d 个季度：⌈%(remaining)d ÷ %(left)d⌉ = %(share)d 家。"),
    gettext_noop("联合抽查对象为重点排污单位。"),
    gettext_noop("本辖区无可现场检查的重点排污单位，联合抽查对象为其他检查对象。"),
    gettext_noop("联合抽查对象为全部可现场检查的对象。"),
    gettext_noop("本类可抽对象仅 %(n)d 家，最低数以此为限。"),
    gettext_noop("本季度最低抽查 %(n)d 家。"),
    # engine.workdays.reporting_deadlines and disclosure.report_books: the reports' titles
    gettext_noop("公开%(year)d年列入随机抽查日常监管的污染源名单"),
    gettext_noop("报送%(year)d年%(month)d月“双随机、一公开”情况明细表"),
    gettext_noop("报送%(year)d年第%(quarter)d季度“双随机、一公开”监管工作落实情况"),
    gettext_noop("报送%(year)d年第%(quarter)d季度需调整的检查人员库和检查对象名录库信息"),
    gettext_noop("%(place)s%(year)d年%(month)d月“双随机、一公开”情况明细表"),
    gettext_noop("%(place)s%(year)d年第%(quarter)d季度“双随机、一公开”监管工作落实情况"),
    # engine.creditcode.validate
    gettext_noop("统一社会信用代码为空"),
    gettext_noop("长度应为18位，实为%(n)d位"),
    gettext_noop("长度应为18位，实为%(n)d位（首尾有空白字符）"),
    gettext_noop("第%(position)d位是空白字符"),
    gettext_noop("第%(position)d位“%(char)s”不可使用（统一社会信用代码不使用字母 I、O、S、V、Z）"),
    gettext_noop("第%(position)d位“%(char)s”是小写字母，应写作“%(upper)s”"),
    gettext_noop("第%(position)d位“%(char)s”是全角字符，应写作“%(upper)s”"),
    gettext_noop("第%(position)d位“%(char)s”不是统一社会信用代码字符（只可用数字和除 I、O、S、V、Z 以外的大写字母）"),
    gettext_noop("第1位登记管理部门代码“%(char)s”不存在（GB 32100-2015 只有 %(known)s）"),
    gettext_noop("第2位机构类别代码“%(char)s”不属于登记管理部门“%(department)s”（%(name)s），该部门只有 %(allowed)s"),
    gettext_noop("第%(position)d位“%(char)s”应为数字（第3—8位是登记管理机关行政区划码）"),
    gettext_noop("第18位校验码应为“%(expected)s”，实为“%(char)s”（代码有误写或误录）"),
)

# Messages whose English says a count with a noun or a verb that agrees with it ("1 key unit.", "3 key units."):
# translated with ngettext, their English entries with msgid_plural (the Chinese plural the same as the msgid),
# by the value of the placeholder named here, which is digits.
COUNTED = {
    # engine.quotas
    "重点排污单位 %(n)d 家。": "n",
    "特殊监管对象 %(n)d 家。": "n",
    "一般排污单位 %(n)d 家。": "n",
    "正面清单企业 %(n)d 家不参加现场随机抽查。": "n",
    "本季度是上半年的第二个季度，上半年尚未现场检查的 %(n)d 家全部必查。": "n",
    "本季度是下半年的第二个季度，下半年尚未现场检查的 %(n)d 家全部必查。": "n",
    "其中列入重点排污单位名录的 %(n)d 家，上半年尚未现场检查的 %(m)d 家必查。": "n",
    "其中列入重点排污单位名录的 %(n)d 家，下半年尚未现场检查的 %(m)d 家必查。": "n",
    # planning.services: the positive list's row of a plan's strata
    "正面清单企业原则上不进行现场检查；经批准核查线索的 %(n)s 家已作为必查对象计入各类别。": "n",
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")
_PERIOD = r"\d{4}年第[1-4]季度"
# What some values always look like, so that a message cannot take a longer text as its value
# ("%(day)s 不在正面清单中" the whole "2026年第1季度分类：2026-01-01 不在正面清单中"). Any other %(x)s is any text.
_SHAPES = {
    "day": r"\d{4}-\d{2}-\d{2}", "first": r"\d{4}-\d{2}-\d{2}", "last": r"\d{4}-\d{2}-\d{2}",
    "deadline": r"\d{4}-\d{2}-\d{2}", "period": _PERIOD, "window": rf"上一季度（{_PERIOD}）|上一年度（\d{{4}}年）",
}
# Values that are themselves the system's words: a text whose value here is not ("2026年第3季度分类：" and a
# person's own words) is no message of the system and stays as written.
_KNOWN_VALUES = frozenset({"reasons", "detail", "level", "stratum"})
_SENTENCE = re.compile(r"[^。]+。|[^。]+$")


@dataclass(frozen=True)
class _Message:
    msgid: str
    pattern: re.Pattern[str]
    numbers: frozenset[str]
    """Placeholders written %(x)d, and the count of a ``COUNTED`` message: their values are digits, given to the
    translation as int."""
    count: str | None
    """The placeholder whose value chooses the English form (``COUNTED``); None for a message without one."""


def _compile(msgid: str) -> _Message:
    parts, seen, numbers, position = [], set(), set(), 0
    count = COUNTED.get(msgid)
    for match in _PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[position:match.start()]))
        name, kind = match.groups()
        number = kind == "d" or name == count
        if name in seen:  # the same value twice ("⌈10% × 37⌉" after "10%")
            parts.append(f"(?P={name})")
        else:
            shape = r"\d+" if number else _SHAPES.get(name, ".+?")
            parts.append(f"(?P<{name}>{shape})")
            seen.add(name)
        if number:
            numbers.add(name)
        position = match.end()
    parts.append(re.escape(msgid[position:]))
    return _Message(msgid, re.compile("".join(parts), re.DOTALL), frozenset(numbers), count)


@cache
def _tables() -> tuple[dict[str, str], tuple[_Message, ...]]:
    everything = (*WRITTEN_BY_SERVICES, *WRITTEN_IN_CHINESE)
    exact = {msgid: msgid for msgid in everything if not _PLACEHOLDER.search(msgid)}
    # The message with more fixed text is tried first: "上一季度（%(period)s）" would otherwise take a whole
    # reason that begins with it, and "列入%(city)s…名录" the year's directory "列入2026年…名录".
    patterned = sorted((msgid for msgid in everything if _PLACEHOLDER.search(msgid)),
                       key=lambda msgid: -len(_PLACEHOLDER.sub("", msgid)))
    return exact, tuple(_compile(msgid) for msgid in patterned)


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _whole(text: str) -> str | None:
    """The text in the reader's words if it is, whole, one known message with its values; else None."""
    exact, messages = _tables()
    if text in exact:
        return gettext(exact[text])
    for message in messages:
        match = message.pattern.fullmatch(text)
        if match is None:
            continue
        values: dict[str, object] = {}
        for name, value in match.groupdict().items():
            if name in message.numbers:
                values[name] = int(value)
                continue
            said = _said(value)
            if said is None and name in _KNOWN_VALUES:
                break
            values[name] = said or value
        else:
            if message.count is not None:
                return ngettext(message.msgid, message.msgid, values[message.count]) % values
            return gettext(message.msgid) % values
    return None


def _said(text: str) -> str | None:
    """The text whole, or sentence by sentence, or clause by clause; None unless every piece is known."""
    found = _whole(text)
    if found is not None:
        return found
    sentences = _SENTENCE.findall(text)
    if len(sentences) > 1:
        said = [_said(sentence) for sentence in sentences]
        return " ".join(said) if all(s is not None for s in said) else None  # type: ignore[arg-type]
    clauses = text.split("；")
    if len(clauses) > 1:
        said = [_whole(clause) for clause in clauses]
        return "; ".join(said) if all(s is not None for s in said) else None  # type: ignore[arg-type]
    return None


def system_text(text: str | None) -> str:
    """A stored text in the reader's language if the system wrote it; what a person wrote, as written."""
    if not text or _chinese():
        return text or ""
    return _said(str(text)) or str(text)


register.filter("system_text", system_text)
