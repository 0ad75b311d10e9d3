"""监管政策: the policy files (``policies/*.toml``) the system knows, and which of them applies to a quarter.

An admin could read which policy a plan used on the plan's page only, after making it; before, and for a
quarter without plans, nothing said which version the next plan would follow, or that an older version was
kept because plans name it. This page lists every version with its documents and fingerprint, marks the one in
force for this quarter and the next, and shows each version's rules in words with the clauses they come
from (``policy_text``) (the policy of a quarter's plans is the one in force on its first day,
``intake.services.policy_for``), and counts the plans of the reader's scope made under each."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shuangsuiji.engine import policy as policies
from shuangsuiji.engine.policy import Policy
from shuangsuiji.engine.workdays import next_quarter, quarter_start
from shuangsuiji.planning.permissions import reads_plans, visible_plans
from shuangsuiji.planning.policy_text import RuleText, rules_text


@dataclass
class Version:
    policy: Policy
    file: str
    plans: int | None
    """The reader's plans made under it (None: he reads no plans)."""
    quarters: list[tuple[int, int]]
    """Of this quarter and the next, those whose plans follow this version."""
    rules: list[RuleText]
    """Every rule of the version, said in words, with its citations."""


def _quarter_of(day) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    known = policies.load_all()  # refuses two files of one id and version, as planning does
    files = {policies.load(path).fingerprint: path.name for path in sorted(policies.POLICY_DIR.glob("*.toml"))}
    this = _quarter_of(timezone.localdate())
    quarters = [this, next_quarter(*this)]
    applies: dict[str, list[tuple[int, int]]] = {}
    missing = []
    for year, quarter in quarters:
        try:
            chosen = policies.select(known, quarter_start(year, quarter))
        except LookupError:
            missing.append((year, quarter))
        else:
            applies.setdefault(chosen.fingerprint, []).append((year, quarter))
    counts = None
    if reads_plans(request.user):
        counts = dict(visible_plans(request.user).order_by().values_list("policy_fingerprint")
                      .annotate(n=Count("pk")).values_list("policy_fingerprint", "n"))
    versions = [Version(policy, files.get(policy.fingerprint, ""),
                        None if counts is None else counts.get(policy.fingerprint, 0),
                        applies.get(policy.fingerprint, []), rules_text(policy))
                for policy in sorted(known, key=lambda p: (p.id, p.effective, p.version), reverse=True)]
    return render(request, "planning/policy_list.html", {"versions": versions, "missing": missing})
