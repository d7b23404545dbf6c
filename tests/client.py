"""Pages as the tests read them, and requests addressed by endpoint (as GOV.UK Notify's `client_request`).

    page = client_request.get("proposals.detail", proposal_id=proposal.id)
    assert page.h1 == "Des bancs place du marché"
    page = client_request.post("proposals.support", proposal_id=proposal.id, _follow=True)
    assert page.notices == ["Votre soutien est enregistré."]
    page = client_request.post("proposals.new", _data={"title": ""}, _expected_status=200)
    assert page.field_error("title") == "Saisissez un titre."

Every request states the status it expects (200 for a GET, 302 for a POST by default) and,
for a redirect, may state where (`_expected_redirect`). The page comes back parsed: its h1, its
title, the messages shown after a redirect, the error summary and the fields' errors, any
element by CSS selector. Every HTML page has also passed tests/pages.py (one h1, a title, lang,
unique ids, labelled fields) on its way.
"""
import re
from functools import cached_property

from bs4 import BeautifulSoup
from flask import url_for

_SPACES = re.compile(r"\s+")


def text_of(element):
    """An element's text as read: spaces collapsed, no-break and narrow no-break spaces as spaces."""
    if element is None:
        return None
    return _SPACES.sub(" ", element.get_text(" ").replace("\u00a0", " ").replace("\u202f", " ")).strip()


def form_data(form):
    """What a browser sends for a parsed form, as a dict of lists."""
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name, kind = field["name"], field.get("type", "text")
        if field.name == "textarea":
            value = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            value = chosen.get("value", "") if chosen else ""
        elif kind in ("radio", "checkbox"):
            if not field.has_attr("checked"):
                continue
            value = field.get("value", "on")
        else:
            value = field.get("value", "")
        data.setdefault(name, []).append(value)
    return data


class Page:
    def __init__(self, response):
        self.response = response
        self.status = response.status_code
        self.location = response.location
        self.html = response.get_data(as_text=True)

    @cached_property
    def soup(self):
        """The page parsed when the test first reads it: a redirect or a page whose status is all a test asserts is
        never parsed (parsing costs about as much CPU as the request)."""
        return BeautifulSoup(self.html, "html.parser")

    def select(self, selector):
        return self.soup.select(selector)

    def select_one(self, selector):
        return self.soup.select_one(selector)

    def texts(self, selector):
        return [text_of(element) for element in self.select(selector)]

    def text(self, selector="main"):
        return text_of(self.select_one(selector))

    @property
    def h1(self):
        return self.text("h1")

    @property
    def title(self):
        return self.text("title")

    @property
    def notices(self):
        """The messages shown after an action (flash messages), in order."""
        return self.texts(".notices .notice")

    @property
    def errors(self):
        """The error summary's messages, in order."""
        return self.texts(".error-summary li")

    def field_error(self, field_id):
        """The error shown beside a field, without the words for screen readers ("Erreur : ")."""
        element = self.select_one(f"#{field_id}-error")
        if element is None:
            return None
        for hidden in element.select(".visually-hidden"):
            hidden.decompose()
        return text_of(element)

    def value(self, name):
        """What a form field of the page holds (as typed back after an error)."""
        field = self.select_one(f'[name="{name}"]')
        if field is None:
            return None
        return text_of(field) if field.name == "textarea" else field.get("value")

    def links(self, selector="main"):
        """(text, href) of the links of a part of the page."""
        return [(text_of(a), a.get("href")) for a in self.select(f"{selector} a[href]")]

    def has(self, selector):
        return self.select_one(selector) is not None


class ClientRequest:
    """The test client, addressed by endpoint and asserting each answer's status."""

    def __init__(self, client):
        self.client = client

    def url(self, endpoint, **values):
        with self.client.application.test_request_context():
            return url_for(endpoint, **values)

    def _answer(self, response, expected_status, expected_redirect, follow):
        assert response.status_code == expected_status, (
            f"{response.request.method} {response.request.path}: {response.status_code}, expected {expected_status}"
            f"\n{response.get_data(as_text=True)[:2000]}")
        if expected_redirect is not None:
            assert response.location == expected_redirect, response.location
        if follow and response.status_code in (301, 302, 303):
            return Page(self.client.get(response.location))
        return Page(response)

    def get(self, endpoint, _expected_status=200, _expected_redirect=None, _follow=False, _query=None, **values):
        response = self.client.get(self.url(endpoint, **values), query_string=_query)
        return self._answer(response, _expected_status, _expected_redirect, _follow)

    def post(self, endpoint, _data=None, _expected_status=302, _expected_redirect=None, _follow=False, **values):
        response = self.client.post_form(self.url(endpoint, **values), _data or {})
        return self._answer(response, _expected_status, _expected_redirect, _follow)
