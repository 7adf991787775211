"""NemKonto payout simulator behind ØiR SF1590_E (Afsend Betalingsanmodning til NemKonto)."""
