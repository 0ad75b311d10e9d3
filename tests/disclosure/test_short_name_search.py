"""A name search of one or two characters finds exactly what ``icontains`` finds, and on PostgreSQL reads the
index of the names' characters (disclosure migration 0004, ``shuangsuiji.textsearch``): without it such a
search read the whole ordered index of a national year of results (bench/README.md). Runs on both databases;
the plan test on PostgreSQL only."""

import pytest
from django.db import connection

from shuangsuiji.disclosure.models import PublishedResult
from shuangsuiji.disclosure.public import results
from shuangsuiji.registry.models import Target
from shuangsuiji.textsearch import contains_piece
from tests.disclosure.test_portal import batch, credit_code, make_result
from tests.namesearch import NAMES, PIECES, holding
from tests.queryplans import query_plan

pytestmark = pytest.mark.django_db

@pytest.fixture
def stored(tree):
    march = batch(tree["a"], 3)
    for serial, name in enumerate(NAMES, 1):
        target = Target.objects.create(credit_code=credit_code("130623", serial), name=name,
                                       jurisdiction=tree["a"])
        make_result(march, target, serial)


def found(typed: str) -> set[str]:
    form, rows = results({"q": typed})
    assert form.is_valid(), form.errors
    return {row.target_name for row in rows}


@pytest.mark.parametrize("typed", PIECES)
def test_a_short_piece_finds_what_contains_finds(stored, typed):
    # What a reader means by a piece of the name: anywhere in it, letters in either case, % and _ as themselves.
    assert found(typed) == holding(typed, NAMES)


def test_longer_pieces_do_not_use_the_characters():
    # Three characters and more have trigrams; the characters' condition would only cost a little per row.
    assert "ssj_chars" not in str(contains_piece("target_name", "化工厂"))
    assert "ssj_chars" not in str(contains_piece("target_name", "化工", indexed=False))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the characters' index is PostgreSQL's")
@pytest.mark.parametrize("typed", ["化工", "化"])
def test_postgresql_answers_a_short_piece_from_the_characters_index(stored, typed):
    # The search's condition as the page writes it, alone: its expression must be the index's, or no plan can use it.
    rows = PublishedResult.objects.filter(contains_piece("target_name", typed)).values("pk")
    assert {row.target_name for row in PublishedResult.objects.filter(pk__in=rows)} == found(typed)
    plan = query_plan(rows, forbid=("seqscan", "indexscan", "indexonlyscan"))
    assert "disclosure_result_name_chars" in plan, plan
