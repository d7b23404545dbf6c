"""Figures about a few people single them out (three residents who voted at a counter, two helped at a desk in a
week): a figure about people is published only for a group of at least SMALLEST_GROUP of them. The turnout by
channel of a vote (civic.decisions), the counters' weekly statistics (their open data) and the counts of a
consultation's questions (civic.questionnaires.results) follow it."""
SMALLEST_GROUP = 10


def large_enough(people):
    return people >= SMALLEST_GROUP
