"""The Fælleskommunalt Klassifikationssystem: a fagsystem's klassifikation and sortiment (SF1510, SF7002)."""
