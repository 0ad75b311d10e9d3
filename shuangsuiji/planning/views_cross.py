"""跨部门联合抽查: the form an admin enters a cross-department joint check on (实施方案 二(五); 国发〔2019〕5号).

The initiating department drew the targets on the 部门协同监管平台; the admin pastes their credit codes, can check
them line by line first (检查代码), and then enters the check, whose plan goes through the ceremony on its own page
like any plan (the teams are drawn there)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shuangsuiji.planning import services
from shuangsuiji.planning.forms import CrossCheckForm
from shuangsuiji.planning.permissions import can_enter_cross_check


@login_required
def cross_check_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_enter_cross_check(user):
        raise PermissionDenied(_("只有市局或分局的管理员可以登记跨部门联合抽查"))
    form = CrossCheckForm(request.POST or None, user=user)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found, problems = services.read_cross_targets(data["jurisdiction"], data["targets"])
        # Every line that says something, in its order: the firm found, or what is wrong with it.
        preview = sorted([{"line": line, "code": target.credit_code, "target": target} for line, target in found]
                         + [{"line": p.line, "code": p.code, "problem": p.message} for p in problems],
                         key=lambda row: row["line"])
        if request.POST.get("action") != "check":
            year, quarter = data["period"]
            try:
                plan = services.do_create_cross_check(
                    jurisdiction=data["jurisdiction"], year=year, quarter=quarter, acting_user=user,
                    targets_text=data["targets"], participants=form.participant_names(),
                    initiator=data["initiator"], platform_ref=data["platform_ref"], deadline=data["deadline"],
                    check_items=list(data["check_items"]) or None, require_specialties=data["require_specialties"])
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, found_problems in error.message_dict.items():
                        name = "period" if field == "quarter" else field
                        form.add_error(name if name in form.fields else None, found_problems)
                else:
                    form.add_error(None, error.messages)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已登记%(plan)s：请在本页审定冻结、承诺密钥、录入公开随机数并抽取执法人员")
                                 % {"plan": plan})
                return redirect(plan)
    return render(request, "planning/cross_check_form.html", {"form": form, "preview": preview})
