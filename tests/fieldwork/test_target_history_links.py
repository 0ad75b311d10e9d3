"""The firm's history on a task page (以往检查, 未办结的问题) lists every past record and open problem, but links
only those the reader may open: an inspector reads his own teams' records, and the links to another team's
answered him "not found" (found drilling the inspector's phone on the demo: 16 of one inspector's tasks)."""

import pytest
from django.urls import reverse

from shuangsuiji.planning.models import MemberRole
from tests.clients import signed_in

from .conftest import make_task

pytestmark = pytest.mark.django_db


def test_another_teams_record_and_problem_are_listed_without_a_dead_link(source, task, items, users, team):
    earlier = source
    follow_up = earlier.follow_ups.get()
    later = make_task(task.target, items, [(team["outsider_inspector"], MemberRole.OFFICER),
                                           (team["first"], MemberRole.OFFICER)])
    url = reverse("fieldwork:task_brief", args=[later.pk])

    newcomer = signed_in(team["outsider"])
    page = newcomer.get(url).content.decode()
    assert earlier.number in page and follow_up.problem.notes[:20] in page  # he still learns of them
    assert earlier.get_absolute_url() not in page and follow_up.get_absolute_url() not in page
    assert newcomer.get(earlier.get_absolute_url()).status_code == 404  # what the link led to

    # the officer who was on the earlier team keeps his links, and they open
    own = signed_in(users["inspector"])
    page = own.get(url).content.decode()
    assert f'href="{earlier.get_absolute_url()}"' in page and f'href="{follow_up.get_absolute_url()}"' in page
    assert own.get(earlier.get_absolute_url()).status_code == 200
