"""Who may change principle progress, actions, evidence and local spend."""

import rules

from keepitlocal.rules import is_champion, is_council_admin, is_officer

rules.add_perm("principles.change_progress", is_officer | is_champion | is_council_admin)
# Recording local spend periods, importing spend files and classifying suppliers.
rules.add_perm("principles.change_local_spend", is_officer | is_champion | is_council_admin)
