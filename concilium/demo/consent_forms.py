"""Demo data for the patients app: blank consent forms in English, German and French.

Idempotent: a second run creates nothing. `demo_load` calls it; the demo's patients and their stories are in
concilium/demo/cases.py.
"""

from typing import Any

from django.core.files.base import ContentFile

from concilium.patients.models import ConsentFormTemplate
from concilium.patients.pdf import simple_pdf
from concilium.patients.services import consent_form_upload

DEMO_FORM_VERSION = "1.0"

#: language -> (title, lines of the form)
DEMO_FORMS: dict[str, tuple[str, list[str]]] = {
    "en": (
        "Consent to an expert consultation (demo)",
        [
            "I agree that my doctors share my pseudonymised medical information with the experts",
            "of a European Reference Network to obtain advice on my care.",
            "[ ] Care: discussion of my case by a panel of experts (required)",
            "[ ] Registry: inclusion of my pseudonymised data in the network's registry",
            "[ ] Research: I may be contacted about research studies",
            "I can withdraw this consent at any time without any effect on my care.",
            "",
            "Name of patient or legal guardian: ______________________________",
            "Signature: ____________________        Date: ____ / ____ / ________",
            "",
            "Demonstration form: not for clinical use.",
        ],
    ),
    "de": (
        "Einwilligung in eine Expertenberatung (Demo)",
        [
            "Ich willige ein, dass meine Ärztinnen und Ärzte meine pseudonymisierten medizinischen",
            "Daten mit den Expertinnen und Experten eines Europäischen Referenznetzwerks teilen.",
            "[ ] Behandlung: Besprechung meines Falls durch ein Expertengremium (erforderlich)",
            "[ ] Register: Aufnahme meiner pseudonymisierten Daten in das Register des Netzwerks",
            "[ ] Forschung: Ich darf zu Forschungsstudien kontaktiert werden",
            "Ich kann diese Einwilligung jederzeit ohne Nachteile für meine Behandlung widerrufen.",
            "",
            "Name der Patientin/des Patienten oder der/des Sorgeberechtigten: ____________________",
            "Unterschrift: ____________________        Datum: ____ . ____ . ________",
            "",
            "Demonstrationsformular: nicht für den klinischen Gebrauch.",
        ],
    ),
    "fr": (
        "Consentement à une consultation d'experts (démo)",
        [
            "J'accepte que mes médecins partagent mes données médicales pseudonymisées avec les",
            "experts d'un Réseau européen de référence pour obtenir un avis sur ma prise en charge.",
            "[ ] Soins : discussion de mon dossier par un panel d'experts (obligatoire)",
            "[ ] Registre : inclusion de mes données pseudonymisées dans le registre du réseau",
            "[ ] Recherche : je peux être contacté(e) pour des études de recherche",
            "Je peux retirer ce consentement à tout moment sans conséquence sur mes soins.",
            "",
            "Nom du patient ou du représentant légal : ______________________________",
            "Signature : ____________________        Date : ____ / ____ / ________",
            "",
            "Formulaire de démonstration : pas pour un usage clinique.",
        ],
    ),
}


def demo_consent_forms(*, actor: Any = None) -> int:
    """Blank consent forms v1.0 in English, German and French; returns how many were created."""
    created = 0
    for language, (title, lines) in DEMO_FORMS.items():
        if ConsentFormTemplate.objects.filter(language=language, version=DEMO_FORM_VERSION).exists():
            continue
        document = ContentFile(simple_pdf(title, lines), name=f"consent-{language}.pdf")
        consent_form_upload(
            actor=actor, language=language, version=DEMO_FORM_VERSION, title=title, document=document
        )
        created += 1
    return created
