"""Keep it Local: the project package and the network itself (councils, people, decisions)."""
