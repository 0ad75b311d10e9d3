"""The sign-in records django-axes keeps (failures, lockouts, the access log), as PostgreSQL can store them."""

from axes.handlers.database import AxesDatabaseHandler

# What axes copies from the request into its records (AxesProxyHandler.update_request), each as the client sent it.
RECORDED = ("axes_user_agent", "axes_http_accept", "axes_path_info")


def _storable(request) -> None:
    """NUL replaced in what axes stores of the request: PostgreSQL refuses it in text, so a User-Agent or Accept
    header holding one made any sign-in — the page's, the admin's, the API's HTTP Basic — a server error there
    (schemathesis sent one). The name tried is made storable by ``login_name``."""
    for name in RECORDED:
        value = getattr(request, name, None)
        if isinstance(value, str) and "\x00" in value:
            setattr(request, name, value.replace("\x00", "\ufffd"))


class StorableDatabaseHandler(AxesDatabaseHandler):
    """axes's database handler (AXES_HANDLER), storing the request's headers as ``_storable`` makes them."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is not None:
            _storable(request)
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        if request is not None:
            _storable(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs) -> None:
        if request is not None:
            _storable(request)
        return super().user_logged_out(sender, request, user, **kwargs)
