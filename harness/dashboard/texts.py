"""The dashboard's words in Danish and English (Danish first: the kommune's language)."""

from __future__ import annotations

LANGUAGES = ("da", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Testkommune", "Test kommune"),
    "tenants": ("Lejere (anvendersystem × kommune)", "Tenants (vendor system × kommune)"),
    "no_tenants": (
        "Ingen lejere endnu: en lejer opstår ved første kald.",
        "No tenants yet: a tenant appears with its first call.",
    ),
    "kommune": ("Kommune", "Kommune"),
    "system": ("Anvendersystem", "Vendor system"),
    "today": ("Simuleret dato", "Simulated date"),
    "clock": ("Simuleret ur", "Simulated clock"),
    "advance": ("Frem", "Advance"),
    "advance_to": ("Frem til dato", "Advance to date"),
    "set_clock": ("Stil uret", "Set the clock"),
    "claims": ("Fordringer og deres vej", "Claims and their road"),
    "no_claims": ("Ingen fordringer.", "No claims."),
    "reference": ("Fordringsreference", "Claim reference"),
    "account": ("Debitorkonto", "Debtor account"),
    "where": ("Nået til", "Reached"),
    "refused": ("Afvist", "Refused"),
    "road": ("Fordringens vej", "The claim's road"),
    "step.fagsystem": ("Fagsystem → ØiR", "Fagsystem → ØiR"),
    "step.oir": ("ØiR → debitorsystem", "ØiR → debitor system"),
    "step.debitor": ("Debitorsystem", "Debitor system"),
    "step.psrm": ("PSRM (inddrivelse)", "PSRM (collection)"),
    "step.back": ("Tilbage til fagsystemet", "Back to the fagsystem"),
    "state.ok": ("ok", "ok"),
    "state.waiting": ("venter", "waiting"),
    "state.refused": ("afvist", "refused"),
    "state.not_reached": ("ikke nået", "not reached"),
    "refusals": ("Afvisninger", "Refusals"),
    "refused_messages": ("Afviste beskeder", "Refused messages"),
    "no_refused": ("Ingen afviste beskeder.", "No refused messages."),
    "code": ("Kode", "Code"),
    "text": ("Tekst", "Text"),
    "fix": ("Sådan rettes det", "How to fix it"),
    "source": ("Kilde", "Source"),
    "path": ("Felt", "Field"),
    "messages_back": ("Beskeder i postkassen", "Messages in the mailbox"),
    "journal": ("Journal (anmodning og svar)", "Journal (request and answer)"),
    "journal_note": (
        "CPR-numre vises med de første seks cifre.",
        "CPR numbers are shown with their first six digits.",
    ),
    "request": ("Anmodning", "Request"),
    "answer": ("Svar", "Answer"),
    "status": ("Status", "Status"),
    "operation": ("Operation", "Operation"),
    "faults": ("Fejl (indsprøjtede)", "Faults (injected)"),
    "no_faults": ("Ingen fejl slået til.", "No faults switched on."),
    "fault_on": ("Slå fejl til", "Switch a fault on"),
    "faults_off": ("Slå alle fejl fra", "Switch every fault off"),
    "kind": ("Art", "Kind"),
    "count": ("Antal kald", "Number of calls"),
    "invariants": ("Invarianter", "Invariants"),
    "violations": ("Brud", "Violations"),
    "settings": ("Indstillinger", "Settings"),
    "profile": ("Debitorprofil", "Debitor profile"),
    "reports": ("Rapporter og belastningskørsler", "Reports and load runs"),
    "no_reports": ("Ingen rapporter i {dir}.", "No reports in {dir}."),
    "verdict": ("Afgørelse", "Verdict"),
    "load_runs": ("Belastningskørsler (GO/NO-GO)", "Load runs (GO/NO-GO)"),
    "run": ("Kørsel", "Run"),
    "suite": ("Suite", "Suite"),
    "fagsystem": ("Fagsystem", "Fagsystem"),
    "evidence": ("Bevis", "Evidence"),
    "docs": ("Dokumentation", "Documentation"),
    "api_docs": ("API-dokumentation (OpenAPI)", "API documentation (OpenAPI)"),
    "sign_in": ("Log ind", "Sign in"),
    "sign_out": ("Log ud", "Sign out"),
    "token": ("Adgangsnøgle (Bearer-token)", "Access token (bearer token)"),
    "sign_in_note": (
        "Denne testkommune er lukket: log ind med din adgangsnøgle.",
        "This test kommune is closed: sign in with your access token.",
    ),
    "bad_token": ("Ukendt adgangsnøgle.", "Unknown access token."),
    "not_yours": ("Denne lejer er ikke din.", "This tenant is not yours."),
    "error": ("Fejl", "Error"),
    "back_to": ("Tilbage til", "Back to"),
    "overview": ("Oversigt", "Overview"),
    "show": ("Vis", "Show"),
    "other_language": ("English", "Dansk"),
}


def text(key: str, language: str) -> str:
    """The text of `key` in `language` (the key itself if unknown, so a gap shows rather than breaks)."""
    pair = TEXTS.get(key)
    if pair is None:
        return key
    return pair[0] if language == "da" else pair[1]
