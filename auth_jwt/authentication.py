"""JSON Web Tokens: a signed token in the Authorization header ('Bearer <access>' or 'JWT <access>').

JWTAuthentication checks the signature, then loads the user by the token's id.
JWTStatelessUserAuthentication overrides only that last step: it trusts the
token's claims (user id, username) and never asks the database.
"""

from rest_framework_simplejwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication

__all__ = ["JWTAuthentication", "JWTStatelessUserAuthentication"]
