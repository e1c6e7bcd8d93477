"""Writes for the network: each one checks, validates and saves in one place."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from keepitlocal.models import Council, DecisionToJoin, User, one_year_after


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
) -> DecisionToJoin:
    """Record (or correct) the council's decision to join the network.

    Partner membership is free for a year from joining, so the renewal date
    defaults to one year after the start date when none is given.
    """
    if not by.has_perm("keepitlocal.change_decision", council):
        raise PermissionDenied("Only a council admin can record the decision to join.")
    if partner_membership_starts_on and not partner_membership_renews_on:
        partner_membership_renews_on = one_year_after(partner_membership_starts_on)
    decision = DecisionToJoin.objects.select_for_update().filter(
        council=council
    ).first() or DecisionToJoin(council=council)
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
