"""线索核查: opening the immediate on-site check of an approved clue (实施方案 二(三)), from the clue's page.

The clue's page (intake) shows the panel through the ``clue_check_panel`` tag of ``planning`` templatetags; the
button posts here, and the plan then goes through the ceremony on its own page like any plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangsuiji.intake.models import Clue
from shuangsuiji.planning import services


@login_required
@require_POST
def clue_check_open(request: HttpRequest, clue_pk: int) -> HttpResponse:
    clue = get_object_or_404(Clue.objects.visible_to(request.user).select_related("target__jurisdiction"),
                             pk=clue_pk)
    jurisdiction = services.clue_check_jurisdiction(clue.target)
    available = {str(item.pk): item for item in
                 services.clue_check_items(clue.target, jurisdiction, *services.current_quarter())}
    chosen = request.POST.getlist("check_items")
    unknown = [value for value in chosen if value not in available]
    if unknown:
        messages.error(request, _("所选抽查事项已不适用于该企业，请刷新页面后重新选择"))
        return redirect(clue)
    try:
        plan = services.do_open_clue_check(clue, acting_user=request.user,
                                           check_items=[available[value] for value in chosen],
                                           require_specialties=request.POST.get("require_specialties") == "on")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(clue)
    messages.success(request, _(
        "已安排线索核查：请在本页审定冻结、承诺密钥、录入公开随机数（可现场掷骰）并抽取执法人员"))
    return redirect(plan)
