from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


class TokenScope(permissions.BasePermission):
    """Signed in with a token; a read-only token reads only. What the person may see is decided by the
    same helpers as the web pages (``assessments.access``), in the views."""

    message = _("This token is read-only: create a read-and-write token to change answers or progress.")

    def has_permission(self, request, view):
        if request.auth is None:
            return False
        return request.method in permissions.SAFE_METHODS or request.auth.may_write
