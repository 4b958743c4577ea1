"""Demo case templates for the ERN PaedCan pilot groups (`demo_load` calls `demo_case_templates`)."""

from typing import Any

from concilium.cases.services.templates import case_template_update
from concilium.demo.translations import TEMPLATE_TRANSLATIONS
from concilium.scheduling.models import ExpertGroup

IMAGING_GUIDANCE = (
    "For uploaded DICOM imaging, note the date of acquisition and the number of images of each study."
)

#: group slug -> (required sections with guidance, checklist items)
DEMO_TEMPLATES: dict[str, tuple[dict[str, str], list[dict[str, str]]]] = {
    "paedcan-brain-tumour": (
        {
            "clinical_history": "Age at diagnosis, symptoms, neurological status, syndromes in the family.",
            "imaging_findings": IMAGING_GUIDANCE + " Describe the tumour site, size and dissemination.",
            "pathology": "Histology and molecular subgroup (WHO CNS classification), reference pathology.",
            "treatment_so_far": "Surgery (extent of resection), radiotherapy and chemotherapy with dates.",
            "question": "One precise question for the Brain Tumour Expert Group.",
        },
        [
            {"key": "mri-report", "label": "Brain and spine MRI report attached", "kind": "attachment"},
            {"key": "pathology-report", "label": "Pathology report attached", "kind": "attachment"},
            {"key": "csf", "label": "CSF cytology result given (or not done)", "kind": "confirm"},
            {"key": "tumour-board", "label": "Discussed in the local tumour board", "kind": "confirm"},
        ],
    ),
    "paedcan-ewing-sarcoma": (
        {
            "clinical_history": "Age, primary site, symptoms and their duration, performance status.",
            "imaging_findings": IMAGING_GUIDANCE + " Primary tumour volume, metastases (lung, bone, marrow).",
            "pathology": "Histology with EWSR1 fusion status (FISH or sequencing).",
            "treatment_so_far": "Protocol followed, cycles given, response assessment, local therapy.",
            "question": "One precise question for the Ewing Sarcoma Expert Group.",
        },
        [
            {
                "key": "staging-imaging",
                "label": "Staging imaging report (MRI, CT chest, PET) attached",
                "kind": "attachment",
            },
            {"key": "molecular", "label": "Molecular pathology report attached", "kind": "attachment"},
            {"key": "protocol", "label": "Treatment protocol named in Treatment so far", "kind": "confirm"},
        ],
    ),
    "paedcan-pre-evaluation": (
        {
            "clinical_history": "A short summary: age, diagnosis, stage, course so far.",
            "question": "What the panel should answer, and why it cannot be answered locally.",
        },
        [
            {
                "key": "summary-letter",
                "label": "Referral letter or discharge summary attached",
                "kind": "attachment",
            },
            {"key": "consent-checked", "label": "Patient informed about the consultation", "kind": "confirm"},
        ],
    ),
}


def demo_case_templates(*, actor: Any = None) -> int:
    """Give each demo group that exists its case sheet and checklist; returns how many were written."""
    written = 0
    for group in ExpertGroup.objects.filter(slug__in=DEMO_TEMPLATES).order_by("pk"):
        required, checklist = DEMO_TEMPLATES[group.slug]
        sections = [{"field": name, "required": True, "guidance": text} for name, text in required.items()]
        case_template_update(
            group=group,
            sections=sections,
            checklist=checklist,
            actor=actor,
            translations=TEMPLATE_TRANSLATIONS.get(group.slug, {}),
        )
        written += 1
    return written
