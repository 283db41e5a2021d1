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
