"""Atom feeds (RFC 4287) under /flux/: new proposals, official answers, votes opened, results published, each also
per theme (proposals, answers) or per district (votes, results). They hold what the public lists show, found by the
same services, the newest 50, for feed readers and for the re-users of open data."""
