from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shuangsuiji.accounts import workbench
from shuangsuiji.registry.models import CheckItem, Inspector, InspectorStatus, Level, Target, TargetStatus


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's start page: first what he has to act on now (the workbench), then what his scope
    holds, county by county."""
    user = request.user
    active_targets = Target.objects.visible_to(user).filter(status=TargetStatus.ACTIVE)
    by_category = dict(active_targets.values_list("category").annotate(n=Count("id")))
    by_county = (
        active_targets.filter(jurisdiction__level=Level.COUNTY)
        .values("jurisdiction__id", "jurisdiction__name", "jurisdiction__code")
        .annotate(n=Count("id"))
        .order_by("jurisdiction__code")
    )
    context = {
        "bench": workbench.for_user(user),
        "target_count": sum(by_category.values()),
        "by_category": by_category,
        "by_county": by_county,
        "inspector_count": Inspector.objects.visible_to(user).filter(status=InspectorStatus.ACTIVE).count(),
        "item_count": CheckItem.objects.visible_to(user).filter(is_active=True).count(),
    }
    return render(request, "accounts/home.html", context)
