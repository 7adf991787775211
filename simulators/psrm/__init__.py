"""PSRM (Gældsstyrelsen's debt collection): MFFordringIndberet, MFKvitteringHent, the entry filter."""
