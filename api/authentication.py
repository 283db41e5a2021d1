"""``Authorization: Bearer mnr_…``: a personal API token (accounts.ApiToken) is the API's only credential.

Sessions are not accepted: a token names what acts, it can be revoked alone, and its scope bounds it.
"""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts.services import token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        token = token_authenticate(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
