"""The URLconf as data, so access tests cover every new view automatically."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories

# Example values for URL parameters that are not council-owned objects.
SAMPLE_KWARGS = {"number": 3}


# URLs whose parameters name council-owned objects: a function makes them in the
# council it is given and returns those parameters. A new URL parameter without
# an entry here or in SAMPLE_KWARGS fails the tests.
def _outcome(council) -> dict:
    outcome = factories.OutcomeFactory(conversation__council=council)
    return {"pk": outcome.conversation.pk, "outcome_pk": outcome.pk}


def _endorsement(council) -> dict:
    return {"pk": factories.EndorsementFactory(council=council).pk}


def _signed_endorsement(council) -> dict:
    return {"pk": factories.signed_endorsement(council).pk}


_periods = itertools.count(2001)


def _assessment(council) -> dict:
    return {"pk": factories.assessment(council, period=str(next(_periods))).pk}


def _assessment_answer(council) -> dict:
    from principles.assessments.models import Answer

    made = factories.assessment(council, period=str(next(_periods)), level=2)
    return {"pk": made.pk, "answer_pk": Answer.objects.filter(assessment=made).first().pk}


def _peer_review(council) -> dict:
    """An invitation to another council's champions to review this council's assessment."""
    made = factories.assessment(council, period=str(next(_periods)))
    review = factories.PeerReviewFactory(assessment=made)
    return {"pk": review.assessment.pk, "review_pk": review.pk}


def _invited_to_review(council) -> dict:
    """An invitation to this council's champions to review a peer council's assessment."""
    return {"review_pk": factories.PeerReviewFactory(reviewer_council=council).pk}


def _current_criterion(council=None) -> dict:
    from principles.assessments.models import FrameworkVersion

    return {"pk": FrameworkVersion.objects.order_by("-number").first().criteria.first().pk}


OBJECT_KWARGS: dict[str, Callable[..., dict]] = {
    **{
        f"assessments:{name}": _assessment
        for name in (
            "detail",
            "answers",
            "submit",
            "review",
            "results",
            "pdf",
            "csv",
            "invite",
            "period",
            "delete",
        )
    },
    "assessments:gap-action": _assessment_answer,
    "assessments:withdraw": _peer_review,
    "assessments:peer-review": _invited_to_review,
    "framework:version": lambda council=None: {"number": 1},
    "framework:criterion": _current_criterion,
    "framework:criterion-remove": _current_criterion,
    **{
        f"endorsements:{name}": _endorsement
        for name in (
            "detail",
            "send",
            "void",
            "sign",
            "decline",
        )
    },
    "endorsements:document-pdf": _signed_endorsement,
    "endorsements:signed-pdf": _signed_endorsement,
    "principles:action-edit": lambda c: {"pk": factories.ActionFactory(council=c).pk},
    "principles:action-remove": lambda c: {"pk": factories.ActionFactory(council=c).pk},
    "principles:evidence-edit": lambda c: {"pk": factories.EvidenceFactory(council=c).pk},
    "principles:evidence-remove": lambda c: {"pk": factories.EvidenceFactory(council=c).pk},
    "principles:evidence-file": lambda c: {"pk": factories.EvidenceFactory(council=c).pk},
    "conversation": lambda c: {"pk": factories.ConversationFactory(council=c).pk},
    "outcome-action": _outcome,
    "spend:period-edit": lambda c: {"pk": factories.LocalSpendPeriodFactory(council=c).pk},
    "spend:import": lambda c: {"pk": factories.LocalSpendImportFactory(council=c).pk},
    "spend:import-columns": lambda c: {"pk": factories.LocalSpendImportFactory(council=c).pk},
    "spend:import-undo": lambda c: {
        "pk": factories.LocalSpendImportFactory(council=c, status="imported").pk
    },
    "spend:supplier": lambda c: {"pk": factories.SupplierFactory(council=c).pk},
    "champions:end": lambda c: {"pk": factories.ChampionAppointmentFactory(council=c).pk},
}


# URLs that do not belong to a council, with why. A new one must be listed.
NOT_COUNCIL_OWNED = {
    "home": "sends you to your council",
    "sign-in": "public",
    "sign-out": "ends your own session",
    "council-list": "lists only your own councils",
    "verify": "public: anyone checks a signed endorsement",
    "network:dashboard": "every council, for Locality's network admins only (403 for others)",
    "network:export": "the network dashboard as CSV, for network admins only",
    "framework:index": "the assessment framework, the same for every council; network admins only",
    "framework:version": "an earlier version of the framework; network admins only",
    "framework:criterion": "revises the framework for every council; network admins only",
    "framework:criterion-remove": "revises the framework for every council; network admins only",
    "framework:criterion-add": "revises the framework for every council; network admins only",
}


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple[str, ...]

    @property
    def is_council_owned(self) -> bool:
        return "council_slug" in self.params

    @property
    def names_an_object(self) -> bool:
        return self.name in OBJECT_KWARGS

    def kwargs_for(self, council=None) -> dict:
        """URL arguments for ``council``, creating any objects the URL names in it."""
        objects = OBJECT_KWARGS[self.name](council) if self.name in OBJECT_KWARGS else {}
        kwargs = {}
        for param in self.params:
            if param == "council_slug":
                kwargs[param] = council.slug
            elif param in objects:
                kwargs[param] = objects[param]
            elif param in SAMPLE_KWARGS:
                kwargs[param] = SAMPLE_KWARGS[param]
            else:
                raise AssertionError(
                    f"URL {self.name!r} takes {param!r}: add it to OBJECT_KWARGS or SAMPLE_KWARGS"
                )
        return kwargs

    def url(self, kwargs: dict | None = None) -> str:
        return reverse(self.name, kwargs=kwargs or {})


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
