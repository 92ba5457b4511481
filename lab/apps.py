from django.apps import AppConfig


class LabConfig(AppConfig):
    name = "lab"
    verbose_name = "The browser lab"

    def ready(self):
        from corsheaders.signals import check_request_enabled

        from .cors import allow_lab_front_ends

        check_request_enabled.connect(allow_lab_front_ends, dispatch_uid="lab-front-ends")
