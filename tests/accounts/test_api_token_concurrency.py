"""Two requests at the same moment (PostgreSQL): the tenth place is taken once — two creations at once with nine
tokens held leave ten, the second refused naming the cap — and one token revoked by two people at once is
revoked once, with one event; the second is told who was first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shuangsuiji.accounts.models import ApiToken
from shuangsuiji.accounts.services import TOKEN_MAX_ACTIVE, do_create_token, do_revoke_token
from shuangsuiji.audit.models import Event
from tests.concurrency import collide, require_postgres

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def make(user, name: str):
    return do_create_token(user, acting_user=user, name=name, valid_through=timezone.localdate() + timedelta(days=30))


def test_two_creations_at_once_take_the_tenth_place_once(users):
    require_postgres()
    leader = users["leader"]
    for n in range(TOKEN_MAX_ACTIVE - 1):
        make(leader, f"脚本{n}")
    first, second = collide(lambda: make(leader, "第十个"), lambda: make(leader, "第十一个"))
    assert first.error is None, first.error
    assert second.error is not None and "最多10个" in second.refused
    assert ApiToken.objects.active().filter(owner=leader).count() == TOKEN_MAX_ACTIVE
    assert Event.objects.filter(action="apitoken.create").count() == TOKEN_MAX_ACTIVE


def test_one_token_revoked_by_two_at_once_is_revoked_once(users):
    require_postgres()
    token, _secret = make(users["inspector"], "执法记录仪同步")
    first, second = collide(lambda: do_revoke_token(token, acting_user=users["county_admin"], reason="人员调离"),
                            lambda: do_revoke_token(token, acting_user=users["inspector"], reason="不用了"))
    assert first.error is None, first.error
    assert second.error is not None and "county_admin" in second.refused
    token.refresh_from_db()
    assert (token.revoked_by, token.revoke_reason) == (users["county_admin"], "人员调离")
    assert Event.objects.filter(action="apitoken.revoke").count() == 1
