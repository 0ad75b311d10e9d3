"""The target list's search reads trigram indexes on PostgreSQL (registry migration 0003): a national registry is
otherwise scanned whole for each search (bench/staff_bench.py). The test holds the index and the query the page
writes together — were either changed (the index dropped, the filter made ``LOWER`` or case-sensitive), the
search would scan again without any test failing for its results."""

import pytest
from django.db import connection
from django.test import RequestFactory

from shuangsuiji.accounts.models import User
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Target
from shuangsuiji.registry.views import REGISTRIES, filtered
from tests.queryplans import query_plan

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")]


def plan_of(queryset) -> str:
    # along any other index, the few rows are cheaper than through the trigrams
    return query_plan(queryset, forbid=("seqscan", "indexscan"))


@pytest.mark.parametrize("typed", ["源信中药", "朝阳路306"])
def test_the_search_of_three_characters_and_more_reads_the_trigram_indexes(tree, typed):
    Target.objects.create(credit_code=complete("91130623000000001"), name="保定源信中药饮片有限公司",
                          address="涞水县朝阳路306号", jurisdiction=tree["a"])
    request = RequestFactory().get("/registry/targets/", {"q": typed})
    # a national scope, where the index matters: no jurisdiction to start from, the whole registry to search
    request.user = User.objects.create_superuser("root", password="pw-root-1A")
    _form, queryset = filtered(REGISTRIES["target"], request)
    assert [t.name for t in queryset] == ["保定源信中药饮片有限公司"]
    plan = plan_of(queryset.order_by().values("pk"))  # the capped count's query; the page's adds the order
    assert "registry_target_name_trgm" in plan and "registry_target_address_trgm" in plan, plan
