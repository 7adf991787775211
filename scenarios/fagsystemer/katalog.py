"""The reference fagsystem's catalogue: its ØiR addresses, its mapping of services to fordringstyper and
income lines, and how each update from the debitor system moves its view of what is owed."""

from __future__ import annotations

OIR_B01 = "/service/OIR/DebitorRegistreringAfsend/1"
OIR_B03 = "/service/OIR/DebitorIndbetalingAfsend/1"
OIR_POSTKASSE = "/service/OIR/DaekningAfskrivningRegistreringAfsend/1/HentDaekningAfskrivning"
MAILBOX_SIGN = {  # how each update from the debitor system moves the fagsystem's view of what is owed
    "DAEKNING": -1,
    "AFSKRIVNING": -1,
    "NEDSKRIVNING": -1,
    "MODREGNING": -1,
    "RENTE": 1,
    "RYKKERGEBYR": 1,
    "OPSKRIVNING": 1,
    "DAEKNING_TILBAGEFOERT": 1,
    "STATUS": 0,
}
FORDRINGSTYPE = {  # the vendor's own mapping from the services it bills to PSRM fordringstyper
    "daginstitution": "KFDAINS",
    "sfo": "KFSKFRI",
    "ungdomsklub": "KLFRUNG",
    "tandpleje": "KFETAND",
    "boform": "KFBOTMO",
    "renovation": "KFRENAB",
    "husleje": "DFHUSLJ",
    "sygedagpenge-tilbagebetaling": "KFURSDP",
    "kontanthjaelp-tilbagebetaling": "KTTIBAK",
    "civilretlig-faktura": "CFFAKTU",
    "erstatning": "KFERSMF",
}
SORTIMENT = {  # the vendor's klassifikation of its income lines: service → (Ydelsestype, Omkostningssted)
    "daginstitution": ("INTEGRERET", "SOLSIKKEN"),
    "sfo": ("FRITIDSHJEM", "EGEBAKKEN"),
}
DATALEVERANDOER = ("4711", "FORAELDREBETALING")  # DataleverandøridentifikationKort / -Lang
RETRY_STATUSES = {502, 503, 504}
MONTHS = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]
