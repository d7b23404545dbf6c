"""Values the server signs into a page and reads back when the page is posted: the resident a desk page
listed, the session a form was filled in, the receipt code an attachment confirms. Signed, not encrypted:
they carry nothing the person holding the page may not read; dated, so that each reader bounds their age."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer


def serializer(salt):
    """The signer of one kind of value: ``salt`` names the kind, so that one kind's token is no other's."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def read(signer, token, **options):
    """What ``token`` holds (``options``: itsdangerous's, max_age and return_timestamp), or None when it is
    forged, malformed or older than max_age."""
    try:
        return signer.loads(token or "", **options)
    except (BadSignature, ValueError, TypeError):
        return None
