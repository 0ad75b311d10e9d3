from django.urls import path

from shuangsuiji.accounts import views_tokens, views_users

app_name = "accounts"

urlpatterns = [
    # 用户管理: city and county admins keep the accounts of their scope (the admin site stays the superuser's)
    path("users/", views_users.user_list, name="user_list"),
    path("users/new/", views_users.user_create, name="user_create"),
    # the form's department and officer choices for the jurisdiction chosen on it (js/follow_choices.js)
    path("users/new/choices/", views_users.user_choices, name="user_create_choices"),
    path("users/<id:pk>/", views_users.user_detail, name="user_detail"),
    path("users/<id:pk>/edit/", views_users.user_edit, name="user_edit"),
    path("users/<id:pk>/edit/choices/", views_users.user_choices, name="user_edit_choices"),
    path("users/<id:pk>/password/", views_users.user_password, name="user_password"),
    path("users/<id:pk>/unlock/", views_users.user_unlock, name="user_unlock"),
    path("users/<id:pk>/deactivate/", views_users.user_deactivate, name="user_deactivate"),
    path("users/<id:pk>/reactivate/", views_users.user_reactivate, name="user_reactivate"),
    # an address locked for every name, lifted by the city office (from the 审计日志 page or a user's page)
    path("address-locks/lift/", views_users.address_lock_lift, name="address_lock_lift"),
    # API 令牌: everyone his own; an admin revokes those of the accounts he keeps (from their page)
    path("tokens/", views_tokens.token_list, name="token_list"),
    path("tokens/<id:pk>/revoke/", views_tokens.token_revoke, name="token_revoke"),
]
