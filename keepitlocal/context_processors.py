from django.urls import reverse

SERVICE_NAME = "Keep it Local"


def service_navigation(request) -> dict:
    """The service name and the navigation for the council being viewed."""
    council = getattr(request, "council", None)
    items = []
    if council is not None:
        slug = {"council_slug": council.slug}
        items = [
            ("overview", "Overview", reverse("overview", kwargs=slug)),
            ("principles", "Principles", reverse("principles:list", kwargs=slug)),
            ("spend", "Local spend", reverse("spend:index", kwargs=slug)),
            ("assessments", "Assessments", reverse("assessments:index", kwargs=slug)),
            ("champions", "Champions", reverse("champions:list", kwargs=slug)),
            ("endorsement", "Endorsement", reverse("endorsements:index", kwargs=slug)),
        ]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_network_admin:
        items.append(("network", "Network", reverse("network:dashboard")))
    match = getattr(request, "resolver_match", None)
    section = _section(match)
    return {
        "service_name": SERVICE_NAME,
        "service_navigation": [
            {"key": key, "text": text, "href": href, "active": key == section}
            for key, text, href in items
        ],
    }


def _section(match) -> str | None:
    if match is None:
        return None
    if "principles" in match.namespaces:
        return "principles"
    if "spend" in match.namespaces:
        return "spend"
    if "assessments" in match.namespaces:
        return "assessments"
    if "framework" in match.namespaces:
        return "network"
    if "endorsements" in match.namespaces:
        return "endorsement"
    if "network" in match.namespaces:
        return "network"
    if "champions" in match.namespaces:
        return "champions" if match.url_name in {"list", "appoint", "end"} else "overview"
    if match.url_name in {
        "overview",
        "decision",
        "decision-edit",
        "conversations",
        "conversation-add",
        "conversation",
        "outcome-action",
        "partners",
    }:
        return "overview"
    return None
