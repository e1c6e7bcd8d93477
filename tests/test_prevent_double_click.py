"""A double click sends a form once: every button that submits a form is a GOV.UK Frontend
Button with ``data-prevent-double-click``, which ignores a second click within a second.

Checked on every page of the URLconf as each role that may open it sees it, and, for buttons
a page shows only in some states, in every template.
"""

import re
from pathlib import Path

import pytest
from lxml import html

from tests.factories import CouncilFactory
from tests.test_permission_matrix import MATRIX, ROLES, _person
from tests.urlconf import all_routes

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SUBMITS = "button:not([type]), button[type=submit], input[type=submit], input[type=image]"
OPEN_PAGES = ["sign-in", "verify"]


def _unguarded(content: bytes) -> tuple[int, list[str]]:
    """How many buttons submit the page's forms, and those a double click would send twice."""
    buttons = [
        button
        for form in html.fromstring(content).cssselect("form")
        for button in form.cssselect(SUBMITS)
    ]
    unguarded = [
        html.tostring(button, encoding="unicode").split(">")[0] + ">"
        for button in buttons
        if button.get("data-module") != "govuk-button"
        or button.get("data-prevent-double-click") != "true"
    ]
    return len(buttons), unguarded


def _openers(name: str) -> list[str]:
    """The roles the permission matrix lets open the page (GET 200)."""
    cells = MATRIX.get(name, "").split()
    return [role for role, cell in zip(ROLES, cells, strict=False) if cell.startswith("200/")]


PAGES = [route for route in all_routes() if _openers(route.name) or route.name in OPEN_PAGES]


@pytest.mark.django_db
@pytest.mark.parametrize("route", PAGES, ids=lambda route: route.name)
def test_every_button_of_every_form_ignores_a_second_click(client, route):
    council = CouncilFactory()
    kwargs = route.kwargs_for(council) if route.is_council_owned else route.kwargs_for()
    url = route.url(kwargs)
    checked, pages, unguarded = 0, 0, []
    for role in _openers(route.name) or [None]:
        if role is not None:
            client.force_login(_person(role, council))
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        if response["Content-Type"].startswith("text/html"):
            count, bad = _unguarded(response.content)
            pages, checked = pages + 1, checked + count
            unguarded += [f"{role}: {button}" for button in bad]
    assert unguarded == []
    assert checked or not pages  # each page has a form at least (Sign out, Sign in)


@pytest.mark.django_db
def test_the_page_walk_sees_the_forms_it_checks(client, officer, council):
    # Signed in, every page has the Sign out button; the partners page adds its own form.
    client.force_login(officer)
    checked, unguarded = _unguarded(client.get(f"/councils/{council.slug}/partners/").content)
    assert (checked, unguarded) == (2, [])
    page = b'<form method="post"><button class="govuk-button">Save</button></form>'
    assert _unguarded(page) == (1, ['<button class="govuk-button">'])


def test_every_submit_button_written_in_a_template_ignores_a_second_click():
    unguarded = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for tag in re.findall(r"<(?:button|input)\b[^>]*>", template.read_text()):
            kind = re.search(r'\btype="([^"]*)"', tag)
            submits = (kind.group(1) if kind else "submit") in {"submit", "image"}
            if tag.startswith("<input") and kind is None:
                submits = False  # a text input
            guarded = (
                'data-module="govuk-button"' in tag and 'data-prevent-double-click="true"' in tag
            )
            if submits and not guarded:
                unguarded.append(f"{template.relative_to(TEMPLATES)}: {tag}")
    assert unguarded == []
