"""Writes for the network: the decision to join, local partners and community conversations.

Each runs inside the writes contract (``keepitlocal.writes.council_write``): permission first,
then the change and its history in one transaction (ADR 0012).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from keepitlocal.models import (
    CommunityConversation,
    ConversationOutcome,
    Council,
    DecisionToJoin,
    LocalPartner,
    User,
    one_year_after,
)
from keepitlocal.writes import council_write


def _lock_council(council: Council) -> None:
    """Hold the council's row until the transaction ends, so that of two people adding the
    same thing to it at once, the second waits for the first and then sees what it added.

    ``no_key``: rows that refer to the council (its actions, say) can still be written.
    """
    Council.objects.select_for_update(no_key=True).values_list("pk").get(pk=council.pk)


DECISION_FIELDS = (
    "decided_on",
    "decision_maker",
    "report_title",
    "report_url",
    "recommendations",
    "delegated_to",
    "partner_membership_starts_on",
    "partner_membership_renews_on",
)


def decision_to_join_record(
    *,
    council: Council,
    by: User,
    decided_on: datetime.date,
    decision_maker: str,
    report_title: str,
    report_url: str = "",
    recommendations: list[str],
    delegated_to: str = "",
    partner_membership_starts_on: datetime.date | None = None,
    partner_membership_renews_on: datetime.date | None = None,
    base_version: int | None = None,
) -> DecisionToJoin:
    """Record (or correct) the council's decision to join the network.

    Partner membership is free for a year from joining, so the renewal date defaults to one
    year after the start date when none is given. ``base_version`` is the version the person
    started from (0 for none yet): what others saved since is merged with their edit
    (``decision.merged``), and a field both changed differently raises ``EditConflict``.
    Without it (a command, the demo) the values given are saved as they are.
    """
    if partner_membership_starts_on and not partner_membership_renews_on:
        partner_membership_renews_on = one_year_after(partner_membership_starts_on)
    submitted = {
        "decided_on": decided_on,
        "decision_maker": decision_maker.strip(),
        "report_title": report_title.strip(),
        "report_url": report_url.strip(),
        "recommendations": [item.strip() for item in recommendations if item.strip()],
        "delegated_to": delegated_to.strip(),
        "partner_membership_starts_on": partner_membership_starts_on,
        "partner_membership_renews_on": partner_membership_renews_on,
    }
    with council_write(
        by=by,
        council=council,
        permission="keepitlocal.change_decision",
        denied="Only a council admin can record the decision to join.",
    ) as write:
        decision = DecisionToJoin.objects.select_for_update().filter(council=council).first()
        if decision is None:
            decision = DecisionToJoin(council=council, version=0)
            write.merge(decision, base_version=0, submitted=submitted)
            decision.updated_by = by
            decision.full_clean(validate_unique=False)
            try:
                with transaction.atomic():
                    decision.save()
            except IntegrityError:
                # Another admin recorded the first decision a moment before: merge with theirs.
                decision = DecisionToJoin.objects.select_for_update().get(council=council)
                if base_version is not None:  # a person's edit; a command's stands as given
                    base_version = 0
            else:
                write.added(decision)
                decision.merged = write.merged
                return decision
        write.track(decision)
        write.merge(
            decision,
            base_version=decision.version if base_version is None else base_version,
            submitted=submitted,
        )
        decision.updated_by = by
        decision.full_clean()
        decision.save()
        write.changed(decision)
        decision.merged = write.merged
        return decision


def local_partner_add(*, council: Council, by: User, name: str, submission=None) -> LocalPartner:
    """Add a local VCSE partner to the council's list; a name already on it is refused
    (``ValidationError`` on ``name``), even one added by someone else a moment ago."""
    name = " ".join(name.split())
    with council_write(
        by=by,
        council=council,
        permission="keepitlocal.record_conversation",
        denied="Your role in this council does not allow you to add partners.",
        submission=submission,
    ) as write:
        _lock_council(council)
        existing = LocalPartner.objects.filter(council=council, name__iexact=name).first()
        if existing is not None:
            raise ValidationError({"name": f"{existing.name} is already on your list"})
        partner = LocalPartner(council=council, name=name)
        partner.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                partner.save()
        except IntegrityError:
            raise ValidationError({"name": f"{name} is already on your list"}) from None
        write.added(partner)
        return partner


def community_conversation_record(
    *,
    council: Council,
    by: User,
    held_on: datetime.date,
    title: str,
    partners: list[LocalPartner],
    people_count: int | None,
    summary: str,
    principles: list,
    outcomes: list[str],
    submission=None,
) -> CommunityConversation:
    """Record a conversation with local communities and what came out of it, in order."""
    with council_write(
        by=by,
        council=council,
        permission="keepitlocal.record_conversation",
        denied="Your role in this council does not allow you to record this.",
        submission=submission,
    ) as write:
        if any(partner.council_id != council.pk for partner in partners):
            raise PermissionDenied("Partners must be on this council's list.")
        conversation = CommunityConversation(
            council=council,
            held_on=held_on,
            title=title.strip(),
            people_count=people_count,
            summary=summary.strip(),
            created_by=by,
        )
        conversation.full_clean()
        conversation.save()
        conversation.partners.set(partners)
        conversation.principles.set(principles)
        ConversationOutcome.objects.bulk_create(
            ConversationOutcome(conversation=conversation, position=position, text=text)
            for position, text in enumerate(outcomes, start=1)
        )
        write.added(conversation)
        return conversation


def conversation_outcome_to_action(*, outcome: ConversationOutcome, principle, by: User):
    """Turn an outcome into an action on a principle, once."""
    from principles.services import action_create

    with transaction.atomic():
        outcome = ConversationOutcome.objects.select_for_update().get(pk=outcome.pk)
        if outcome.action_id is not None:
            return outcome.action
        council = outcome.conversation.council
        title = outcome.text if len(outcome.text) <= 200 else outcome.text[:199] + "…"
        action = action_create(
            council=council,
            principle=principle,
            by=by,
            title=title,
            description=f"From the community conversation “{outcome.conversation.title}”.",
        )
        outcome.action = action
        outcome.save(update_fields=["action"])
        return action
