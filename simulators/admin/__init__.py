"""The admin API: the simulated clock, reset, settings, faults and a read of all state."""
