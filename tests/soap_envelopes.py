"""SOAP envelopes for the tests, written from the structure in soap.md (not copied from any sample)."""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape

from tests.messages import CPR_MOD11

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SKAT = "http://skat.dk/begrebsmodel/2009/01/15/"
KONTEKST = "http://skat.dk/begrebsmodel/xml/schemas/kontekst/2007/05/31/"
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
REAL_STRUCTURES = (
    "OpretFordringAktion",
    "MFNedskrivFordringStruktur",
    "MFTilbagekaldFordringStruktur",
    "MFFejlagtigHovedstolIndberetningStruktur",
    "MFOpskrivningReguleringStruktur",
    "MFOpskrivningAnnulleretNedskrivningIndbetalingStruktur",
    "MFOpskrivningOmgjortNedskrivningReguleringStruktur",
    "MFNedskrivningAnnulleretOpskrivningReguleringStruktur",
    "MFNedskrivningAnnulleretOpskrivningIndbetalingStruktur",
)
"""The AktionValg structures of the public samples (soap.md §1 [R])."""


def el(name: str, *content: str, attrs: str = "") -> str:
    """`<name attrs>content</name>`; a single plain string is escaped as text."""
    opening = f"{name} {attrs}".strip()
    if len(content) == 1 and not content[0].startswith("<"):
        return f"<{opening}>{escape(content[0])}</{name}>"
    return f"<{opening}>{''.join(content)}</{name}>"


def envelope(request: str, *, prefix: str = "soapenv") -> str:
    return (
        f'<{prefix}:Envelope xmlns:{prefix}="{SOAP}"><{prefix}:Header/>'
        f"<{prefix}:Body>{request}</{prefix}:Body></{prefix}:Envelope>"
    )


def kontekst(transaktion: str | None = None) -> str:
    head = el(
        "k:HovedOplysninger",
        el("k:TransaktionsID", transaktion or str(uuid.uuid4())),
        el("k:TransaktionsTid", "2026-09-20T09:00:00"),
        attrs=f'xmlns:k="{KONTEKST}"',
    )
    return el("Kontekst", head)


def indberet(leverance: str, *aktioner: str, with_kontekst: bool = True) -> str:
    """An `MFFordringIndberet_I` in SKAT's namespace, declared as the default namespace."""
    return envelope(
        el(
            "MFFordringIndberet_I",
            kontekst() if with_kontekst else "<Kontekst/>",
            el("FordringhaverSystemIDStruktur", el("VirksomhedSENummer", "29189846")),
            el("MFLeveranceID", leverance),
            el("FordringAktionSamling", *aktioner),
            attrs=f'xmlns="{SKAT}"',
        )
    )


def aktion(kode: str, structure: str) -> str:
    return el(
        "FordringAktion",
        el("MFAktionKode", kode),
        el("DMIFordringHaverID", "0851"),
        el("AktionValg", structure),
    )


def opret(aktion_id: str, ref: str = "REF-1") -> str:
    """OPRETFORDRING with every element the structure names, in order (dates with a zone, as xs:date may)."""
    struct = el(
        "MFOpretFordringStruktur",
        el("DMIFordringFordringArtKode", "INDR"),
        # KFRENAB: the sampled structure has no FordringBeskrivelse, which KFDAINS's annex requires (R_7_11)
        el("DMIFordringTypeKode", "KFRENAB"),
        el("MFAktionID", aktion_id),
        el("DMIFordringFordringHaverRef", ref),
        el("DMIFordringModtagelseDato", "2026-09-20T09:00:00.000"),
        el("DMIFordringStiftelseTidspunkt", "2026-09-01+02:00"),
        el("DMIFordringForfaldDato", "2026-09-01+02:00"),
        el("DMIFordringSRBDato", "2026-09-15+02:00"),
        el("FordringBeløbStruktur", el("ValutaKode", "DKK"), el("DMIFordringBeløb", "1000.00")),
        el(
            "FordringPeriodeStruktur",
            el("DMIFordringPeriodeFraDato", "2026-09-01"),
            el("DMIFordringPeriodeTilDato", "2026-09-30"),
        ),
        el(
            "FordringOprindeligBeløbStruktur",
            el("ValutaKode", "DKK"),
            el("EFIFordringOprindeligBeløb", "1000"),
        ),
        el("SagsbemærkningSamling", el("MFNoteStruktur", el("MFNoteTekst", "Forældrebetaling september"))),
        el(
            "DokumentSamling",
            el(
                "MFDokumentStruktur",
                el("DPDokumentArt", "ANDET"),
                el(
                    "DokumentFormatValg",
                    el("DokumentFil", el("DokumentFilType", "txt"), el("DokumentFilIndhold", "dGVzdA==")),
                ),
            ),
        ),
        el("DMIFordringHaverID", "0851"),
        el(
            "FordringHæftelseSamling",
            el(
                "MFHæftelseStruktur",
                el("MFKundeStruktur", el("Valg", el("PersonCPRNummer", CPR_MOD11))),
                el("HæftelseForældelseDato", "2029-09-01"),
                el("HæftelseDom", "false"),
            ),
        ),
    )
    return aktion("OPRETFORDRING", el("OpretFordringAktion", struct, "<OpretUnderfordringSamling/>"))


def nedskriv(fordring: str, aktion_id: str, beloeb: str, aarsag: str, virkning: str) -> str:
    return aktion(
        "NEDSKRIV",
        el(
            "MFNedskrivFordringStruktur",
            el("DMIFordringEFIFordringID", fordring),
            el("MFAktionID", aktion_id),
            el("FordringNedskrivningVirkningFra", virkning),
            el(
                "NedskrivningÅrsagStruktur",
                el("FordringNedskrivningÅrsagKode", aarsag),
                el("FordringNedskrivningÅrsagBegr", "Betalt direkte til kommunen"),
            ),
            el("NedskrivningBeløbStruktur", el("ValutaKode", "DKK"), el("FordringNedskrivningBeløb", beloeb)),
        ),
    )


def tilbagekald(fordring: str, aktion_id: str, aarsag: str) -> str:
    return aktion(
        "TILBAGEKALD",
        el(
            "MFTilbagekaldFordringStruktur",
            el("DMIFordringEFIFordringID", fordring),
            el("MFAktionID", aktion_id),
            el(
                "HovedFordringTilbagekaldÅrsagStruktur",
                el("HovedFordringTilbageÅrsagKode", aarsag),
                el("HovedFordringTilbageÅrsagBegr", "Sendt ved en fejl"),
            ),
            el("DMIFordringVirkningFra", "2026-09-20+02:00"),
        ),
    )


def regulering(
    kode: str,
    struktur: str,
    fordring: str,
    aktion_id: str,
    beloeb: str,
    *,
    ref: str | None = None,
    virkning: str | None = None,
) -> str:
    """An opskrivning or an annulment: op- or ned- structure elements per soap.md §1."""
    up = struktur.startswith("MFOpskrivning")
    word = "Opskrivning" if up else "Nedskrivning"
    parts = [
        el("DMIFordringEFIFordringID", fordring),
        el("DMIFordringModtagelseDato", "2026-09-20T09:00:00"),
        el("MFAktionID", aktion_id),
    ]
    if ref is not None:
        parts += [
            el("MFAktionIDRef", ref),
            el("EFIKundeIdentStruktur", el("IdentValg", el("PersonCPRNummer", CPR_MOD11))),
        ]
    if virkning is not None:
        parts.append(el(f"Fordring{word}VirkningFra", virkning))
    parts += [
        el(f"{word}ÅrsagStruktur", el(f"Fordring{word}ÅrsagBegr", "Rettelse")),
        el("SagsbemærkningSamling", el("MFNoteStruktur", el("MFNoteTekst", "Rettet efter aftale"))),
        el("HoeringJournalNummer", "J-1"),
        el(f"{word}BeløbStruktur", el("ValutaKode", "DKK"), el(f"Fordring{word}Beløb", beloeb)),
    ]
    return aktion(kode, el(struktur, *parts))


def fejlagtig_hovedstol(fordring: str, aktion_id: str, ny: str) -> str:
    return aktion(
        "FEJLAGTIGHOVEDSTOLINDBERETNING",
        el(
            "MFFejlagtigHovedstolIndberetningStruktur",
            el("DMIFordringEFIFordringID", fordring),
            el("DMIFordringModtagelseDato", "2026-09-20"),
            el("MFAktionID", aktion_id),
            el("HoeringJournalNummer", "J-2"),
            el(
                "OpskrivningÅrsagStruktur",
                el("FordringOpskrivningÅrsagBegr", "Hovedstol indberettet for lavt"),
            ),
            el(
                "FordringOprindeligBeløbStruktur",
                el("ValutaKode", "DKK"),
                el("EFIFordringOprindeligBeløb", ny),
            ),
        ),
    )


def kvittering_hent(leverance: str) -> str:
    return envelope(el("MFKvitteringHent_I", el("MFLeveranceID", leverance), attrs=f'xmlns="{SKAT}"'))


SP_WSDL = "http://serviceplatformen.dk/xml/wsdl/soap11/"
SP_SCHEMAS = "http://serviceplatformen.dk/xml/schemas/"
FAULT_NS = f"{SP_SCHEMAS}ServiceplatformFault/1/"


def sp_namespace(service: str) -> str:
    """`/service/OIR/DebitorForespoergsel/1` → its target namespace (Serviceplatformen's convention)."""
    return SP_WSDL + service.removeprefix("/service/").strip("/") + "/"


def _fields(value: object, name: str) -> str:
    if isinstance(value, list):
        return "".join(_fields(item, name) for item in value)
    if isinstance(value, dict):
        return el(f"t:{name}", *[_fields(v, k) for k, v in value.items()], "")
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return el(f"t:{name}", text)


def sp_request(
    service: str, operation: str, message: dict, *, cvr: str | None = "29189846", system: str | None = None
) -> str:
    """`<Operation>_I`: the contexts first, then the JSON message's fields as elements (simulator-defined)."""
    contexts = ""
    if cvr is not None:
        contexts += el(
            "a:AuthorityContext",
            el("a:MunicipalityCVR", cvr),
            attrs=f'xmlns:a="{SP_SCHEMAS}AuthorityContext/1/"',
        )
    if system is not None:
        contexts += el(
            "i:InvocationContext",
            el("i:ServiceAgreementUUID", str(uuid.uuid4())),
            el("i:UserSystemUUID", system),
            el("i:UserUUID", str(uuid.uuid4())),
            el("i:ServiceUUID", str(uuid.uuid4())),
            attrs=f'xmlns:i="{SP_SCHEMAS}InvocationContext/1/"',
        )
    body = contexts + "".join(_fields(v, k) for k, v in message.items())
    return envelope(el(f"t:{operation}_I", body, "", attrs=f'xmlns:t="{sp_namespace(service)}"'))


def underret_samling_hent(soege_dato: str) -> str:
    """`MFUnderretSamlingHent_I` with the real request's elements (soap.md §1)."""
    return envelope(
        el(
            "MFUnderretSamlingHent_I",
            kontekst(),
            el("FordringhaverSystemIDStruktur", el("VirksomhedSENummer", "29189846")),
            el("FordringHaverSamling", el("DMIFordringHaverID", "0851")),
            el("SøgeDatoFra", soege_dato),
            el("UnderretNummerFra", el("MFUnderretningNummer", "1")),
            el("UnderretNummerTil", el("MFUnderretningNummer", "999")),
            attrs=f'xmlns="{SKAT}"',
        )
    )
