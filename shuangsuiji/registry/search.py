"""The staff's search of rows by their target: a piece of the target's name, or its credit code.

Tasks, records, follow-ups, penalties and the other lists of a target's rows are searched by the target's name
(``icontains``: trigrams answer three characters or more, registry migration 0003) or its credit code. A piece of
one or two characters (化工, 热力, a brand such as 盛聚) has no trigram: ``contains_piece`` puts the characters'
condition beside the ``LIKE`` (registry migration 0004), so that the planner may find a rare piece's targets
through the index of their names' characters and their rows through the target's index, and still start from
the scope's jurisdictions where the piece is common (a city's or province's rows, each target's name tested).

Written as a semi-join instead (``target_id IN (the targets named so)``), the targets were looked up in the whole
country before the scope narrowed them: a city searching 化 or 化工 read tens of thousands of targets from the index,
5–15 times slower than the join (bench/README.md, "The staff's searches by firm name").
"""

from django.db.models import Q

from shuangsuiji.textsearch import contains_piece


def by_target(piece: str, relation: str = "target") -> Q:
    """Rows whose ``relation`` (a foreign key to Target) has ``piece`` in its name (in any case), or is the target of
    that credit code.

    Credit codes are stored in their canonical spelling (``validate_credit_code``: capitals), so the code typed in any
    case is compared with its capitals: an equality the code's unique index answers, where ``iexact``
    (``UPPER(credit_code) = …``) left the planner no index for the code beside the name.
    """
    return contains_piece(f"{relation}__name", piece) | Q(**{f"{relation}__credit_code": piece.upper()})
