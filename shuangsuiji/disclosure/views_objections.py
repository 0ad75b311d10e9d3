"""异议: an inspected enterprise objects to its published result on the portal, and the bureau answers.

The portal's pages only read (``urls_public.read``); these two are its one way in, kept apart so that rule
stays plain everywhere else. The form writes only through ``services.do_receive_objection``; what the portal
shows back is the objection's own status and answer, to whoever holds its number and the firm's credit code.
The bureau's side lists the objections of its scope (``Objection.objects.visible_to``) and answers them.
"""

import math
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from shuangsuiji.disclosure import public, services
from shuangsuiji.disclosure.forms import ObjectionAnswerForm, ObjectionForm, ObjectionLookupForm, put_errors
from shuangsuiji.disclosure.models import Correction, Objection, ObjectionStatus
from shuangsuiji.disclosure.views_staff import _reader
from shuangsuiji.params import client_address
from shuangsuiji.planning.models import bureau_name
from shuangsuiji.registry.places import place_filter
from shuangsuiji.textsearch import every_word

# --- the portal ----------------------------------------------------------------------------------------------


def _published_result(public_id: str):
    result = public.result(public_id)
    if result is None:
        raise Http404(_("没有这条已公开的抽查结果"))
    return result


@require_http_methods(["GET", "HEAD", "POST"])
def lodge(request: HttpRequest, public_id: str) -> HttpResponse:
    result = _published_result(public_id)
    allowed = services.objection_form_allowed(result)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objection = services.do_receive_objection(
                result, credit_code=data["credit_code"], organisation=data["organisation"],
                contact_name=data["contact_name"], contact_phone=data["contact_phone"], content=data["content"],
                address=client_address(request) or None)
        except ValidationError as error:
            put_errors(form, error)
        else:
            # Back to the status page (a reload does not lodge it again), which shows the number to note down.
            query = urlencode({"number": objection.number, "credit_code": objection.credit_code, "new": 1})
            return redirect(f"{reverse('public:objection_status')}?{query}")
    return render(request, "disclosure/public/objection_form.html",
                  {"result": result, "form": form, "allowed": allowed,
                   # whom to ask about a withheld result: a city-level result has a 市局, not a 分局
                   "bureau": bureau_name(result.jurisdiction)},
                  status=400 if form.errors else 200)


@require_safe
def status(request: HttpRequest) -> HttpResponse:
    """An objection's status and answer, for whoever holds its number and the firm's credit code. A wrong pair
    is answered as "not found", whichever half is wrong, so the page tells nobody which numbers exist."""
    asked = "number" in request.GET or "credit_code" in request.GET
    form = ObjectionLookupForm(request.GET if asked else None)
    objection, answer, wait = None, 200, None
    if asked and not form.is_valid():
        answer = 400
    elif asked:
        try:
            # The number is cleaned as a credit code is: full width, case, spaces.
            objection = services.find_objection(form.cleaned_data["number"], form.cleaned_data["credit_code"],
                                                address=client_address(request) or None)
        except services.ObjectionLookupLimited as limited:
            wait = limited.wait
            form.add_error(None, _("这个网络地址一小时内查不到的次数过多，请 %(minutes)s 分钟后再查询") % {
                "minutes": math.ceil(wait / 60)})
            answer = 429
        else:
            if objection is None:
                form.add_error(None, _("没有找到这条异议：请核对异议编号和统一社会信用代码"))
                answer = 404
    corrections = (Correction.objects.published().filter(result=objection.result,
                                                           corrected_at__gte=objection.received_at)
                   if objection else Correction.objects.none())
    response = render(request, "disclosure/public/objection_status.html", {
        "form": form, "objection": objection, "corrections": list(corrections), "new": request.GET.get("new") == "1",
    }, status=answer)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


# --- the bureau ----------------------------------------------------------------------------------------------


@login_required
def objection_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    wanted = request.GET.get("status", ObjectionStatus.RECEIVED)
    if wanted not in {*ObjectionStatus.values, "all"}:
        wanted = ObjectionStatus.RECEIVED
    # One county, from the 工作台's table; a place outside his area refused in words, nothing listed
    # (registry/places.py)
    chosen = place_filter(request, refusal=_("%(name)s不在您的管辖范围内，不能列出它的异议"))
    rows = chosen.narrow(Objection.objects.visible_to(request.user), "jurisdiction").select_related(
        "result", "jurisdiction", "answered_by")
    counts = {value: rows.filter(status=value).count() for value in ObjectionStatus.values}
    if wanted != "all":
        rows = rows.filter(status=wanted)
    search = request.GET.get("q", "").strip()
    if search:
        rows = rows.filter(every_word(search, lambda word: Q(number__icontains=word) | Q(organisation__icontains=word)
                                      | Q(credit_code__icontains=word) | Q(result__public_id__icontains=word)))
    order = "received_at" if wanted == ObjectionStatus.RECEIVED else "-received_at"  # the oldest waits first
    return render(request, "disclosure/staff/objections.html", {
        "rows": rows.order_by(order, "pk")[:200], "wanted": wanted, "counts": counts, "search": search,
        "statuses": ObjectionStatus.choices, "place": chosen.place, "refused": chosen.refused,
    }, status=chosen.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    objection = get_object_or_404(
        Objection.objects.visible_to(request.user).select_related("result__publication", "jurisdiction",
                                                                  "answered_by"), pk=pk)
    can_answer = (objection.status == ObjectionStatus.RECEIVED
                  and services.can_publish(request.user, objection.jurisdiction))
    form = ObjectionAnswerForm(request.POST or None)
    if request.method == "POST":
        if not services.can_publish(request.user, objection.jurisdiction):
            raise PermissionDenied(_("只有该行政区（或市局）的管理员可以答复异议"))
        if form.is_valid():
            try:
                services.do_answer_objection(objection, accepted=form.cleaned_data["accepted"],
                                             reply=form.cleaned_data["reply"], acting_user=request.user)
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(request, _("已答复异议 %(number)s；企业凭编号在公开门户查看答复") % {
                    "number": objection.number})
                return redirect(objection)
        objection.refresh_from_db()  # answered meanwhile by another admin: the page shows that answer
        can_answer = objection.status == ObjectionStatus.RECEIVED
    corrections = (Correction.objects.filter(result=objection.result).select_related("corrected_by")
                   .order_by("-corrected_at"))
    return render(request, "disclosure/staff/objection_detail.html", {
        "objection": objection, "result": objection.result, "form": form, "can_answer": can_answer,
        "can_correct": services.can_publish(request.user, objection.jurisdiction),
        "corrections": corrections, "record": objection.result.record,
        # each handling in the reader's language (stored as its Chinese label), as the portal's page says it
        "problems": public.readable_problems(objection.result.problems),
    }, status=400 if form.errors else 200)
