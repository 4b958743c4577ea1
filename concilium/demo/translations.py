"""The demo's reference data in German and French: specialties, expert groups, case sheets and checklists.

Kept beside the English originals (people.py, case_templates.py), by their English name or their slug, and
written to each model's `translations` (core.translations) when the demo is loaded.
"""

#: English specialty name -> its name in German and in French.
SPECIALTY_NAMES: dict[str, dict[str, str]] = {
    "Paediatric oncology": {"de": "Pädiatrische Onkologie", "fr": "Oncologie pédiatrique"},
    "Paediatric haematology": {"de": "Pädiatrische Hämatologie", "fr": "Hématologie pédiatrique"},
    "Neuro-oncology": {"de": "Neuroonkologie", "fr": "Neuro-oncologie"},
    "Paediatric neurosurgery": {"de": "Kinderneurochirurgie", "fr": "Neurochirurgie pédiatrique"},
    "Radiation oncology": {"de": "Strahlentherapie und Radioonkologie", "fr": "Radiothérapie oncologique"},
    "Orthopaedic oncology": {"de": "Tumororthopädie", "fr": "Oncologie orthopédique"},
    "Paediatric radiology": {"de": "Kinderradiologie", "fr": "Radiologie pédiatrique"},
    "Pathology": {"de": "Pathologie", "fr": "Anatomie et cytologie pathologiques"},
    "Medical oncology": {"de": "Internistische Onkologie", "fr": "Oncologie médicale"},
    "Haematology": {"de": "Hämatologie", "fr": "Hématologie"},
    "Rheumatology": {"de": "Rheumatologie", "fr": "Rhumatologie"},
    "Paediatric neurology": {"de": "Neuropädiatrie", "fr": "Neuropédiatrie"},
    "Clinical genetics": {"de": "Humangenetik", "fr": "Génétique médicale"},
    "Infectious diseases": {"de": "Infektiologie", "fr": "Maladies infectieuses et tropicales"},
    "Intensive care medicine": {"de": "Intensivmedizin", "fr": "Médecine intensive-réanimation"},
    "Pulmonology": {"de": "Pneumologie", "fr": "Pneumologie"},
    "Health informatics": {"de": "Medizinische Informatik", "fr": "Informatique médicale"},
    "Clinical epidemiology": {"de": "Klinische Epidemiologie", "fr": "Épidémiologie clinique"},
}

#: Expert group slug -> its name and description in German and in French.
GROUP_TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "paedcan-brain-tumour": {
        "de": {
            "name": "Expertengruppe Hirntumoren",
            "description": "Bespricht ZNS-Tumoren bei Kindern und Jugendlichen. "
            "Tagt jeden Dienstag um 11:00 Uhr MEZ: zwei Termine zu je 20 Minuten.",
        },
        "fr": {
            "name": "Groupe d'experts Tumeurs cérébrales",
            "description": "Discute des tumeurs du système nerveux central de l'enfant et de l'adolescent. "
            "Se réunit chaque mardi à 11 h 00 (HEC) : deux créneaux de 20 minutes.",
        },
    },
    "paedcan-ewing-sarcoma": {
        "de": {
            "name": "Expertengruppe Ewing-Sarkom",
            "description": "Bespricht Ewing-Sarkome und verwandte Knochentumoren. "
            "Tagt jeden Freitag um 12:30 Uhr MEZ: zwei Termine zu je 20 Minuten.",
        },
        "fr": {
            "name": "Groupe d'experts Sarcome d'Ewing",
            "description": "Discute des sarcomes d'Ewing et des tumeurs osseuses apparentées. "
            "Se réunit chaque vendredi à 12 h 30 (HEC) : deux créneaux de 20 minutes.",
        },
    },
    "paedcan-pre-evaluation": {
        "de": {
            "name": "Gruppe zur Vorabbewertung",
            "description": "Bewertet Konsilanfragen (Weichteilsarkome und andere Sarkome), "
            "bevor sie an ein Gremium weitergeleitet werden.",
        },
        "fr": {
            "name": "Groupe de pré-évaluation",
            "description": "Évalue les demandes d'avis (sarcomes des tissus mous et autres sarcomes) "
            "avant leur transmission à un panel.",
        },
    },
}

#: case_templates.IMAGING_GUIDANCE
_IMAGING = {
    "de": "Geben Sie bei hochgeladenen DICOM-Bildern für jede Untersuchung das Aufnahmedatum "
    "und die Anzahl der Bilder an.",
    "fr": "Pour l'imagerie DICOM téléversée, indiquez la date d'acquisition et le nombre d'images de chaque "
    "examen.",
}

#: Expert group slug -> the translations of its case template ("guidance.<field>", "checklist.<key>").
TEMPLATE_TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "paedcan-brain-tumour": {
        "de": {
            "guidance.clinical_history": "Alter bei Diagnose, Symptome, neurologischer Status, "
            "Syndrome in der Familie.",
            "guidance.imaging_findings": _IMAGING["de"]
            + " Beschreiben Sie Lokalisation, Größe und Ausbreitung des Tumors.",
            "guidance.pathology": "Histologie und molekulare Subgruppe (WHO-Klassifikation der ZNS-Tumoren), "
            "Referenzpathologie.",
            "guidance.treatment_so_far": "Operation (Resektionsausmaß), Strahlentherapie und Chemotherapie "
            "mit Datum.",
            "guidance.question": "Eine präzise Frage an die Expertengruppe Hirntumoren.",
            "checklist.mri-report": "MRT-Befund von Schädel und Wirbelsäule angehängt",
            "checklist.pathology-report": "Pathologiebefund angehängt",
            "checklist.csf": "Ergebnis der Liquorzytologie angegeben (oder nicht durchgeführt)",
            "checklist.tumour-board": "Im lokalen Tumorboard besprochen",
        },
        "fr": {
            "guidance.clinical_history": "Âge au diagnostic, symptômes, état neurologique, "
            "syndromes dans la famille.",
            "guidance.imaging_findings": _IMAGING["fr"]
            + " Décrivez le siège, la taille et l'extension de la tumeur.",
            "guidance.pathology": "Histologie et sous-groupe moléculaire (classification OMS des tumeurs du "
            "SNC), relecture anatomopathologique de référence.",
            "guidance.treatment_so_far": "Chirurgie (qualité de l'exérèse), radiothérapie et chimiothérapie, "
            "avec leurs dates.",
            "guidance.question": "Une question précise pour le groupe d'experts Tumeurs cérébrales.",
            "checklist.mri-report": "Compte rendu d'IRM cérébrale et médullaire joint",
            "checklist.pathology-report": "Compte rendu anatomopathologique joint",
            "checklist.csf": "Résultat de la cytologie du LCR indiqué (ou examen non réalisé)",
            "checklist.tumour-board": "Dossier discuté en réunion de concertation pluridisciplinaire locale",
        },
    },
    "paedcan-ewing-sarcoma": {
        "de": {
            "guidance.clinical_history": "Alter, Primärlokalisation, Symptome und ihre Dauer, "
            "Allgemeinzustand.",
            "guidance.imaging_findings": _IMAGING["de"]
            + " Volumen des Primärtumors, Metastasen (Lunge, Knochen, Knochenmark).",
            "guidance.pathology": "Histologie mit EWSR1-Fusionsstatus (FISH oder Sequenzierung).",
            "guidance.treatment_so_far": "Angewandtes Protokoll, gegebene Zyklen, Beurteilung des "
            "Ansprechens, Lokaltherapie.",
            "guidance.question": "Eine präzise Frage an die Expertengruppe Ewing-Sarkom.",
            "checklist.staging-imaging": "Befund der Staging-Bildgebung (MRT, CT des Thorax, PET) angehängt",
            "checklist.molecular": "Molekularpathologischer Befund angehängt",
            "checklist.protocol": "Therapieprotokoll unter „Bisherige Behandlung“ genannt",
        },
        "fr": {
            "guidance.clinical_history": "Âge, localisation primitive, symptômes et leur durée, "
            "état général.",
            "guidance.imaging_findings": _IMAGING["fr"]
            + " Volume de la tumeur primitive, métastases (poumon, os, moelle osseuse).",
            "guidance.pathology": "Histologie avec statut de fusion EWSR1 (FISH ou séquençage).",
            "guidance.treatment_so_far": "Protocole suivi, cures administrées, évaluation de la réponse, "
            "traitement local.",
            "guidance.question": "Une question précise pour le groupe d'experts Sarcome d'Ewing.",
            "checklist.staging-imaging": "Compte rendu d'imagerie du bilan d'extension (IRM, scanner "
            "thoracique, TEP) joint",
            "checklist.molecular": "Compte rendu de pathologie moléculaire joint",
            "checklist.protocol": "Protocole de traitement indiqué dans « Traitements reçus »",
        },
    },
    "paedcan-pre-evaluation": {
        "de": {
            "guidance.clinical_history": "Eine kurze Zusammenfassung: Alter, Diagnose, Stadium, "
            "bisheriger Verlauf.",
            "guidance.question": "Was das Gremium beantworten soll und warum die Frage vor Ort nicht "
            "beantwortet werden kann.",
            "checklist.summary-letter": "Überweisungsschreiben oder Entlassungsbrief angehängt",
            "checklist.consent-checked": "Patient über die Konsultation informiert",
        },
        "fr": {
            "guidance.clinical_history": "Un court résumé : âge, diagnostic, stade, évolution à ce jour.",
            "guidance.question": "Ce à quoi le panel doit répondre, et pourquoi la question ne peut pas être "
            "tranchée sur place.",
            "checklist.summary-letter": "Courrier d'adressage ou compte rendu d'hospitalisation joint",
            "checklist.consent-checked": "Patient informé de la demande d'avis",
        },
    },
}
