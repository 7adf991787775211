"""The test kommune's counterparts: ØiR hub, debitor system, PSRM. Thin HTTP shells over pure rules."""
