from django.apps import AppConfig


class MnrPortalConfig(AppConfig):
    name = "mnr_portal"
    verbose_name = "MNR Portal"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .language import remember_language_at_login
        from .middleware import stamp_session_start

        user_logged_in.connect(stamp_session_start, dispatch_uid="mnr_stamp_session_start")
        user_logged_in.connect(remember_language_at_login, dispatch_uid="mnr_remember_language")
        _refuse_reverse_relations_as_to_field()


def _refuse_reverse_relations_as_to_field():
    """Django 5.2's ``ModelAdmin.to_field_allowed`` reads ``primary_key`` of whatever field ``?_to_field=``
    names; a reverse relation (``?_to_field=answers``, or ``+`` for every ``related_name="+"``) has none,
    and the admin list answered 500 (found by tests/reliability/test_fuzz.py). A reverse relation is no
    column to reference: refused, so the list answers 400 as for any field it does not allow."""
    from django.contrib.admin import ModelAdmin
    from django.core.exceptions import FieldDoesNotExist

    allowed = ModelAdmin.to_field_allowed
    if getattr(allowed, "refuses_reverse_relations", False):
        return

    def to_field_allowed(self, request, to_field):
        try:
            field = self.opts.get_field(to_field)
        except FieldDoesNotExist:
            return False
        return field.concrete and allowed(self, request, to_field)

    to_field_allowed.refuses_reverse_relations = True
    ModelAdmin.to_field_allowed = to_field_allowed
