"""Who may change principle progress, actions, evidence and local spend."""

import rules

from keepitlocal.rules import is_champion, is_council_admin, is_network_admin, is_officer

rules.add_perm("principles.change_progress", is_officer | is_champion | is_council_admin)
# Recording local spend periods, importing spend files and classifying suppliers.
rules.add_perm("principles.change_local_spend", is_officer | is_champion | is_council_admin)
# Practice assessments: officers answer, champions review and approve; a champion or a council
# admin may invite a peer council's champions to review.
rules.add_perm("principles.change_assessment", is_officer | is_champion | is_council_admin)
rules.add_perm("principles.review_assessment", is_champion)
rules.add_perm("principles.invite_peer_reviewer", is_champion | is_council_admin)
rules.add_perm("principles.revise_framework", is_network_admin)
