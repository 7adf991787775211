"""The kommune's ERP (bogføringssystem) behind ØiR SF1590_A: finansbilag to kontostreng, kvittering."""
