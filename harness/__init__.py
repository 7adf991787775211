"""testkommune: a simulated Danish test kommune for fagsystem vendors."""

__version__ = "0.1.0"
