"""`testkommune load`: Locust load profiles against the test kommune, SLO judging and a GO/NO-GO report.

Locust is an optional extra (`pip install 'testkommune[load]'`); nothing here imports it at package import
time, so the rest of the harness works without it. This package talks to the test kommune over HTTP only.
"""

INSTALL_HINT = "the load command needs Locust: pip install 'testkommune[load]'"
