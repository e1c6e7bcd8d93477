"""Who may do what with the endorsement. Signing itself is checked against the
signatory list by the service: being named is what lets a person sign."""

import rules

from keepitlocal.rules import is_council_admin

rules.add_perm("endorsements.prepare", is_council_admin)
