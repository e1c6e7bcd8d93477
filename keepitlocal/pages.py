"""What a page does with the outcome of a write: say what was saved and merged, show a
conflict again on the form, and send a form that was already sent to what it made."""

from django.contrib import messages


def say_saved(request, record, text: str) -> None:
    """``text`` as the page's success message, and what was merged in from others with it."""
    messages.success(request, text)
    for merged in getattr(record, "merged", []):
        messages.info(request, merged.message)


def say_already_sent(request) -> None:
    messages.info(request, "That form was already sent, so nothing was added a second time.")


def conflict_context(form, conflict) -> dict:
    """Show ``form`` again rebased on the saved record, each field both people changed
    marked with the other person's value."""
    form.rebase(conflict)
    return {"conflict": conflict}
