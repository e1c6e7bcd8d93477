"""Who may record champions, share the council's progress and see the whole network."""

import rules

from keepitlocal.rules import is_council_admin, is_network_admin

rules.add_perm("champions.change_appointments", is_council_admin)
rules.add_perm("champions.change_sharing", is_council_admin)
rules.add_perm("champions.view_network", is_network_admin)
