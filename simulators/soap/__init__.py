"""SOAP 1.1 bindings of the simulators: PSRM in SKAT's real wire shape, ØiR in Serviceplatformen's envelope.

A SOAP call is translated to the operation's JSON message and answered by the same route as the JSON
binding (`binding.SoapBinding`), so both bindings give the same receipts, codes and texts.
"""
