from django.conf import settings
from django.urls import translate_url

from accounts.roles import ACTING_SESSION_KEY


def portal(request):
    """Portal-wide template values: the name, the language links and who is acting."""
    path = request.get_full_path()
    language_links = [
        {"code": code, "name": name, "url": translate_url(path, code)} for code, name in settings.LANGUAGES
    ]
    acting = None
    if hasattr(request, "session") and request.session.get(ACTING_SESSION_KEY):
        from accounts.roles import actor_for

        actor = actor_for(request)
        acting = actor.organisation if actor.on_behalf else None
    return {
        "portal_name": settings.PORTAL_NAME,
        "portal_agency": settings.PORTAL_AGENCY,
        "demo_mode": settings.DEMO_MODE,
        "language_links": language_links,
        "acting_organisation": acting,
    }
