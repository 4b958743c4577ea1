"""Test settings: production-like (DEBUG off), a throwaway secret, plain HTTP, fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "k" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("EMAIL_URL", "memory://")
# A fixed test key (Fernet, 32 bytes): never derived from SECRET_KEY in the suite.
os.environ.setdefault("PATIENT_ID_KEY", "dGVzdC1vbmx5LXBhdGllbnQtaWQta2V5LTMyYnl0ZXM=")

from concilium.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
