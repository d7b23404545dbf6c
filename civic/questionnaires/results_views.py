from flask import Blueprint

bp = Blueprint("questionnaire_results", __name__)
