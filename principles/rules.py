"""Who may change principle progress, actions and evidence."""

import rules

from keepitlocal.rules import is_champion, is_council_admin, is_officer

rules.add_perm("principles.change_progress", is_officer | is_champion | is_council_admin)
