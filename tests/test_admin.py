"""Administration: granting roles, managing themes."""
from civic.accounts.models import Role
from civic.extensions import db
from civic.themes.models import Theme
from tests.factories import login, make_theme, make_user


def test_only_admins_reach_administration(client, ctx):
    for role in (Role.RESIDENT, Role.COUNTER_AGENT, Role.MODERATOR, Role.ELECTED):
        login(client, make_user(role=role))
        for url in ("/admin/", "/admin/users", "/admin/themes"):
            assert client.get(url).status_code == 403
        client.post_form("/logout")
    assert client.get("/admin/").status_code == 302


def test_admin_grants_a_role(client, login_as):
    login_as(Role.ADMIN)
    resident = make_user(name="Léa Nguyen")
    html = client.get("/admin/users?q=NGUYEN").get_data(as_text=True)
    assert "Léa Nguyen" in html
    assert client.post_form(f"/admin/users/{resident.id}", {"role": "moderator"}).status_code == 302
    db.session.refresh(resident)
    assert resident.role is Role.MODERATOR


def test_role_form_refuses_unknown_roles_and_self_demotion(client, login_as):
    admin = login_as(Role.ADMIN)
    resident = make_user()
    html = client.post_form(f"/admin/users/{resident.id}", {"role": "superuser"}).get_data(as_text=True)
    assert "<title>Erreur : " in html
    db.session.refresh(resident)
    assert resident.role is Role.RESIDENT
    html = client.post_form(f"/admin/users/{admin.id}", {"role": "resident"}).get_data(as_text=True)
    assert "<title>Erreur : " in html
    db.session.refresh(admin)
    assert admin.role is Role.ADMIN
    assert client.get("/admin/users/999999").status_code == 404


def test_admin_manages_themes(client, login_as):
    login_as(Role.ADMIN)
    assert client.post_form("/admin/themes", {"name": "Voirie", "name_en": "Roads", "active": "y"}).status_code == 302
    theme = db.session.execute(db.select(Theme)).scalar_one()
    assert theme.name == "Voirie" and theme.name_en == "Roads" and theme.active
    html = client.post_form("/admin/themes", {"name": "voirie"}).get_data(as_text=True)
    assert "<title>Erreur : " in html and 'href="#name"' in html
    html = client.post_form("/admin/themes", {"name": ""}).get_data(as_text=True)
    assert "<title>Erreur : " in html
    assert client.post_form(f"/admin/themes/{theme.id}", {"name": "Voirie et trottoirs", "name_en": ""}).status_code == 302
    db.session.refresh(theme)
    assert theme.name == "Voirie et trottoirs" and theme.active is False and theme.name_en is None


def test_inactive_theme_is_not_offered(client, login_as):
    login_as()
    make_theme("Ouvert")
    make_theme("Fermé", active=False)
    html = client.get("/proposals/new").get_data(as_text=True)
    assert "Ouvert" in html and "Fermé" not in html


def test_english_theme_name_is_shown_in_english(client, login_as):
    login_as()
    make_theme("Propreté", name_en="Cleanliness")
    client.set_cookie("civic_lang", "en", domain="civic.test")
    assert "Cleanliness" in client.get("/proposals/new").get_data(as_text=True)


def test_admin_adds_districts_and_residents_choose_theirs(client, ctx):
    from civic.accounts.models import District

    login(client, make_user(role=Role.ADMIN))
    assert client.post_form("/admin/districts", {"name": "Les Tilleuls"}).status_code == 302
    html = client.post_form("/admin/districts", {"name": "les tilleuls"}).get_data(as_text=True)
    assert 'href="#name"' in html
    district = db.session.execute(db.select(District)).scalar_one()
    client.post_form("/logout")
    resident = make_user()
    login(client, resident)
    assert "Les Tilleuls" in client.get("/account").get_data(as_text=True)
    assert client.post_form("/account", {"display_name": "R", "district": str(district.id)}).status_code == 302
    db.session.refresh(resident)
    assert resident.district_id == district.id
    html = client.post_form("/account", {"display_name": "R", "district": "999"}).get_data(as_text=True)
    assert 'href="#district"' in html
