"""The URLconf as data, so access tests cover every new view automatically."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Example values for URL parameters other than the council. A new parameter
# must be added here, or the access tests fail and say so.
SAMPLE_KWARGS = {"number": 3}

# URLs that do not belong to a council, with why. A new one must be listed.
NOT_COUNCIL_OWNED = {
    "home": "sends you to your council",
    "sign-in": "public",
    "sign-out": "ends your own session",
    "council-list": "lists only your own councils",
}


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple[str, ...]

    @property
    def is_council_owned(self) -> bool:
        return "council_slug" in self.params

    def url(self, council_slug: str | None = None) -> str:
        kwargs = {}
        for param in self.params:
            if param == "council_slug":
                kwargs[param] = council_slug
            elif param in SAMPLE_KWARGS:
                kwargs[param] = SAMPLE_KWARGS[param]
            else:
                raise AssertionError(
                    f"URL {self.name!r} takes {param!r}: add an example to SAMPLE_KWARGS"
                )
        return reverse(self.name, kwargs=kwargs)


def _walk(patterns, namespace: str = "", params: tuple[str, ...] = ()):
    for entry in patterns:
        entry_params = params + tuple(entry.pattern.converters)
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # Django's own admin, with its own sign-in
            child_ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, child_ns, entry_params)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                raise AssertionError(f"URL pattern {entry.pattern} needs a name")
            yield Route(f"{namespace}{entry.name}", entry_params)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def council_routes() -> list[Route]:
    return [route for route in all_routes() if route.is_council_owned]
