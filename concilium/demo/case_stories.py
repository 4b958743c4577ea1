"""The demo's patients and cases: a working week of the ERN PaedCan groups, and a year of finished cases.

Every patient, clinician and text is invented. Times are relative to the moment the demo is loaded: "days"
are days before it. `concilium.demo.cases` plays each story through the real services, then dates it.
"""

from typing import NamedTuple

from concilium.demo.people import DEMO_DOMAIN

#: People are named by their full name (unique among the demo's accounts).
CLINICIAN = "Marta Lindqvist"  # clinician@
EXPERT = "Jonas Verbeke"  # expert@
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"

BRAIN = "paedcan-brain-tumour"
EWING = "paedcan-ewing-sarcoma"
PRE = "paedcan-pre-evaluation"

#: Treating clinicians who ask the groups for advice (fictional; they would sign in with single sign-on).
#: (email, full name, hospital, specialty)
REQUESTERS = (
    (
        f"annelie.brockhaus@{DEMO_DOMAIN}",
        "Annelie Brockhaus",
        "Kinderklinik am Lindenhof",
        "Paediatric oncology",
    ),
    (
        f"bastien.courtenay@{DEMO_DOMAIN}",
        "Bastien Courtenay",
        "Centre Hospitalier Universitaire de Rivebelle",
        "Paediatric oncology",
    ),
    (
        f"marina.olazabal@{DEMO_DOMAIN}",
        "Marina Olazábal",
        "Hospital Universitario Costa Clara",
        "Paediatric oncology",
    ),
    (
        f"ewelina.sadowska@{DEMO_DOMAIN}",
        "Ewelina Sadowska",
        "Uniwersytecki Szpital Dziecięcy Zielony Bór",
        "Paediatric oncology",
    ),
    (
        f"raphael.oberhuber@{DEMO_DOMAIN}",
        "Raphael Oberhuber",
        "Landesklinikum Alpenblick",
        "Paediatric oncology",
    ),
)

#: The language of the consent form a hospital's families sign: the demo has forms in these three; other
#: hospitals record their own form's version.
FORM_LANGUAGE_BY_COUNTRY = {"DE": "de", "AT": "de", "FR": "fr", "BE": "fr", "IE": "en"}
OWN_FORM_LANGUAGE_BY_COUNTRY = {"SE": "sv", "ES": "es", "PL": "pl", "IT": "it", "PT": "pt", "NL": "nl"}


class Post(NamedTuple):
    """A message of the pre-selection thread or a contribution to the panel's discussion."""

    days: float  # how long ago
    author: str  # a full name, or "coordinator" / "requester"
    body: str
    request_info: bool = False


class Story(NamedTuple):
    """One patient and the case their clinician put to a group, up to `status`."""

    local_id: str
    requester: str  # full name
    months: int  # age in months at enrolment
    sex: str
    code: str
    diagnosis: str
    group: str
    status: str  # draft, submitted, accepted, declined, scheduled, discussed, signed, closed, stopped
    episode: dict[str, str]
    days: dict[str, float]  # event -> days ago: created, submitted, decided, signed, closed, stopped
    urgent: bool = False
    registry: bool = False
    research: bool = False
    #: Files: checklist keys answered with a generated PDF report, plus "image" for a generated PNG.
    files: tuple[str, ...] = ()
    confirmed: tuple[str, ...] = ()
    thread: tuple[Post, ...] = ()
    discussion: tuple[Post, ...] = ()
    lead: str = ""  # the panel's lead when not the group's coordinator
    guest: str = ""  # an expert invited as a guest
    #: The case is discussed at the group's first meeting after this many days ago (0: its next meeting).
    meeting_after: float = 0
    recommendation: tuple[str, ...] = ()  # summary, recommendation, rationale, references
    reason: str = ""  # why the group declined, or why the consent was withdrawn
    later_consent: bool = False  # a separate registry and research consent signed later


BRAIN_CHECKLIST = ("csf", "tumour-board")
EWING_CHECKLIST = ("protocol",)
PRE_CHECKLIST = ("consent-checked",)
BRAIN_FILES = ("mri-report", "pathology-report")
EWING_FILES = ("staging-imaging", "molecular")
PRE_FILES = ("summary-letter",)

# Experts of the groups (demo_data.EXPERT_GROUPS).
VOSSBERG = "Henrike Vossberg"
HAGENDOORN = "Pieter Hagendoorn"
FOURNEL = "Elodie Fournel"
WIERZBICKA = "Agata Wierzbicka"
RICCIARDELLI = "Matteo Ricciardelli"
LAMMERSDORF = "Friederike Lammersdorf"
EKVALL = "Lars-Olof Ekvall"
SOROLLO = "Beatriz Sorollo"
ROUVIERE = "Mathis Rouvière"
WILDEBOER = "Sanne Wildeboer"
VIRTAMO = "Hanna Virtamo"
BRANDAUER = "Ottilie Brandauer"
SERAFINETTI = "Giulia Serafinetti"

ANNELIE, BASTIEN, MARINA, EWELINA, RAPHAEL = (name for _email, name, *_rest in REQUESTERS)

#: This week's cases. Together they hold every status, at six hospitals in six countries.
STORIES: tuple[Story, ...] = (
    # --- Marta Lindqvist (clinician@, Norrvik, Sweden): two drafts, one awaiting information, one
    # submitted, one signed recommendation to read.
    Story(
        "NRV-2026-0412",
        CLINICIAN,
        74,
        "male",
        "ORPHA:616",
        "Medulloblastoma of the posterior fossa, after resection",
        BRAIN,
        "draft",
        {
            "clinical_history": (
                "Six-year-old boy with four weeks of morning vomiting and an unsteady gait. Gross total "
                "resection of a midline cerebellar tumour three weeks ago; recovering well, mild truncal "
                "ataxia."
            ),
            "imaging_findings": (
                "Pre-operative MRI: 4.2 cm enhancing mass of the vermis filling the fourth ventricle, "
                "obstructive hydrocephalus. Post-operative MRI (day 2): no residual tumour. Spine MRI: no "
                "leptomeningeal spread."
            ),
            "pathology": "Classic medulloblastoma; molecular subgroup pending at the reference laboratory.",
        },
        {"created": 2},
        files=("mri-report", "image"),
    ),
    Story(
        "NRV-2026-0431",
        CLINICIAN,
        150,
        "female",
        "ORPHA:319",
        "Ewing sarcoma of the left femur, first relapse",
        EWING,
        "draft",
        {
            "clinical_history": (
                "Twelve-year-old girl, localised Ewing sarcoma of the left femoral diaphysis diagnosed two "
                "years "
                "ago. New pain in the left hip for three weeks."
            ),
        },
        {"created": 0.1},
    ),
    Story(
        "NRV-2026-0388",
        CLINICIAN,
        96,
        "female",
        "C71.7",
        "Diffuse midline glioma of the pons, H3 K27-altered",
        BRAIN,
        "accepted",
        {
            "clinical_history": (
                "Eight-year-old girl, diagnosed eleven months ago with a diffuse midline glioma of the pons "
                "(cranial nerve VI and VII palsy, ataxia). Focal radiotherapy 54 Gy completed nine months "
                "ago "
                "with a good clinical response. Worsening diplopia and dysphagia for two weeks."
            ),
            "imaging_findings": (
                "MRI last week: enlargement of the pontine lesion with a new enhancing component, no "
                "dissemination."
            ),
            "pathology": "Stereotactic biopsy at diagnosis: diffuse midline glioma, H3 K27M-mutant, TP53 "
            "wild-type.",
            "treatment_so_far": "Radiotherapy 54 Gy in 30 fractions; no chemotherapy; dexamethasone since "
            "last week.",
            "question": "Is re-irradiation advisable, and is she eligible for an ONC201 study in the "
            "network?",
        },
        {"created": 8, "submitted": 6, "decided": 4},
        files=("mri-report", "pathology-report", "image"),
        confirmed=BRAIN_CHECKLIST,
        discussion=(
            Post(
                2.8,
                HAGENDOORN,
                "The MRI at diagnosis is clear, but to judge progression against pseudo-progression we need "
                "the MRI six weeks after radiotherapy. @Sofia Marchetti could you ask the team for it?",
            ),
        ),
        thread=(
            Post(
                1.2,
                "coordinator",
                "Dear Dr Lindqvist, before we schedule the discussion: could you upload the MRI done six "
                "weeks "
                "after radiotherapy, and say whether the family would consider travelling for a study?",
                request_info=True,
            ),
        ),
        registry=True,
    ),
    Story(
        "NRV-2026-0359",
        CLINICIAN,
        190,
        "male",
        "C41.4",
        "Ewing sarcoma of the right iliac wing, poor histological response",
        EWING,
        "signed",
        {
            "clinical_history": (
                "Fifteen-year-old boy with localised Ewing sarcoma of the right iliac wing (EWSR1::FLI1). "
                "Six cycles of induction chemotherapy, then resection two weeks ago."
            ),
            "imaging_findings": (
                "Initial volume 310 ml; after induction 180 ml. Chest CT and PET: no metastases."
            ),
            "pathology": "Resection specimen: 35% viable tumour (poor response), margins clear (R0, 4 mm).",
            "treatment_so_far": "Protocol Euro Ewing 2012 arm B: VDC/IE induction, six cycles; surgery.",
            "question": (
                "With a poor histological response after R0 resection, do you recommend high-dose busulfan-"
                "melphalan, post-operative radiotherapy, or both?"
            ),
        },
        {"created": 27, "submitted": 24, "decided": 21, "signed": 2},
        files=("staging-imaging", "molecular"),
        confirmed=EWING_CHECKLIST,
        meeting_after=12,
        discussion=(
            Post(
                20,
                EKVALL,
                "Margins are clear but narrow at the sacroiliac joint. Pelvic primaries with poor response "
                "do badly with surgery alone.",
            ),
            Post(
                19,
                SOROLLO,
                "I would add post-operative radiotherapy, 45 Gy to the tumour bed; the bowel dose is "
                "acceptable "
                "on the plan I sketched from the staging MRI.",
            ),
            Post(
                18,
                LAMMERSDORF,
                "Agree with radiotherapy. High-dose busulfan-melphalan is an option given the poor response; "
                "radiotherapy must then be planned carefully around it. @Lars-Olof Ekvall anything to add?",
            ),
            Post(17, EKVALL, "Nothing to add: radiotherapy first, then busulfan-melphalan."),
        ),
        recommendation=(
            "Fifteen-year-old boy with localised Ewing sarcoma of the pelvis, poor histological response "
            "(35% viable tumour) after R0 resection with narrow margins.",
            "1. Post-operative radiotherapy to the tumour bed, 45 Gy.\n"
            "2. Consolidation with high-dose busulfan-melphalan and autologous stem cell rescue, with "
            "radiotherapy timed to avoid overlapping toxicity.",
            "Pelvic location, poor response and narrow margins each raise the risk of local relapse.",
            "Euro Ewing 2012 protocol; R2Loc results (demo reference).",
        ),
        later_consent=True,
    ),
    Story(
        "NRV-2026-0447",
        CLINICIAN,
        110,
        "male",
        "ORPHA:54595",
        "Adamantinomatous craniopharyngioma, recurrent cyst",
        BRAIN,
        "submitted",
        {
            "clinical_history": (
                "Nine-year-old boy, subtotal resection of a craniopharyngioma two years ago, then proton "
                "therapy. Hypopituitarism on replacement. Visual field loss progressing for a month."
            ),
            "imaging_findings": "MRI: cyst recurrence, 2.8 cm, compressing the optic chiasm; solid part "
            "stable.",
            "pathology": "Adamantinomatous craniopharyngioma, CTNNB1 mutation.",
            "treatment_so_far": "Subtotal resection, proton therapy 54 Gy(RBE), hormone replacement.",
            "question": "Cyst drainage with an Ommaya reservoir, or intracystic interferon-alpha?",
        },
        {"created": 4, "submitted": 2},
        files=("mri-report", "pathology-report"),
        confirmed=BRAIN_CHECKLIST,
    ),
    # --- Kinderklinik am Lindenhof (Germany)
    Story(
        "KKL-26-1187",
        ANNELIE,
        20,
        "male",
        "C71.9",
        "Atypical teratoid/rhabdoid tumour (AT/RT), SMARCB1 loss",
        BRAIN,
        "submitted",
        {
            "clinical_history": (
                "Twenty-month-old boy with irritability, vomiting and loss of acquired walking over ten "
                "days. "
                "Subtotal resection five days ago; germline SMARCB1 testing sent."
            ),
            "imaging_findings": "Post-operative MRI: 1.5 cm residual tumour in the left cerebellopontine "
            "angle.",
            "pathology": "AT/RT, loss of INI1 (SMARCB1) on immunohistochemistry, MYC subgroup pending.",
            "treatment_so_far": "Surgery only; external ventricular drain removed.",
            "question": (
                "Second-look surgery before chemotherapy, or start EU-RHAB chemotherapy now? The family is "
                "waiting for our proposal this week."
            ),
        },
        {"created": 1.2, "submitted": 0.8},
        urgent=True,
        files=("mri-report", "pathology-report"),
        confirmed=BRAIN_CHECKLIST,
    ),
    Story(
        "KKL-26-1102",
        ANNELIE,
        160,
        "male",
        "C41.3",
        "Ewing sarcoma of the seventh left rib with pleural effusion",
        EWING,
        "scheduled",
        {
            "clinical_history": (
                "Thirteen-year-old boy with chest pain and a pleural effusion. Ewing sarcoma of the seventh "
                "left rib, EWSR1::FLI1. Four cycles of induction chemotherapy so far."
            ),
            "imaging_findings": (
                "Before treatment: 9 cm chest wall mass with pleural effusion (cytology positive). After "
                "four "
                "cycles: 4 cm, effusion resolved. No lung nodules."
            ),
            "pathology": "Core biopsy: Ewing sarcoma, EWSR1::FLI1 by RT-PCR.",
            "treatment_so_far": "Euro Ewing 2012, VDC/IE, four of six induction cycles.",
            "question": "Surgery alone, or surgery with hemithorax irradiation given the positive effusion?",
        },
        {"created": 12, "submitted": 10, "decided": 5},
        files=("staging-imaging", "molecular", "image"),
        confirmed=EWING_CHECKLIST,
        discussion=(
            Post(
                4,
                ROUVIERE,
                "A resection of ribs 6 to 8 looks feasible with margins after six cycles. "
                "@Jonas Verbeke, with the effusion at diagnosis, would you irradiate the hemithorax?",
            ),
            Post(
                3,
                WILDEBOER,
                "Before we decide: was the effusion cytology reviewed centrally? It changes the staging.",
                request_info=True,
            ),
            Post(1.5, "requester", "Yes: the central review confirmed tumour cells in the effusion."),
        ),
    ),
    Story(
        "KKL-26-1139",
        ANNELIE,
        48,
        "female",
        "C71.5",
        "Ependymoma of the fourth ventricle, posterior fossa group A, residual tumour",
        BRAIN,
        "submitted",
        {
            "clinical_history": (
                "Four-year-old girl, resection of a fourth-ventricle ependymoma three weeks ago. Transient "
                "lower cranial nerve palsy, now recovered."
            ),
            "imaging_findings": "MRI: 8 mm residual tumour attached to the floor of the fourth ventricle.",
            "pathology": "Posterior fossa ependymoma, group A (H3 K27me3 loss), WHO grade 3.",
            "treatment_so_far": "Surgery.",
            "question": "Is a second-look resection worth the risk, or should she go straight to conformal "
            "radiotherapy?",
        },
        {"created": 10, "submitted": 8},
        files=("mri-report", "pathology-report"),
        confirmed=BRAIN_CHECKLIST,
    ),
    # --- CHU de Rivebelle (France)
    Story(
        "RIV-2026-07731",
        BASTIEN,
        140,
        "female",
        "C71.6",
        "Pilocytic astrocytoma of the cerebellum, residual tumour growing",
        BRAIN,
        "submitted",
        {
            "clinical_history": (
                "Eleven-year-old girl, partial resection of a cerebellar pilocytic astrocytoma three years "
                "ago, "
                "followed by MRI. No symptoms."
            ),
            "imaging_findings": "Residual tumour grew from 12 to 19 mm over 18 months.",
            "pathology": "Pilocytic astrocytoma, KIAA1549::BRAF fusion.",
            "treatment_so_far": "Partial resection; surveillance.",
            "question": "Second resection, or a MEK inhibitor first?",
        },
        {"created": 17, "submitted": 15},
        files=("mri-report", "pathology-report"),
        confirmed=BRAIN_CHECKLIST,
    ),
    Story(
        "RIV-2026-07415",
        BASTIEN,
        140,
        "female",
        "C40.0",
        "Ewing sarcoma of the right humerus, localised",
        EWING,
        "discussed",
        {
            "clinical_history": (
                "Eleven-year-old girl, dominant right arm. Ewing sarcoma of the proximal right humerus, "
                "localised. Six cycles of induction chemotherapy completed last month."
            ),
            "imaging_findings": (
                "MRI after induction: good response, soft-tissue component gone, 11 cm of the humerus "
                "involved, "
                "epiphysis spared."
            ),
            "pathology": "Biopsy: Ewing sarcoma, EWSR1::FLI1.",
            "treatment_so_far": "Euro Ewing 2012 arm B, six cycles VDC/IE.",
            "question": "Resection with a biological reconstruction, or definitive radiotherapy?",
        },
        {"created": 19, "submitted": 17, "decided": 14},
        files=("staging-imaging", "molecular"),
        confirmed=EWING_CHECKLIST,
        meeting_after=7,
        lead=EXPERT,
        discussion=(
            Post(
                12,
                ROUVIERE,
                "With the epiphysis spared, an intercalary resection with a vascularised fibula is realistic "
                "and keeps the shoulder.",
            ),
            Post(
                11,
                SOROLLO,
                "Definitive radiotherapy in a growing humerus means shortening and fracture risk: I would "
                "operate.",
            ),
            Post(
                10,
                EXPERT,
                "Agree with surgery. @Mathis Rouvière, could your team take her if the local surgeons "
                "prefer?",
            ),
            Post(9, ROUVIERE, "Yes, we can offer a date within four weeks."),
        ),
        recommendation=(
            "Eleven-year-old girl with localised Ewing sarcoma of the proximal right humerus, good clinical "
            "and "
            "radiological response to six cycles of induction chemotherapy.",
            "Intercalary resection with a vascularised fibula reconstruction, sparing the epiphysis; "
            "consolidation according to the histological response. Referral for surgery offered by CHU de "
            "Rivebelle's orthopaedic oncology team.",
            "Surgery gives the best local control and avoids the growth and fracture problems of "
            "radiotherapy in a growing humerus.",
            "",
        ),
        registry=True,
        research=True,
    ),
    Story(
        "RIV-2026-07650",
        BASTIEN,
        60,
        "female",
        "C72.3",
        "Optic pathway glioma, progressing after two lines of chemotherapy",
        BRAIN,
        "stopped",
        {
            "clinical_history": (
                "Five-year-old girl with an optic pathway glioma (no NF1), treated since age two. Vision in "
                "the "
                "left eye falling."
            ),
            "imaging_findings": "Growth of the chiasmatic component, 3.1 cm, new cystic part.",
            "pathology": "Not biopsied.",
            "treatment_so_far": "Carboplatin-vincristine, then vinblastine.",
            "question": "A MEK inhibitor, or bevacizumab to save the vision?",
        },
        {"created": 16, "submitted": 14, "decided": 11, "stopped": 3},
        files=("mri-report", "pathology-report"),
        confirmed=BRAIN_CHECKLIST,
        reason="The parents asked to stop the discussion with experts outside the hospital.",
    ),
    # --- Hospital Universitario Costa Clara (Spain)
    Story(
        "HCC-0093321",
        MARINA,
        156,
        "male",
        "C71.1",
        "High-grade glioma of the right frontal lobe, H3 G34-mutant",
        BRAIN,
        "scheduled",
        {
            "clinical_history": (
                "Thirteen-year-old boy with seizures and left-sided weakness. Near-total resection four "
                "weeks "
                "ago; weakness improving."
            ),
            "imaging_findings": "Post-operative MRI: thin rim of enhancement at the resection margin.",
            "pathology": "Diffuse hemispheric glioma, H3 G34R-mutant, MGMT promoter methylated.",
            "treatment_so_far": "Surgery; levetiracetam.",
            "question": "Radiotherapy with temozolomide, or should he enter a study with an added agent?",
        },
        {"created": 9, "submitted": 8, "decided": 6},
        files=("mri-report", "pathology-report", "image"),
        confirmed=BRAIN_CHECKLIST,
        guest=VIRTAMO,
        discussion=(
            Post(
                5,
                FOURNEL,
                "Standard would be 59.4 Gy with temozolomide. MGMT methylation is in his favour.",
            ),
            Post(
                3.5,
                WIERZBICKA,
                "I reviewed the slides: G34R confirmed, and there is no PDGFRA amplification. "
                "@Jonas Verbeke, do you know of an open study for G34-mutant glioma in Belgium?",
            ),
            Post(
                2,
                VIRTAMO,
                "The thin rim on the post-operative MRI looks like post-surgical change to me, not residual "
                "tumour; a perfusion study would help.",
            ),
            Post(
                1,
                HAGENDOORN,
                "@Marina Olazábal could you add the perfusion sequence before the meeting?",
                request_info=True,
            ),
        ),
        registry=True,
    ),
    Story(
        "HCC-0094410",
        MARINA,
        200,
        "female",
        "C49.2",
        "Synovial sarcoma of the left thigh, SS18::SSX1",
        PRE,
        "submitted",
        {
            "clinical_history": (
                "Sixteen-year-old girl with a painless mass of the left thigh for six months. 7 cm synovial "
                "sarcoma, no metastases. Unplanned excision at another hospital."
            ),
            "question": "Re-excision, radiotherapy, or both after an unplanned excision with positive "
            "margins?",
        },
        {"created": 14, "submitted": 12},
        files=("summary-letter",),
        confirmed=PRE_CHECKLIST,
        thread=(
            Post(
                10,
                "coordinator",
                "Could you add the MRI before the unplanned excision, if there is one? It decides the field.",
                request_info=True,
            ),
            Post(
                8.5,
                "requester",
                "There is none before the excision, sadly. The post-operative MRI is described in the "
                "referral "
                "letter.",
            ),
        ),
    ),
    # --- Uniwersytecki Szpital Dziecięcy Zielony Bór (Poland)
    Story(
        "ZB/2026/5521",
        EWELINA,
        130,
        "male",
        "ORPHA:616",
        "Medulloblastoma, SHH-activated, TP53-mutant, early relapse",
        BRAIN,
        "accepted",
        {
            "clinical_history": (
                "Ten-year-old boy, SHH medulloblastoma with a germline TP53 variant (Li-Fraumeni). "
                "Craniospinal "
                "radiotherapy and chemotherapy completed eight months ago."
            ),
            "imaging_findings": "New nodular lesion at the resection bed, 1.4 cm; spine clear.",
            "pathology": "SHH-activated, TP53-mutant medulloblastoma.",
            "treatment_so_far": "Resection, craniospinal irradiation 23.4 Gy with boost, maintenance "
            "chemotherapy.",
            "question": "Is any curative option left? Would you re-resect?",
        },
        {"created": 5, "submitted": 4, "decided": 2},
        files=("mri-report", "pathology-report"),
        confirmed=BRAIN_CHECKLIST,
        discussion=(
            Post(
                1,
                VOSSBERG,
                "A sad situation. Re-resection could be considered if the lesion is solitary. "
                "@Jonas Verbeke @Matteo Ricciardelli what do you think of the surgical access?",
            ),
        ),
        research=True,
    ),
    Story(
        "ZB/2026/5498",
        EWELINA,
        170,
        "male",
        "C41.2",
        "Round cell sarcoma of the thoracic spine, CIC::DUX4 fusion",
        EWING,
        "declined",
        {
            "clinical_history": "Fourteen-year-old boy with back pain and leg weakness; decompression "
            "surgery.",
            "imaging_findings": "Mass of T9 with epidural extension; two lung nodules.",
            "pathology": "Undifferentiated round cell sarcoma, CIC::DUX4 fusion; EWSR1 not rearranged.",
            "treatment_so_far": "Decompression, dexamethasone.",
            "question": "Treat as Ewing sarcoma?",
        },
        {"created": 7, "submitted": 6, "decided": 3},
        files=("staging-imaging", "molecular"),
        confirmed=EWING_CHECKLIST,
        reason=(
            "A CIC-rearranged sarcoma is not a Ewing sarcoma and is treated differently: please address the "
            "case to the Pre-evaluation Group, which discusses the other round cell sarcomas."
        ),
    ),
    # --- Landesklinikum Alpenblick (Austria)
    Story(
        "LKA-2026-3381",
        RAPHAEL,
        84,
        "female",
        "C71.3",
        "Pleomorphic xanthoastrocytoma of the parietal lobe, BRAF V600E",
        BRAIN,
        "closed",
        {
            "clinical_history": "Seven-year-old girl with focal seizures; gross total resection six weeks "
            "ago.",
            "imaging_findings": "Post-operative MRI: complete resection.",
            "pathology": "Pleomorphic xanthoastrocytoma, CNS WHO grade 2, BRAF V600E, CDKN2A deleted.",
            "treatment_so_far": "Surgery; levetiracetam.",
            "question": "Surveillance only, or adjuvant treatment?",
        },
        {"created": 38, "submitted": 36, "decided": 34, "signed": 21, "closed": 15},
        files=("mri-report", "pathology-report"),
        confirmed=BRAIN_CHECKLIST,
        meeting_after=30,
        lead=VOSSBERG,
        discussion=(
            Post(33, WIERZBICKA, "Grade 2 with complete resection: surveillance is standard."),
            Post(32, EXPERT, "Agree. MRI every three months the first year."),
            Post(31.5, FOURNEL, "No radiotherapy after a complete resection of a grade 2 tumour."),
        ),
        recommendation=(
            "Seven-year-old girl with a completely resected pleomorphic xanthoastrocytoma, grade 2, BRAF "
            "V600E.",
            "Surveillance with MRI every three months in the first year, then every six months. A BRAF/MEK "
            "inhibitor is the first option at progression.",
            "Complete resection of a grade 2 tumour: adjuvant treatment adds toxicity without proven "
            "benefit.",
            "",
        ),
        registry=True,
    ),
    Story(
        "LKA-2026-3417",
        RAPHAEL,
        100,
        "male",
        "C49.4",
        "Desmoplastic small round cell tumour of the abdomen",
        PRE,
        "scheduled",
        {
            "clinical_history": (
                "Eight-year-old boy with abdominal pain and weight loss; multiple peritoneal masses. Four "
                "cycles "
                "of chemotherapy, partial response."
            ),
            "question": "Is cytoreductive surgery with HIPEC worth it in a child? Which group should "
            "discuss it?",
        },
        {"created": 13, "submitted": 11, "decided": 6},
        files=("summary-letter", "image"),
        confirmed=PRE_CHECKLIST,
        discussion=(
            Post(5, BRANDAUER, "This needs the surgical view: I suggest we invite a peritoneal surgeon."),
            Post(4, SERAFINETTI, "Pathology is convincing: EWSR1::WT1 confirmed."),
        ),
    ),
)

# --- A year of finished cases, for the figures -----------------------------------------------------------

#: group -> diagnoses (age range in months, sex, code, diagnosis)
HISTORY_DIAGNOSES: dict[str, tuple[tuple[int, int, str, str], ...]] = {
    BRAIN: (
        (30, 160, "ORPHA:616", "Medulloblastoma, group 4"),
        (24, 140, "C71.5", "Ependymoma of the fourth ventricle"),
        (60, 200, "C71.7", "Diffuse midline glioma of the pons"),
        (12, 48, "C71.9", "Atypical teratoid/rhabdoid tumour"),
        (40, 180, "ORPHA:54595", "Adamantinomatous craniopharyngioma"),
        (70, 200, "C71.1", "High-grade glioma of the frontal lobe"),
        (36, 150, "C71.6", "Pilocytic astrocytoma of the cerebellum"),
        (20, 100, "C72.3", "Optic pathway glioma"),
    ),
    EWING: (
        (100, 216, "ORPHA:319", "Ewing sarcoma of the femur"),
        (120, 216, "C41.4", "Ewing sarcoma of the pelvis"),
        (90, 200, "C41.3", "Ewing sarcoma of the rib"),
        (110, 216, "C40.2", "Ewing sarcoma of the tibia"),
        (130, 216, "C41.2", "Ewing sarcoma of the spine"),
    ),
    PRE: (
        (24, 160, "ORPHA:780", "Embryonal rhabdomyosarcoma of the bladder"),
        (100, 216, "C49.2", "Synovial sarcoma of the thigh"),
        (60, 200, "C49.4", "Desmoplastic small round cell tumour"),
        (120, 216, "ORPHA:668", "Osteosarcoma of the distal femur"),
    ),
}

HISTORY_QUESTIONS = {
    BRAIN: (
        "Second-look surgery or adjuvant treatment first?",
        "Is radiotherapy needed at this age, or can it be delayed?",
        "Which treatment at progression?",
    ),
    EWING: (
        "Surgery, radiotherapy, or both for local control?",
        "Is high-dose chemotherapy indicated after a poor response?",
        "How to treat lung metastases at diagnosis?",
    ),
    PRE: (
        "Which expert group should discuss this case?",
        "Local treatment after an unplanned excision?",
    ),
}

HISTORY_OPINIONS = (
    "I agree with the local team's proposal; the imaging supports it.",
    "The pathology review confirms the diagnosis; no further testing needed.",
    "I would favour surgery first if the margins can be reached safely.",
    "Radiotherapy is an option, but the late effects at this age weigh against it.",
    "The response is good enough to continue the protocol as planned.",
    "A second opinion on the pathology would help before deciding.",
    "Agree with the others: no change to the plan.",
)

HISTORY_RECOMMENDATIONS = (
    (
        "Continue the protocol as planned; local control by surgery.",
        "The panel agreed that surgery offers the best local control with acceptable late effects.",
    ),
    (
        "Adjuvant radiotherapy after surgery; MRI follow-up every three months.",
        "Residual disease after surgery carries a high risk of local relapse.",
    ),
    (
        "Surveillance only; treatment at progression.",
        "Complete response: further treatment would add toxicity without proven benefit.",
    ),
    (
        "Referral to a reference centre for a second-line study.",
        "No standard option remains; a study gives access to new agents.",
    ),
)

HISTORY_DECLINE_REASONS = (
    "The question is outside the group's scope: please address it to the Pre-evaluation Group.",
    "The case sheet lacks the pathology review; please submit again once it is available.",
    "The question was answered by the national tumour board last week; no panel is needed.",
)

#: How many finished cases the demo's year holds, and how many of them were declined.
HISTORY_COUNT = 42
