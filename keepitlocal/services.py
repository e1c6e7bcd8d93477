"""Writes for the network: each one checks, validates and saves in one place."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from keepitlocal.models import (
    CommunityConversation,
    ConversationOutcome,
    Council,
    DecisionToJoin,
    LocalPartner,
    User,
    one_year_after,
)


def _lock_council(council: Council) -> None:
    """Hold the council's row until the transaction ends, so that of two people adding the
    same thing to it at once, the second waits for the first and then sees what it added.

    ``no_key``: rows that refer to the council (its actions, say) can still be written.
    """
    Council.objects.select_for_update(no_key=True).values_list("pk").get(pk=council.pk)


def _already_recorded(decision: DecisionToJoin) -> ValidationError:
    who = decision.updated_by.get_full_name() if decision.updated_by else ""
    return ValidationError(
        f"{who or 'Someone else'} recorded the decision to join while you were entering this. "
        "Check the decision page to see what they saved, or save again to replace it with "
        "what you entered.",
        code="already_recorded",
    )


@transaction.atomic
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
    is_first: bool = False,
) -> DecisionToJoin:
    """Record (or correct) the council's decision to join the network.

    Partner membership is free for a year from joining, so the renewal date
    defaults to one year after the start date when none is given.

    ``is_first``: the person was recording the council's first decision. If someone else
    recorded one in the meantime, theirs is not replaced unseen: a ``ValidationError``
    says so, and saving again (no longer the first) replaces it.
    """
    if not by.has_perm("keepitlocal.change_decision", council):
        raise PermissionDenied("Only a council admin can record the decision to join.")
    if partner_membership_starts_on and not partner_membership_renews_on:
        partner_membership_renews_on = one_year_after(partner_membership_starts_on)
    _lock_council(council)  # a first decision has no row of its own to lock yet
    decision = DecisionToJoin.objects.select_for_update().filter(council=council).first()
    if decision is not None and is_first:
        raise _already_recorded(decision)
    decision = decision or DecisionToJoin(council=council)
    decision.decided_on = decided_on
    decision.decision_maker = decision_maker.strip()
    decision.report_title = report_title.strip()
    decision.report_url = report_url.strip()
    decision.recommendations = [item.strip() for item in recommendations if item.strip()]
    decision.delegated_to = delegated_to.strip()
    decision.partner_membership_starts_on = partner_membership_starts_on
    decision.partner_membership_renews_on = partner_membership_renews_on
    decision.updated_by = by
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def local_partner_add(*, council: Council, by: User, name: str) -> LocalPartner:
    """Add a local VCSE partner to the council's list, once: a name already on the list, in
    any mix of capitals, is refused with a ``ValidationError`` on ``name``."""
    if not by.has_perm("keepitlocal.record_conversation", council):
        raise PermissionDenied("Your role in this council does not allow you to add partners.")
    name = " ".join(name.split())
    _lock_council(council)
    existing = council.local_partners.filter(name__iexact=name).first()
    if existing is not None:
        raise ValidationError({"name": f"{existing.name} is already on your list"})
    partner = LocalPartner(council=council, name=name)
    partner.full_clean()
    partner.save()
    return partner


@transaction.atomic
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
) -> CommunityConversation:
    """Record a conversation with local communities and what came out of it, in order."""
    if not by.has_perm("keepitlocal.record_conversation", council):
        raise PermissionDenied("Your role in this council does not allow you to record this.")
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
    return conversation


@transaction.atomic
def conversation_outcome_to_action(*, outcome: ConversationOutcome, principle, by: User):
    """Turn an outcome into an action on a principle, once."""
    from principles.services import action_create

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
