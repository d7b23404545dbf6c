import re
import secrets

from civic.counters.models import Counter, CounterAssignment, ReceiptLayout
from civic.extensions import db

CODE_RE = re.compile(r'<p class="follow-up-code">([A-Z0-9]+)</p>')


def make_counter(*agents, name=None, layout=ReceiptLayout.A4):
    counter = Counter(name=name or f"Guichet {secrets.token_hex(3)}", address="1 place de la Mairie",
                      opening_hours="Lundi 9 h – 12 h", receipt_layout=layout, active=True)
    db.session.add(counter)
    db.session.flush()
    for agent in agents:
        db.session.add(CounterAssignment(counter_id=counter.id, agent_id=agent.id))
    db.session.commit()
    return counter


def open_session(client, resident, identity="document", consent=True):
    data = {"resident": str(resident.id), "identity_check": identity}
    if consent:
        data["consent"] = "y"
    return client.post_form("/desk/sessions", data)
