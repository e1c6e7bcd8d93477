"""The six principles and each council's work on them."""
