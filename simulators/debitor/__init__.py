"""The kommune's debitor system: books fordringer from ØiR and hands overdue ones to PSRM."""
