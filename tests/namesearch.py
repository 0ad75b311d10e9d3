"""Names and typed pieces for the tests that hold a search to ``icontains`` (the public results' names, the staff's
searches by a target's name): Chinese pieces of one, two and more characters, letters in either case, and ``%``
and ``_``, which a ``LIKE`` would read as wildcards were they not escaped."""

NAMES = ["保定化工有限公司", "涞水县热力公司", "化学试剂厂", "abc_Steel 钢铁", "百分之100%纸业", "工化贸易", "化"]

PIECES = ["化工", "化", "工化", "热力", "公司", "ST", "st", "c_", "_", "%", "0%", "钢", "铁x", "司", "保", "化学试剂",
          "热力公司"]


def holding(typed: str, names) -> set[str]:
    """The names ``icontains`` finds: ``typed`` anywhere in them, letters in either case, % and _ as themselves."""
    return {name for name in names if typed.upper() in name.upper()}
