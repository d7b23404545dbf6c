"""The pages the law requires: each built from the collectivité's identity, editable by an admin (and back to its
default), the durations read from the registered retention rules, the site map read from the routes, and
the links to them in the footer of every page (tests/pages.py checks every page the suite renders)."""
import hashlib

import pytest
from flask_babel import lazy_gettext as _l

from civic import identity, site_map
from civic.access import Role
from civic.domain import DomainError
from civic.extensions import db
from civic.legal import pages
from civic.privacy import retention
from civic.staff_log import StaffLogEntry

SETTINGS = {"name": "Ville de Rennes", "siret": "73282932000074", "address": "Hôtel de ville\nPlace de la Mairie",
            "email": "mairie@rennes.example", "phone": "02 23 62 10 10", "director": "Marie Dupont, maire",
            "host_name": "Hébergeur SAS", "host_address": "1 rue du Serveur, 75000 Paris",
            "host_contact": "support@hebergeur.example", "dpo_contact": "dpo@rennes.example",
            "declared_on": "2026-12-01"}


def _identity(**changes):
    identity.save(dict(SETTINGS, **changes), DomainError("conflict"))
    db.session.commit()
    identity.forget()


@pytest.fixture
def a_retention_rule(app, monkeypatch):
    """A rule of this test's own: the real ones are registered by the packages that own the records."""
    rule = retention.Rule("test_tokens", _l("Tokens of the test"), "Because the test says so", 30, lambda _cutoff: 0)
    monkeypatch.setattr(retention, "_rules", retention.Registry("retention rule"))
    retention.retention_rule(rule)
    monkeypatch.setitem(app.config, "RETENTION_DAYS", {"test_tokens": 45})
    return rule


def test_the_legal_notice_names_the_publisher_the_director_the_host_and_the_software(client_request):
    _identity()
    page = client_request.get("legal.legal_notice")
    assert page.h1 == "Mentions légales"
    text = page.text("main")
    for expected in ("Ville de Rennes", "SIRET : 73282932000074", "Hôtel de ville Place de la Mairie",
                     "Courriel : mairie@rennes.example", "Téléphone : 02 23 62 10 10", "Marie Dupont, maire",
                     "Hébergeur SAS 1 rue du Serveur, 75000 Paris support@hebergeur.example", "AGPL-3.0-or-later"):
        assert expected in text, expected
    assert ("Courriel :", "mailto:mairie@rennes.example") not in page.links(".legal-facts")
    assert ("mairie@rennes.example", "mailto:mairie@rennes.example") in page.links(".legal-facts")


def test_without_settings_the_pages_say_what_is_missing(client_request):
    page = client_request.get("legal.legal_notice")
    assert page.texts(".legal-facts h2 + p em") == ["Pas encore renseigné.", "Pas encore renseigné."]


def test_the_personal_data_page_says_purposes_rights_durations_and_cookies(client_request, a_retention_rule):
    _identity()
    page = client_request.get("legal.personal_data")
    text = page.text("main")
    for expected in ("Ville de Rennes est responsable du traitement", "RGPD, art. 6-1-e", "RGPD, art. 6-1-a",
                     "dpo@rennes.example", "www.cnil.fr", "supprimer votre compte"):
        assert expected in text, expected
    assert ("Mes données", "/account/data") in page.links("main")
    assert not [href for _text, href in page.links("main") if "cnil" in href]  # the CNIL named, not linked
    rows = page.select("#durations + p + table tbody tr")
    # The setting RETENTION_DAYS overrides the rule's default; the server logs, which Civic does not write,
    # are stated too.
    assert [cell.get_text() for cell in rows[0].select("td")] == ["Tokens of the test", "45 jours",
                                                                   "Because the test says so"]
    assert [row.select_one("td").get_text() for row in rows] == ["Tokens of the test", "Journaux du serveur "
                                                                 "(adresses et pages demandées)"]
    assert "portabilité, RGPD art. 20" in text
    cookies = [row.select_one("td code").get_text() for row in page.select("#cookies + p + table tbody tr")]
    assert cookies == ["session", "civic_lang"]


def test_the_accessibility_statement_is_not_conforming_until_an_audit_says_otherwise(client_request):
    _identity()
    page = client_request.get("legal.accessibility")
    assert page.h1 == "Déclaration d’accessibilité"
    text = page.text("main")
    assert "Ce site est non conforme avec le RGAA, version 4.1." in text
    assert "Aucun audit n’a encore été réalisé" in text
    for tool in ("axe-core", "Nu HTML Checker", "320 pixels", "sans JavaScript et au clavier seul",
                 "aucun test avec un lecteur d’écran", "Défenseur des droits", "09 69 39 00 00",
                 "Cette déclaration a été établie le 1er décembre 2026."):
        assert tool in text, tool
    assert "Accessibilité : non conforme" in page.texts(".site-footer a")

    _identity(audit_date="2026-11-02", audit_by="Audit SARL", audit_rate="75")
    page = client_request.get("legal.accessibility")
    assert "Ce site est partiellement conforme avec le RGAA, version 4.1." in page.text("main")
    assert "par Audit SARL révèle que 75 % des critères du RGAA sont respectés." in page.text("main")
    assert "Accessibilité : partiellement conforme" in page.texts(".site-footer a")
    _identity(audit_date="2026-11-02", audit_by="Audit SARL", audit_rate="100")
    assert "Accessibilité : totalement conforme" in client_request.get("main.home").texts(".site-footer a")


@pytest.mark.parametrize("page", sorted(pages.EDITABLE))
def test_an_admin_writes_a_page_and_goes_back_to_its_default(client_request, login_as, page):
    login_as(Role.ADMIN)
    _identity()
    default = client_request.get(f"legal.{page}").text(".legal-text")
    written = "Notre texte, relu par le service juridique.\n\n<b>Pas de balise</b> : voir https://rennes.example/cgu."
    client_request.post("legal.edit_page", page=page, _data={"text": written, "save": "1"},
                        _expected_redirect=f"/{page.replace('_', '-')}")
    shown = client_request.get(f"legal.{page}")
    assert shown.notices == ["Le texte de la page est enregistré."]
    assert [p.get_text() for p in shown.select(".legal-text p")] == ["Notre texte, relu par le service juridique.",
                                            "<b>Pas de balise</b> : voir https://rennes.example/cgu."]
    assert not shown.has(".legal-text b")
    assert ("https://rennes.example/cgu", "https://rennes.example/cgu") in shown.links(".legal-text")
    textarea = client_request.get("legal.edit_page", page=page).select_one("textarea[name=text]")
    assert textarea.get_text().strip() == written

    client_request.post("legal.edit_page", page=page, _data={"text": "", "default": "1"})
    shown = client_request.get(f"legal.{page}")
    assert shown.notices == ["La page affiche de nouveau son texte par défaut."]
    assert shown.text(".legal-text") == default


def test_an_empty_text_is_refused(client_request, login_as):
    login_as(Role.ADMIN)
    page = client_request.post("legal.edit_page", page="legal_notice", _data={"text": "  ", "save": "1"},
                               _expected_status=200)
    assert page.field_error("text") == "Écrivez le texte de la page, ou choisissez de revenir au texte par défaut."


def test_the_personal_data_page_keeps_its_durations_and_cookies_under_an_admins_text(client_request, login_as,
                                                                                     a_retention_rule):
    login_as(Role.ADMIN)
    client_request.post("legal.edit_page", page="personal_data", _data={"text": "Notre politique.", "save": "1"})
    page = client_request.get("legal.personal_data")
    assert page.text(".legal-text") == "Notre politique."
    assert page.has("#durations + p + table") and page.has("#cookies + p + table")


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.MODERATOR, Role.ELECTED, Role.COUNTER_AGENT])
def test_only_admins_edit_the_pages_and_the_identity(client, client_request, login_as, role):
    if role is None:
        client_request.get("legal.edit_page", page="legal_notice", _expected_status=302)
        client_request.get("admin.identity_settings", _expected_status=302)
        return
    login_as(role)
    for endpoint, values in (("legal.edit_page", {"page": "accessibility"}), ("admin.identity_settings", {})):
        page = client_request.get(endpoint, _expected_status=403, **values)
        assert "Code d’erreur" in page.text("main").replace("\u202f", " ")


def test_an_unknown_page_cannot_be_edited(client_request, login_as):
    login_as(Role.ADMIN)
    client_request.get("legal.edit_page", page="terms", _expected_status=404)


def test_the_site_map_lists_the_pages_the_reader_may_open(app, client_request, login_as):
    anonymous = client_request.get("legal.sitemap").links("main")
    assert anonymous[0] == ("Accueil", "/")
    assert anonymous[-1] == ("Plan du site", "/sitemap")
    anonymous = dict(anonymous)
    assert anonymous["Propositions"] == "/proposals/" and anonymous["Mentions légales"] == "/legal-notice"
    assert anonymous["Guichets de médiation"] == "/counters" and "Mes données" not in anonymous
    login_as(Role.RESIDENT)
    resident = dict(client_request.get("legal.sitemap").links("main"))
    assert resident["Mes données"] == "/account/data" and resident["Déposer une proposition"] == "/proposals/new"


def test_every_public_page_is_in_the_site_map_or_left_out_on_purpose(app):
    """A new public page reached without an argument says on its view whether it is in the map
    (@in_site_map) or why not (@not_in_site_map): the map cannot silently miss a page."""
    declared = site_map.declared(app)
    unnamed = [endpoint for endpoint, declaration in declared.items() if declaration is None
               and getattr(app.view_functions[endpoint], "civic_access", None) == "public"]
    assert unnamed == []
    # A page in the map that is not reached by GET without an argument would never show in it (one view may
    # also answer a URL with arguments: /follow-up and /follow-up/<code>).
    reachable = {app.view_functions[endpoint] for endpoint in declared}
    unreachable = [endpoint for endpoint, view in app.view_functions.items()
                   if isinstance(getattr(view, "civic_site_map", None), site_map.InMap) and view not in reachable]
    assert unreachable == []
    orders = [declaration.order for declaration in declared.values() if isinstance(declaration, site_map.InMap)]
    assert len(orders) == len(set(orders)), "two pages of the map at one place"
    assert isinstance(declared["legal.sitemap"], site_map.InMap)
    assert min(orders) == declared["main.home"].order


def test_a_view_declares_its_place_in_the_site_map_once():
    def view():
        pass

    site_map.in_site_map("Somewhere", site_map.ABOUT)(view)
    with pytest.raises(RuntimeError, match="declared twice"):
        site_map.not_in_site_map("because")(view)


def test_the_footer_links_the_required_pages(client_request):
    """tests/pages.py checks it on every page; here, what the links say."""
    footer = client_request.get("main.home").links(".site-footer")
    for link in (("Mentions légales", "/legal-notice"), ("Données personnelles", "/personal-data"),
                 ("Accessibilité : non conforme", "/accessibility"), ("Plan du site", "/sitemap"),
                 ("Guichets de médiation", "/counters")):
        assert link in footer


def test_without_retention_rules_the_page_states_only_the_server_logs(client_request, monkeypatch):
    monkeypatch.setattr(retention, "_rules", retention.Registry("retention rule"))
    page = client_request.get("legal.personal_data")
    # Only the server logs, which no rule of Civic purges.
    assert page.texts("#durations + p + table tbody tr td:first-child") == [
        "Journaux du serveur (adresses et pages demandées)"]


AUDIT = {"audit_date": "2026-11-15", "audit_by": "Cabinet Access42", "audit_rate": "75",
         "audit_environment": "Firefox 128 avec NVDA 2024.1\nSafari 17 avec VoiceOver",
         "audit_pages": "Accueil\nPropositions", "nonconformities": "Critère 3.2 : contrastes des boutons secondaires"}


def test_an_audited_statement_says_what_the_audit_found_in_the_sections_of_the_rgaa_model(client_request):
    _identity(**AUDIT)
    page = client_request.get("legal.accessibility")
    text = page.text("main")
    assert "Sans audit" not in text  # the audit's non-conformities are known
    assert page.texts("main h2") == ["État de conformité", "Contenus non accessibles",
                                     "Établissement de cette déclaration", "Retour d’information et contact",
                                     "Voies de recours"]
    assert page.texts("main h3") == [
        "Non-conformités", "Dérogations pour charge disproportionnée",
        "Contenus non soumis à l’obligation d’accessibilité", "Technologies utilisées", "L’audit",
        "Les vérifications automatiques des développeurs"]
    assert page.texts("h3:-soup-contains('Non-conformités') + p + ul li") == [
        "Critère 3.2 : contrastes des boutons secondaires"]
    assert page.text("h3:-soup-contains('charge disproportionnée') + p") == (
        "Aucune dérogation pour charge disproportionnée n’est invoquée.")
    # Residents' text and open data are not exemptions (a disproportionate burden) but content not subject.
    not_subject = page.texts("h3:-soup-contains('non soumis') + ul li")
    assert len(not_subject) == 2 and "propositions et des commentaires" in not_subject[0]
    assert "données ouvertes" in not_subject[1]
    assert page.texts("h3:-soup-contains('L’audit') ~ ul li")[:4] == [
        "Firefox 128 avec NVDA 2024.1", "Safari 17 avec VoiceOver", "Accueil", "Propositions"]

    _identity(**dict(AUDIT, nonconformities="", audit_environment="", audit_pages=""))
    page = client_request.get("legal.accessibility")
    # Partially conforming without the list: the page says the list is missing, not that nobody looked.
    assert page.text("h3:-soup-contains('Non-conformités') + p") == "Pas encore renseigné."
    assert "Sans audit" not in page.text("main")
    _identity(**dict(AUDIT, audit_rate="100", nonconformities=""))
    page = client_request.get("legal.accessibility")
    assert page.text("h3:-soup-contains('Non-conformités') + p") == "L’audit n’a relevé aucune non-conformité."


def test_without_audit_the_statement_says_the_non_conformities_are_unknown(client_request):
    _identity()
    page = client_request.get("legal.accessibility")
    assert page.text("h3:-soup-contains('Non-conformités') + p").startswith(
        "Sans audit, les non-conformités ne sont pas toutes connues.")
    assert page.text("h3:-soup-contains('L’audit') + p") == "Aucun audit n’a encore été réalisé."


def test_the_editor_starts_from_the_page_and_the_facts_stay_from_the_settings(client_request, login_as):
    login_as(Role.ADMIN)
    _identity()
    textarea = client_request.get("legal.edit_page", page="legal_notice").select_one("textarea[name=text]")
    default = textarea.get_text().strip()
    assert default.startswith("## Crédits\n\nCe site fonctionne avec Civic")
    # Sent back untouched (as a browser does, with CRLF), the default stays the default.
    client_request.post("legal.edit_page", page="legal_notice",
                        _data={"text": default.replace("\n", "\r\n"), "save": "1"})
    editor = client_request.get("legal.edit_page", page="legal_notice")
    assert "La page affiche son texte par défaut" in editor.text("main")
    assert not editor.has("button[name=default], input[name=default]")

    edited = default + "\n\n## Conditions d’utilisation\n\nLes contributions respectent la charte."
    client_request.post("legal.edit_page", page="legal_notice", _data={"text": edited.replace("\n", "\r\n"),
                                                                       "save": "1"})
    assert client_request.get("legal.edit_page", page="legal_notice").select_one(
        "textarea[name=text]").get_text().strip() == edited
    _identity(siret="21350238800015", director="Paul Martin, maire")
    page = client_request.get("legal.legal_notice")
    assert page.texts(".legal-text h2") == ["Crédits", "Conditions d’utilisation"]
    facts = page.text(".legal-facts")
    assert "SIRET : 21350238800015" in facts and "Paul Martin, maire" in facts and "Hébergeur SAS" in facts


@pytest.mark.parametrize("page", sorted(pages.EDITABLE))
def test_a_french_text_is_marked_french_on_the_english_site(client, client_request, login_as, page):
    login_as(Role.ADMIN)
    _identity()
    client_request.post("legal.edit_page", page=page, _data={"text": "Notre texte.", "save": "1"})
    assert not client_request.get(f"legal.{page}").select_one(".legal-text").has_attr("lang")
    client.set_cookie("civic_lang", "en", domain="civic.test")
    shown = client_request.get(f"legal.{page}")
    assert shown.select_one(".legal-text")["lang"] == "fr" and shown.text(".legal-text") == "Notre texte."
    client_request.post("legal.edit_page", page=page, _data={"text": "", "default": "1"})
    # The default prose is in the reader's language.
    assert not client_request.get(f"legal.{page}").select_one(".legal-text").has_attr("lang")


def test_saving_and_resetting_a_page_is_in_the_staff_log_without_its_text(client_request, login_as):
    login_as(Role.ADMIN)
    written = "Notre politique de confidentialité, relue."
    client_request.post("legal.edit_page", page="personal_data", _data={"text": written, "save": "1"})
    client_request.post("legal.edit_page", page="personal_data", _data={"text": written, "save": "1"})
    client_request.post("legal.edit_page", page="personal_data", _data={"text": "", "default": "1"})
    entries = db.session.scalars(db.select(StaffLogEntry).where(StaffLogEntry.action == "legal_page")
                                 .order_by(StaffLogEntry.id)).all()
    assert len(entries) == 2  # saving the same text again changed nothing
    saved, reset = entries
    digest = hashlib.sha256(written.encode()).hexdigest()[:12]
    assert saved.after_data == {"legal_page": "personal_data", "legal_text": {"length": len(written), "hash": digest}}
    assert reset.before_data == saved.after_data and reset.after_data["legal_text"] == ""
    page = client_request.get("admin.staff_log_entry", staff_log_entry_id=saved.id)
    assert "Texte d’une page légale modifié" in page.text("main")
    assert f"{len(written)} caractères, SHA-256 {digest}…" in page.text("main")
    assert written not in page.text("main")


def test_durations_read_in_years_or_days_shortest_first(app, client, client_request, monkeypatch):
    monkeypatch.setattr(retention, "_rules", retention.Registry("retention rule"))
    for key, days in (("three_years", 3 * 365), ("a_day", 1), ("a_month", 30), ("a_year", 365), ("odd", 400)):
        retention.retention_rule(retention.Rule(key, key, "why", days, lambda _cutoff: 0))
    page = client_request.get("legal.personal_data")
    rows = [[cell.get_text() for cell in row.select("td")[:2]] for row in page.select("#durations + p + table tr")
            if row.select("td")]
    assert rows == [["a_day", "1 jour"], ["a_month", "30 jours"], ["a_year", "1 an"],
                    ["Journaux du serveur (adresses et pages demandées)", "1 an"], ["odd", "400 jours"],
                    ["three_years", "3 ans"]]
    client.set_cookie("civic_lang", "en", domain="civic.test")
    page = client_request.get("legal.personal_data")
    assert "3 years" in page.texts("#durations + p + table td[data-label='Kept for']")


def test_the_durations_speak_to_residents(client_request):
    """The staff's advice on the rules (report the statistics each year...) is in the README, not on this page."""
    text = client_request.get("legal.personal_data").text("#durations + p + table")
    assert "bilan" not in text and "faites" not in text.lower()
    assert "Il vous permet, ainsi qu’à la collectivité" in text
