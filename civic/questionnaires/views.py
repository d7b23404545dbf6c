from flask import Blueprint

bp = Blueprint("questionnaires", __name__)
