from django.urls import path

from shuangsuiji.planning import views, views_clue, views_cross, views_policy

app_name = "planning"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("new/cross-department/", views_cross.cross_check_create, name="cross_check_create"),
    path("<id:pk>/", views.plan_detail, name="plan_detail"),
    path("<id:pk>/requested/", views.plan_requested, name="plan_requested"),
    path("<id:pk>/joint/", views.plan_correct_joint, name="plan_correct_joint"),
    path("<id:pk>/strata/<id:stratum_pk>/shortfall/", views.plan_shortfall, name="plan_shortfall"),
    path("<id:pk>/freeze/", views.plan_freeze, name="plan_freeze"),
    path("<id:pk>/commit/", views.plan_commit, name="plan_commit"),
    path("<id:pk>/public-value/", views.plan_public, name="plan_public"),
    path("<id:pk>/draw/", views.plan_draw, name="plan_draw"),
    path("<id:pk>/dispatch/", views.plan_dispatch, name="plan_dispatch"),
    path("<id:pk>/reveal/", views.plan_reveal, name="plan_reveal"),
    path("<id:pk>/withdraw/", views.plan_withdraw, name="plan_withdraw"),
    path("<id:pk>/redraw/", views.plan_redraw_request, name="plan_redraw_request"),
    path("<id:pk>/redraw/<id:request_pk>/", views.plan_redraw_decide, name="plan_redraw_decide"),
    path("<id:pk>/draws/<id:number>/manifest.json", views.plan_manifest, name="plan_manifest"),
    # 监管政策: the policy versions, which applies to this quarter and the next, the plans made under each
    path("policies/", views_policy.policy_list, name="policy_list"),
    path("clue-checks/<id:clue_pk>/open/", views_clue.clue_check_open, name="clue_check_open"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/mine/", views.my_tasks, name="my_tasks"),
    path("tasks/<id:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<id:pk>/substitute-target/", views.task_substitute_target, name="task_substitute_target"),
    path("tasks/<id:pk>/substitute-inspector/", views.task_substitute_inspector, name="task_substitute_inspector"),
    path("tasks/<id:pk>/merge/", views.task_merge, name="task_merge"),
]
