"""The signed endorsement and its public verification (to come)."""
