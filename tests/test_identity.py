"""The collectivité's identity: the admin's form (checked, and keeping what was typed), the SVG logo's
sanitiser against hostile files, the header and title that show the collectivité first, the logo served
as a drawing that cannot run anything."""
import io

import pytest

from civic import identity
from civic.access import Role
from civic.extensions import db
from civic.legal.logo import LogoRefused, sanitise
from civic.site_settings import Setting
from civic.staff_log import StaffLogEntry
from tests.client import Page

FORM = {"name": "Ville de Rennes", "siret": "732 829 320 00074", "address": "Hôtel de ville\nPlace de la Mairie",
        "email": "mairie@rennes.example", "phone": "02 23 62 10 10", "contact_url": "",
        "director": "Marie Dupont, maire",
        "host_name": "Hébergeur SAS", "host_address": "1 rue du Serveur", "host_contact": "01 00 00 00 00",
        "dpo_contact": "dpo@rennes.example", "declared_on": "01/12/2026", "audit_date": "", "audit_by": "",
        "audit_rate": ""}
CIRCLE = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#036"/></svg>'


def _post(client, data, logo=None):
    data = dict(data, csrf_token=client.csrf_token())
    if logo is not None:
        data["logo"] = (io.BytesIO(logo), "logo.svg")
    return client.post("/admin/identity", data=data, content_type="multipart/form-data")


def test_the_header_and_title_show_the_collectivite_first_and_its_default_without_settings(client_request):
    page = client_request.get("main.home")
    assert page.text("a.brand") == "Villeneuve-sur-Lys — Participer"
    assert not page.has("a.brand img")
    page = client_request.get("legal.sitemap")
    assert page.title == "Plan du site – Villeneuve-sur-Lys — Participer"


def test_an_admin_saves_the_identity_and_every_page_shows_it(client, client_request, login_as):
    login_as(Role.ADMIN)
    response = _post(client, FORM, logo=CIRCLE)
    assert response.status_code == 302, Page(response).errors
    page = client_request.get("admin.identity_settings")
    assert page.notices == ["L’identité de la collectivité est enregistrée."]
    assert page.value("siret") == "73282932000074" and page.value("declared_on") == "01/12/2026"
    assert page.text("a.brand") == "Ville de Rennes — Participer"
    logo = page.select_one("a.brand img")
    # Beside the name the logo says nothing more: the link is named by the name.
    assert logo["alt"] == "" and logo["src"] == f"/logo/{identity.current().logo_version}.svg"
    assert page.title.endswith("– Ville de Rennes — Participer")
    entry = client_request.get("admin.staff_log").text("main")
    assert "Identité de la collectivité modifiée" in entry


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Saisissez le nom de la collectivité."),
    ("siret", "732 829 320 00075", "Saisissez les 14 chiffres du SIRET tel que l’INSEE l’a attribué : ce numéro "
                                   "n’est pas un SIRET valide (sa clé de contrôle ne correspond pas)."),
    # The check digit is blamed only when there are 14 digits to check.
    ("siret", "7328293200007", "Un SIRET compte 14 chiffres : ce numéro en a 13."),
    ("siret", "12345", "Un SIRET compte 14 chiffres : ce numéro en a 5."),
    ("siret", "7328293200007A", "Saisissez le SIRET en chiffres seulement (des espaces peuvent les séparer)."),
    ("email", "mairie at rennes", "Saisissez une adresse électronique comme mairie@example.fr."),
    ("contact_url", "javascript:alert(1)", "Saisissez une adresse web commençant par https://."),
    ("audit_rate", "140", "Saisissez un pourcentage entre 0 et 100."),
    ("audit_date", "31/02/2026", "Cette date n’existe pas : vérifiez le jour et le mois."),
])
def test_the_form_refuses_what_is_wrong_and_keeps_what_was_typed(client, login_as, field, value, message):
    login_as(Role.ADMIN)
    response = _post(client, dict(FORM, **{field: value}))
    page = Page(response)
    assert response.status_code == 200 and page.title.startswith("Erreur")
    assert page.field_error(field) == message.replace("\u00a0", " ")
    assert page.value(field) == value and page.value("director") == "Marie Dupont, maire"
    assert identity.current().name == "Villeneuve-sur-Lys"


def test_textareas_posted_with_crlf_change_nothing_when_nothing_was_typed(client, client_request, login_as):
    """Browsers post a textarea's line breaks as CRLF: stored as LF, an identity set with LF (the demo, an earlier
    save) and sent again untouched logs no change."""
    login_as(Role.ADMIN)
    texts = {"address": "Hôtel de ville\nPlace de la Mairie", "host_address": "1 rue du Serveur\n75000 Paris",
             "dpo_contact": "DPO\ndpo@rennes.example", "audit_environment": "Firefox 128 avec NVDA\nSafari",
             "audit_pages": "Accueil\nPlan", "nonconformities": "Critère 3.2\nCritère 11.1"}
    assert _post(client, dict(FORM, audit_date="15/11/2026", audit_rate="75", **texts)).status_code == 302
    assert identity.current().nonconformities == "Critère 3.2\nCritère 11.1"
    page = client_request.get("admin.identity_settings")
    assert page.select_one("textarea[name=audit_pages]").get_text().strip() == "Accueil\nPlan"
    crlf = {name: value.replace("\n", "\r\n") for name, value in texts.items()}
    assert _post(client, dict(FORM, audit_date="15/11/2026", audit_rate="75", **crlf)).status_code == 302
    assert identity.current().address == "Hôtel de ville\nPlace de la Mairie"
    entries = db.session.scalars(db.select(StaffLogEntry).where(StaffLogEntry.action == "identity")).all()
    assert len(entries) == 1


def test_an_audit_needs_its_rate_and_its_date(client, login_as):
    login_as(Role.ADMIN)
    page = Page(_post(client, dict(FORM, audit_date="02/11/2026")))
    assert page.field_error("audit_rate") == "Saisissez le taux de conformité trouvé par l’audit."


def test_a_logo_refused_says_why_and_saves_nothing(client, login_as):
    login_as(Role.ADMIN)
    page = Page(_post(client, FORM, logo=b"<svg xmlns='http://www.w3.org/2000/svg'>" + b"<g/>" * 6000 + b"</svg>"))
    assert page.field_error("logo") == "Choisissez un fichier SVG de 20 Ko au plus."
    assert identity.current().name == "Villeneuve-sur-Lys" and identity.current().logo == ""


def test_the_logo_is_served_as_a_drawing_that_runs_nothing(client, login_as):
    login_as(Role.ADMIN)
    assert _post(client, FORM, logo=CIRCLE).status_code == 302
    version = identity.current().logo_version
    response = client.get(f"/logo/{version}.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_data(as_text=True).startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">')
    assert client.get("/logo/0123456789abcdef.svg").status_code == 404


def test_removing_the_logo(client, client_request, login_as):
    login_as(Role.ADMIN)
    _post(client, FORM, logo=CIRCLE)
    assert _post(client, dict(FORM, remove_logo="y")).status_code == 302
    assert not client_request.get("main.home").has("a.brand img")


HOSTILE = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="1" height="1"/></svg>',
    "event handler": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1" '
                     b'onclick="alert(2)"/></svg>',
    "foreignObject": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body xmlns="http://www.w3.org/1999/'
                     b'xhtml"><iframe src="https://evil.example"/></body></foreignObject><rect width="1" height="1"/>'
                     b'</svg>',
    "external href": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use '
                     b'xlink:href="https://evil.example/x.svg#a"/><use href="javascript:alert(1)"/>'
                     b'<rect width="1" height="1"/></svg>',
    "url() elsewhere": b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1" '
                       b'fill="url(https://evil.example/a.svg#g)" clip-path="url(data:image/svg+xml,x)"/></svg>',
    "style and image": b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css);'
                       b'</style><image href="https://evil.example/a.png"/><rect width="1" height="1" '
                       b'style="fill:url(https://evil.example)"/></svg>',
    "animation": b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><path d="M0 0"/></a>'
                 b'<rect width="1" height="1"><set attributeName="onmouseover" to="alert(1)"/>'
                 b'<animate attributeName="href" '
                 b'values="javascript:alert(1)"/></rect></svg>',
}


@pytest.mark.parametrize("svg", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_sanitiser_keeps_the_drawing_and_nothing_that_runs_or_loads(svg):
    kept = sanitise(svg)
    lowered = kept.lower()
    for forbidden in ("script", "onload", "onclick", "foreignobject", "iframe", "evil.example", "javascript",
                      "data:", "<style", "<image", "<a ", "<set", "<animate", "style="):
        assert forbidden not in lowered, kept
    assert "<rect" in kept


def test_the_sanitiser_keeps_links_inside_the_drawing():
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><linearGradient '
           b'id="g"><stop offset="0" stop-color="#fff"/></linearGradient><path id="p" d="M0 0h1"/></defs>'
           b'<use xlink:href="#p"/><rect width="1" height="1" fill="url(#g)"/></svg>')
    kept = sanitise(svg)
    assert '<use href="#p">' in kept and 'fill="url(#g)"' in kept and 'id="g"' in kept


@pytest.mark.parametrize("svg, message", [
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>', "DOCTYPE"),
    (b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg xmlns="http://www.w3.org/2000/svg"/>', "DOCTYPE"),
    ('<!DOCTYPE svg [<!ENTITY a "a">]><svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>'
     .encode("utf-16"), "pas un dessin SVG"),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"><text>\xe9</text></svg>',
     "pas un dessin SVG"),
    (b"<html><body>not a drawing</body></html>", "pas un dessin SVG"),
    (b"\x89PNG\r\n\x1a\n", "pas un dessin SVG"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "Rien de ce fichier"),
    (b'<svg xmlns="http://www.w3.org/2000/svg">' + b" " * 21000 + b"</svg>", "20 Ko"),
])
def test_the_sanitiser_refuses_what_cannot_be_a_logo(app, svg, message):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        with pytest.raises(LogoRefused) as refused:
            sanitise(svg)
        assert message in str(refused.value.message)


@pytest.mark.parametrize("siret, valid", [("73282932000074", True), ("73282932000075", False),
                                          ("35600000000010", True), ("7328293200007a", False),
                                          ("７３２８２９３２０００７４", False), ("", False)])
def test_siret_check_digit(siret, valid):
    assert identity.siret_valid(siret) is valid


def test_other_workers_read_the_identity_again_when_their_copy_ages_out(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "IDENTITY_CACHE_SECONDS", 30)
    clock = [1000.0]
    monkeypatch.setattr(identity.time, "monotonic", lambda: clock[0])
    identity.forget()
    assert identity.current().name == "Villeneuve-sur-Lys"
    # Another worker saved it: this one did not forget its copy.
    db.session.add(Setting(key="identity.name", value="Ville B"))
    db.session.flush()
    clock[0] += 29
    assert identity.current().name == "Villeneuve-sur-Lys"
    clock[0] += 2
    assert identity.current().name == "Ville B"


def test_an_editors_svg_keeps_its_drawing_without_the_editors_own_markup():
    svg = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- Created with Inkscape -->\n'
           '<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
           'inkscape:version="1.0" width="10"><g inkscape:label="Calque"><rect width="1" height="1" fill="#c00"/>'
           '<text x="1">Ville d’Été</text></g></svg>').encode()
    assert sanitise(svg) == ('<svg xmlns="http://www.w3.org/2000/svg" width="10"><g><rect width="1" height="1" '
                             'fill="#c00"></rect><text x="1">Ville d’Été</text></g></svg>')


def test_a_save_that_is_rolled_back_leaves_no_copy_behind(app, client, client_request, login_as, monkeypatch):
    """A conflict in the middle of a save, while this worker's copy ages out: the page that says so is drawn
    from changes the rollback undoes, and they must not be what later pages show."""
    login_as(Role.ADMIN)
    monkeypatch.setitem(app.config, "IDENTITY_CACHE_SECONDS", 30)
    clock = [1000.0]
    monkeypatch.setattr(identity.time, "monotonic", lambda: clock[0])
    identity.forget()
    real_put = identity.site_settings.put

    def conflicting(key, value, conflict):
        real_put(key, value, conflict)
        if key == "identity.director":
            clock[0] += 31
            raise conflict

    monkeypatch.setattr(identity.site_settings, "put", conflicting)
    page = Page(_post(client, FORM))
    assert page.errors == ["Un autre administrateur a modifié ces réglages au même moment : rechargez la page et "
                           "vérifiez-les."]
    assert client_request.get("main.home").text("a.brand") == "Villeneuve-sur-Lys — Participer"
