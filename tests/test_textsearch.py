"""The words of a staff list's search (``shuangsuiji.textsearch.words``): each narrows the list."""

from django.db.models import Q

from shuangsuiji.textsearch import MAX_WORDS, every_word, words


def test_words_are_split_at_any_space_each_once():
    assert words(" 清苑　废气  清苑 ") == ["清苑", "废气"]
    assert words("") == [] and every_word("  ", lambda word: Q(name=word)) == Q()


def test_every_word_is_a_condition_of_its_own_and_all_must_hold():
    condition = every_word("清苑 废气", lambda word: Q(name__icontains=word) | Q(number=word))
    assert condition == (Q(Q(name__icontains="清苑") | Q(number="清苑"))
                         & Q(Q(name__icontains="废气") | Q(number="废气")))


def test_a_long_search_is_cut_at_its_first_words_rather_than_refused_by_the_database():
    typed = " ".join(f"w{n}" for n in range(MAX_WORDS * 200))
    assert words(typed) == [f"w{n}" for n in range(MAX_WORDS)]
