"""Practice assessments against the six principles (checklist step 6): the framework of criteria
and maturity levels that network admins maintain, a council's assessments, their answers, review by
the council's champions and by invited peer councils, and results against the council's previous
assessment and the network. See docs/adr/0007."""
