import time

from django.conf import settings

from keepitlocal.selectors import council_for_user

SESSION_KEY = "current_council_slug"


class CurrentCouncilMiddleware:
    """Sets ``request.council`` for every view whose URL names a council.

    Council pages live under ``/councils/<council_slug>/``; the council is
    looked up through the signed-in person's memberships, so another council's
    URL is a 404 before any view code runs. The last council opened is kept in
    the session so that ``/`` returns there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.council = None
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("council_slug")
        if slug is None:
            return None
        request.council, request.membership = council_for_user(request.user, slug)
        if request.session.get(SESSION_KEY) != slug:
            request.session[SESSION_KEY] = slug
        return None


class SessionActivityMiddleware:
    """Signs people out after ``SESSION_COOKIE_AGE`` seconds without activity.

    The session's expiry moves on with each request, but it is written back at most once
    every ``SESSION_ACTIVITY_RESOLUTION`` seconds, so reading pages does not write to the
    database on every request.
    """

    KEY = "last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY, 0)
            if now - last >= settings.SESSION_ACTIVITY_RESOLUTION:
                request.session[self.KEY] = now  # saving the session renews its expiry
        return self.get_response(request)
