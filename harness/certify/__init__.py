"""Certification: run a scenario suite against a fagsystem through a driver and judge what arrived."""
