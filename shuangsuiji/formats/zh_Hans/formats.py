"""Number grouping for Simplified Chinese.

Django's zh_Hans locale has no thousand separator, so ``intcomma`` printed 11537 as "11537". Statistics of
the bureaus and of the MEE group by thousands with a comma ("11,537"), as English does; only the
separator and grouping are set, every other format stays Django's zh_Hans.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
