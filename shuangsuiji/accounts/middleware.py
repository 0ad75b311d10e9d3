"""Language: Chinese unless the user chose English with the switch in the navbar.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a county officer whose
browser happens to be set to English would get a page half in English (dates, Django's own messages)
while the system's texts stay Chinese. The bureau's working language is Chinese; English is a choice.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # the activation is per thread: the next request served by this thread (or the next test)
            # must not inherit this reader's language
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response
