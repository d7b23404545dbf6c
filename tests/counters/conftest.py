"""An agent logged in at their counter, for the desk's tests."""
import pytest

from civic.accounts.models import Role
from tests.factories import login, make_user
from tests.counters.helpers import make_counter


@pytest.fixture
def agent(client, ctx):
    agent = make_user(role=Role.COUNTER_AGENT, name="Karim (guichet)")
    login(client, agent)
    return agent


@pytest.fixture
def counter(agent):
    return make_counter(agent, name="Mairie annexe du Nord")
