"""The production storage of static files: whitenoise's manifest with compressed copies, brotli optional."""

from typing import Any

from django.conf import settings
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names in a manifest and a gzip copy of each text file; a brotli copy too with STATIC_BROTLI.

    nginx as shipped (deploy/nginx) serves the gzip copies; brotli at its best ratio takes most of the time
    `collectstatic` needs, for copies that only an nginx with the brotli module (or WhiteNoise) would serve.
    """

    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(use_brotli=settings.STATIC_BROTLI, **kwargs)
