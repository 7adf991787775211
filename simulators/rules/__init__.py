"""Pure rule functions over a claim's stamdata, the simulator's state and the simulated clock."""
