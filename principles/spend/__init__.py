"""Local spend (principle 3): periods and their figures, imports of the council's published
spend files, and the supplier register that decides which spend is local."""
