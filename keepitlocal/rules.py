"""Who may do what, as `rules` predicates over (user, council).

Loaded by rules' autodiscovery. Use them in views with
``request.user.has_perm("keepitlocal.change_decision", request.council)`` and in
templates with ``{% has_perm "keepitlocal.change_decision" user council as can_edit %}``.
"""

import rules

from keepitlocal.models import Membership
from keepitlocal.selectors import membership_role

Role = Membership.Role


@rules.predicate
def is_network_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_network_admin)


@rules.predicate
def is_member(user, council) -> bool:
    return council is not None and membership_role(user, council) is not None


def has_role(*roles: str):
    """A predicate true when the person holds one of ``roles`` in the council."""

    @rules.predicate(name=f"has_role({', '.join(roles)})")
    def predicate(user, council) -> bool:
        return council is not None and membership_role(user, council) in roles

    return predicate


is_council_admin = has_role(Role.COUNCIL_ADMIN)
is_officer = has_role(Role.OFFICER)
is_champion = has_role(Role.CHAMPION)
is_lead_member = has_role(Role.LEAD_MEMBER)
is_chief_executive = has_role(Role.CHIEF_EXECUTIVE)

rules.add_perm("keepitlocal.view_council", is_member | is_network_admin)
rules.add_perm("keepitlocal.change_decision", is_council_admin)
rules.add_perm("keepitlocal.record_conversation", is_officer | is_champion | is_council_admin)
rules.add_perm("keepitlocal.change_council", is_network_admin)
