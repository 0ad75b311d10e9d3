"""工作日安排: which years the working-day calendar knows, the override table by year, and — for the city
office — entering a year's holidays and 调休 working days from the State Council's notice, which comes out
in November or December, usually before the calendar package knows the year. Until then every deadline
counted in working days in that year cannot be computed (the engine refuses rather than guess)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shuangsuiji.engine.workdays import package_years, years_needed
from shuangsuiji.planning.gather import calendar
from shuangsuiji.registry.forms import WorkdayScheduleForm
from shuangsuiji.registry.models import WorkdayOverride
from shuangsuiji.registry.services import do_enter_workday_schedule, keeps_reference_data

# The years the schedule form accepts.
YEARS = WorkdayScheduleForm.base_fields["year"]


@login_required
def workdays(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    known = calendar()
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or max(years_needed(today)))
    except ValueError:
        year = today.year
    if not YEARS.min_value <= year <= YEARS.max_value:
        # A year the form would refuse is no year to show either (and beyond 9999 not even a date): as for
        # ?year=abc, the current year instead of an error page.
        year = today.year
    form = None
    if keeps_reference_data(request.user):
        form = WorkdayScheduleForm(request.POST or None, initial={"year": year})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                counts = do_enter_workday_schedule(year=data["year"], holidays=data["holidays"],
                                                   workdays=data["workdays"], source=data["source"],
                                                   acting_user=request.user)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, ngettext("已录入%(year)s年放假和调休安排：新增 %(created)s 天，"
                                                   "修改 %(updated)s 天，%(unchanged)s 天与已录入的相同",
                                                   "已录入%(year)s年放假和调休安排：新增 %(created)s 天，"
                                                   "修改 %(updated)s 天，%(unchanged)s 天与已录入的相同",
                                                   counts["created"])
                                 % {"year": data["year"], **counts})
                return redirect(f"{reverse('registry:workdays')}?year={data['year']}")
    elif request.method == "POST":
        raise PermissionDenied(_("只有市局管理员可以录入放假和调休安排"))
    rows = WorkdayOverride.objects.filter(date__year=year).order_by("date")
    first, last = package_years()
    context = {
        "year": year, "rows": rows, "form": form, "package_first": first, "package_last": last,
        "needed": [(y, known.knows(y), y in range(first, last + 1)) for y in years_needed(today)],
        "override_years": sorted({d.year for d in WorkdayOverride.objects.values_list("date", flat=True)}),
    }
    return render(request, "registry/workdays.html", context)
