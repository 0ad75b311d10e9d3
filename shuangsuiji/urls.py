from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, register_converter
from django.views.generic import RedirectView
from rest_framework.permissions import AllowAny

from shuangsuiji import health, params
from shuangsuiji.accounts import views as account_views
from shuangsuiji.apischema import ApiDocsView, SchemaView

# Ids in paths (every app's URLs use it): Django's <int:…> without its bound, which the database has.
register_converter(params.IdConverter, "id")
register_converter(params.KeyConverter, "key")  # and keys (public ids, credit codes): <str:…> without NUL

PUBLIC_API = [path("api/public/", include("shuangsuiji.disclosure.api_urls"))]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(extra_context={"failure_limit": settings.AXES_FAILURE_LIMIT}),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account_views.account, name="account"),
    path("completion/", account_views.completion_view, name="completion"),
    path("account/alive/", account_views.alive, name="account_alive"),
    path("accounts/", include("shuangsuiji.accounts.urls")),
    path("audit/", include("shuangsuiji.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    # pages name their icon; a browser or tool that asks the old way got a 404 on every visit
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"))),
    path("registry/", include("shuangsuiji.registry.urls")),
    path("intake/", include("shuangsuiji.intake.urls")),
    path("planning/", include("shuangsuiji.planning.urls")),
    path("fieldwork/", include("shuangsuiji.fieldwork.urls")),
    path("disclosure/", include("shuangsuiji.disclosure.urls_staff")),
    path("admin/", admin.site.urls),
    path("api/registry/", include("shuangsuiji.registry.api_urls")),
    path("api/fieldwork/", include("shuangsuiji.fieldwork.api_urls")),
    path("api/planning/", include("shuangsuiji.planning.api_urls")),
    path("public/", include("shuangsuiji.disclosure.urls_public")),
    # The public API's own description, for anyone (the open-data page links it): its endpoints only, and not
    # itself a documented endpoint of the full schema.
    path("api/public/schema/", SchemaView.as_view(urlconf=PUBLIC_API, permission_classes=[AllowAny],
                                                          schema=None), name="public-api-schema"),
    path("api/public/", include("shuangsuiji.disclosure.api_urls")),
    # The description of every API, the staff APIs' too: signed in or with an API token (SERVE_PERMISSIONS).
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the Content Security Policy runs no inline script. A
    # page to read (OPTIONS was a 500: its HTML renderer has no template for a metadata answer): 405 instead.
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema", http_method_names=["get", "head"]), name="api-docs"),
]

# No /media/ address, DEBUG or not (DEBUG is the default of `make run`): MEDIA_ROOT holds the field records' photos
# and files, follow-up evidence and rejected uploads, which the fieldwork and import views serve each to those who
# may see it. Django's static() under DEBUG served them to anyone who had the path, signed in or not.

handler400 = "shuangsuiji.errors.bad_request"
handler404 = "shuangsuiji.errors.page_not_found"
handler500 = "shuangsuiji.errors.server_error"
