"""Finding a piece of a name: ``icontains``, and on PostgreSQL an index for pieces too short for trigrams.

Django's ``icontains`` is ``UPPER(col) LIKE UPPER('%piece%')``, which the trigram GIN indexes answer for three
characters or more (disclosure migration 0002). People search Chinese names by two characters (化工, 热力) or
one, and those give no trigram: each such search read the whole ordered index until it had a page and a capped
count — about 0.7 s of the database's CPU per request over a national year of results, 0.7 requests/s under load
(bench/README.md). A GIN index on the array of the upper-cased name's characters, ``string_to_array(UPPER(name),
NULL)`` (disclosure migration 0004 for the results' names, registry migration 0004 for the targets' names and
addresses, which the staff's searches read), gives the rows holding every character of such a piece; the ``LIKE`` beside
it keeps those where they stand together, so what matches is exactly what ``icontains`` matches, on either
database. Where the planner rightly keeps the ordered scan (a piece in nearly every name, such as 公司), each row
pays for its array of characters: such a search is about twice as slow as before (bench/README.md).
"""

from collections.abc import Callable

from django.db import connection
from django.db.models import CharField, Lookup, Q

SHORT = 2
"""Pieces up to this many characters are looked up by their characters; longer ones have trigrams."""

MAX_WORDS = 10
"""The words of one search that are looked for: each is a condition (SQLite parses ``a AND b AND …`` as a tree as
deep as the words are many, and refuses one deeper than 1000), and no one narrows a list by more than a few."""


def words(text: str) -> list[str]:
    """The words typed in a staff list's search box: split at spaces (the full-width 　 too), each once, the first
    ``MAX_WORDS`` of them."""
    return list(dict.fromkeys(text.split()))[:MAX_WORDS]


def every_word(text: str, condition: Callable[[str], Q]) -> Q:
    """The rows that match each word of ``text`` (``condition(word)``, the list's fields for one word): every extra
    word narrows, as in any search engine ("清苑 废气" is a 清苑 row that is also a 废气 one). One ``Q``, so the list
    stays one query; a name typed with its space ("涞水县 乙纺织厂") is still found, its two words being in it."""
    found = Q()
    for word in words(text):
        found &= condition(word)
    return found


@CharField.register_lookup
class HasChars(Lookup):
    """``field__ssj_chars=piece``: every character of the upper-cased piece is in the upper-cased field
    (PostgreSQL only), written exactly as the index's expression so that the planner can use it."""

    lookup_name = "ssj_chars"

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        if connection.vendor != "postgresql":
            raise NotImplementedError("the characters' indexes are PostgreSQL's (disclosure and registry 0004)")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return (f"string_to_array(UPPER({lhs}::text), NULL) @> string_to_array(UPPER({rhs}), NULL)",
                [*lhs_params, *rhs_params])


def contains_piece(field: str, piece: str, *, indexed: bool = True) -> Q:
    """``field__icontains=piece``, with the characters' condition beside it where an index of them can answer it.

    ``indexed`` says the field has such an index (the caller's model knows; a condition no index answers would
    only cost a little per row).
    """
    condition = Q(**{f"{field}__icontains": piece})
    if indexed and connection.vendor == "postgresql" and 0 < len(piece) <= SHORT:
        condition &= Q(**{f"{field}__ssj_chars": piece})
    return condition
