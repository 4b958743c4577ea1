"""Concilium: virtual expert consultations on complex patients across hospitals and borders."""

__version__ = "0.1.0"
