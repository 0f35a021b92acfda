from django.conf import settings
from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse, translate_url
from django.utils.translation import get_language

from accounts.roles import ACTING_SESSION_KEY

# The links of the header and footer, by the names base.html uses. They are the same on every page of a
# language, so they are reversed once per process and language rather than on every page (twenty reverses
# were a tenth of a product page's time).
SITE_URLS = {
    "home": ("home", ()),
    "products": ("catalog:product-list", ()),
    "events": ("events:event-list", ()),
    "mous": ("events:mou-list", ()),
    "statistics": ("reports:statistics", ()),
    "certificate_register": ("reports:certificate-register", ()),
    "open_data": ("reports:open-data", ()),
    "login": ("accounts:login", ()),
    "logout": ("accounts:logout", ()),
    "signup": ("accounts:signup", ()),
    "signup_producer": ("accounts:signup-kind", ("producer",)),
    "signup_buyer": ("accounts:signup-kind", ("buyer",)),
    "account": ("accounts:dashboard", ()),
    "acting_stop": ("accounts:acting-stop", ()),
    "meetings": ("matchmaking:meeting-inbox", ()),
    "staff_organisations": ("accounts:staff-organisations", ()),
    "staff_dashboard": ("reports:staff-dashboard", ()),
    "staff_certification": ("catalog:staff-certification", ()),
    "admin": ("admin:index", ()),
}
_site_urls_memo: dict[tuple, dict[str, str]] = {}


def site_urls() -> dict[str, str]:
    """SITE_URLS reversed for the active language and URLconf ("" for a name the URLconf does not have)."""
    key = (get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    urls = _site_urls_memo.get(key)
    if urls is None:
        urls = {}
        for name, (view, args) in SITE_URLS.items():
            try:
                urls[name] = reverse(view, args=args)
            except NoReverseMatch:
                urls[name] = ""
        _site_urls_memo[key] = urls
    return urls


def _forget_site_urls(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"}:
        _site_urls_memo.clear()


setting_changed.connect(_forget_site_urls)


def portal(request):
    """Portal-wide template values: the name, the site's links, the language links and who is acting."""
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
        "site_urls": site_urls(),
        "language_links": language_links,
        "acting_organisation": acting,
    }
