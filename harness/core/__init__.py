"""Pure building blocks shared by every layer: clock, contracts, catalogues, identities, money."""
