import secrets
from types import SimpleNamespace

from civic.counters.models import Counter, CounterAssignment, ReceiptLayout
from civic.counters.residents import resident_from_ticket, resident_ticket
from civic.extensions import db
from tests.client import Page


def follow_up_code(response):
    """The follow-up code a receipt page prints."""
    return Page(response).text(".receipt .follow-up-code")


def make_counter(*agents, name=None, layout=ReceiptLayout.A4):
    counter = Counter(name=name or f"Guichet {secrets.token_hex(3)}", address="1 place de la Mairie",
                      opening_hours="Lundi 9 h – 12 h", receipt_layout=layout, active=True)
    db.session.add(counter)
    db.session.flush()
    for agent in agents:
        db.session.add(CounterAssignment(counter_id=counter.id, agent_id=agent.id))
    db.session.commit()
    return counter


def ticket(client, resident):
    """What the desk puts in its "open a session" form for ``resident``, for the agent logged in on ``client``."""
    with client.session_transaction() as cookie:
        agent = SimpleNamespace(id=int(cookie["_user_id"]))
    with client.application.test_request_context():
        return resident_ticket(agent, resident)


def tickets(page):
    """The tickets of the forms of a desk page (a Page) that open a session, in order."""
    return [field["value"] for field in page.select('form.open-session input[name="resident"]')]


def listed(client, page):
    """The ids of the residents a desk page (a Page) offers to open a session for (its forms carry their tickets)."""
    with client.session_transaction() as cookie:
        agent = SimpleNamespace(id=int(cookie["_user_id"]))
    with client.application.test_request_context():
        return [resident_from_ticket(agent, value).id for value in tickets(page)]


def open_session(client, resident, identity="document", consent=True):
    data = {"resident": ticket(client, resident), "identity_check": identity}
    if consent:
        data["consent"] = "y"
    return client.post_form("/desk/sessions", data)
