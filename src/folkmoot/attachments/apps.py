from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "folkmoot.attachments"
    label = "attachments"
    verbose_name = _("Images and files")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Pillow's own guard against decompression bombs, set deliberately rather than left
        # at its default: an image past the limit is refused before its pixels are decoded
        # (files.py checks the same limit first, and says so in words).
        Image.MAX_IMAGE_PIXELS = settings.ATTACHMENTS_MAX_PIXELS
