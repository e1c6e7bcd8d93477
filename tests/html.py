"""Reading rendered pages the way a person would: by their visible text."""

import lxml.html


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def text(element) -> str:
    return " ".join(element.text_content().split())


def checklist(response) -> dict[str, str]:
    """The overview's task list as {step title: status}."""
    rows = page(response).cssselect(".govuk-task-list__item")
    result = {}
    for row in rows:
        name = row.cssselect(".govuk-task-list__name-and-hint > :first-child")[0]
        status = row.cssselect(".govuk-task-list__status")[0]
        result[text(name).split(". ", 1)[1]] = text(status)
    return result
