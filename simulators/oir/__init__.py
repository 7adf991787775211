"""ØiR on Serviceplatformen: the hub a fagsystem delivers to, with no loss and no duplicates."""
