"""The sign-in records django-axes keeps (failures, lockouts, the access log), as PostgreSQL can store them."""

from axes.handlers.database import AxesDatabaseHandler

from shuangsuiji.accounts import services

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
    """axes's database handler (AXES_HANDLER), storing the request's headers as ``_storable`` makes them, and
    adding the cap per address (``services.address_locked_until``) to axes's lock per name and address."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        # asked by axes's backend before the password is checked: a capped address is refused whatever the name,
        # the right password included, and the refusal is not counted (axes returns before recording it)
        return (super().is_locked(request, credentials)
                or services.address_locked_until(getattr(request, "axes_ip_address", None)) is not None)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        _storable(request)
        refused = getattr(request, "axes_locked_out", False)  # refused before the password: not counted
        super().user_login_failed(sender, credentials, request, **kwargs)
        if refused:
            return
        # The failure was counted; if it was the address's LOGIN_ADDRESS_FAILURE_LIMIT-th, it is the one that
        # capped the address (the address was open before it, or it had been refused): answered with the
        # lockout, and written to the audit chain once, as the name's lock is.
        address = request.axes_ip_address
        until = services.address_locked_until(address)
        if until is not None:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            services.record_address_lockout(address, until)

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        if request is not None:
            _storable(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs) -> None:
        if request is not None:
            _storable(request)
        return super().user_logged_out(sender, request, user, **kwargs)
