"""Signals of the patients app, for the apps above it (they connect receivers; patients imports none).

`care_consent_lost` is sent inside the transaction that withdrew the patient's last valid care consent, with
`patient` and `actor`; a receiver stops what needed the consent (a case's panel) in the same transaction and
returns how many things it stopped.
"""

from django.dispatch import Signal

care_consent_lost = Signal()
