"""The demo's content: networks, fictional hospitals, people and expert groups. Every person is invented."""

from datetime import time
from typing import NamedTuple

from concilium.core.roles import Role

DEMO_DOMAIN = "demo.concilium.eu"
DEMO_PASSWORD = "concilium-demo"  # noqa: S105 - the documented password of the demo accounts
#: The fixed base32 TOTP secret of the demo accounts that need a second factor (for an authenticator app).
DEMO_TOTP_SECRET = "CONCILIUMDEMOTOTPSECRETKEY234567"  # noqa: S105


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


class DemoAccount(NamedTuple):
    role: Role
    email: str
    full_name: str
    hospital: str  # hospital name
    specialty: str


#: One sign-in per role, listed in the README: keep them in step.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        Role.CLINICIAN,
        f"clinician@{DEMO_DOMAIN}",
        "Marta Lindqvist",
        "Norrviks universitetssjukhus",
        "Paediatric oncology",
    ),
    DemoAccount(
        Role.EXPERT,
        f"expert@{DEMO_DOMAIN}",
        "Jonas Verbeke",
        "Universitair Ziekenhuis Scheldeveld",
        "Neuro-oncology",
    ),
    DemoAccount(
        Role.COORDINATOR,
        f"coordinator@{DEMO_DOMAIN}",
        "Sofia Marchetti",
        "Ospedale Pediatrico San Lorenzo del Colle",
        "Paediatric neurosurgery",
    ),
    DemoAccount(
        Role.HELPDESK,
        f"helpdesk@{DEMO_DOMAIN}",
        "Henrik Aalto",
        "Universitair Ziekenhuis Scheldeveld",
        "Health informatics",
    ),
    DemoAccount(
        Role.DATA_MANAGER,
        f"datamanager@{DEMO_DOMAIN}",
        "Inês Duarte",
        "Hospital Universitário Atlântico",
        "Clinical epidemiology",
    ),
    DemoAccount(
        Role.NETWORK_ADMIN,
        f"admin@{DEMO_DOMAIN}",
        "Nadia Kowalczyk",
        "Universitätsklinikum Nordstadt",
        "Health informatics",
    ),
)

# code, name, kind, description
NETWORKS = (
    (
        "ern-paedcan",
        "ERN PaedCan",
        "ern",
        "European Reference Network for Paediatric Cancer (haemato-oncology)",
    ),
    ("ern-euracan", "ERN EURACAN", "ern", "European Reference Network for rare adult solid cancers"),
    ("ern-bond", "ERN BOND", "ern", "European Reference Network for rare bone disorders"),
    (
        "ern-reconnet",
        "ERN ReCONNET",
        "ern",
        "European Reference Network for rare connective tissue and musculoskeletal diseases",
    ),
    ("ern-epicare", "ERN EpiCARE", "ern", "European Reference Network for rare and complex epilepsies"),
    (
        "ern-eurobloodnet",
        "ERN EuroBloodNet",
        "ern",
        "European Reference Network for rare haematological diseases",
    ),
    (
        "covid19-clinicians",
        "COVID-19 Clinicians Network",
        "clinicians",
        "Clinicians treating complex COVID-19 cases in EU and EEA hospitals",
    ),
)


class DemoHospital(NamedTuple):
    name: str
    city: str
    country: str
    is_reference_centre: bool
    domain: str
    networks: tuple[str, ...]


HOSPITALS: tuple[DemoHospital, ...] = (
    DemoHospital(
        name="Universitätsklinikum Nordstadt",
        city="Nordstadt",
        country="DE",
        is_reference_centre=True,
        domain="uk-nordstadt.example",
        networks=("ern-paedcan", "ern-euracan", "covid19-clinicians"),
    ),
    DemoHospital(
        name="Kinderklinik am Lindenhof",
        city="Lindenhof",
        country="DE",
        is_reference_centre=False,
        domain="kinderklinik-lindenhof.example",
        networks=("ern-paedcan",),
    ),
    DemoHospital(
        name="Centre Hospitalier Universitaire de Rivebelle",
        city="Rivebelle",
        country="FR",
        is_reference_centre=True,
        domain="chu-rivebelle.example",
        networks=("ern-paedcan", "ern-bond", "covid19-clinicians"),
    ),
    DemoHospital(
        name="Hôpital Saint-Aubin-des-Prés",
        city="Saint-Aubin-des-Prés",
        country="FR",
        is_reference_centre=False,
        domain="hopital-saint-aubin.example",
        networks=("ern-reconnet",),
    ),
    DemoHospital(
        name="Ospedale Pediatrico San Lorenzo del Colle",
        city="San Lorenzo del Colle",
        country="IT",
        is_reference_centre=True,
        domain="ospedale-sanlorenzo.example",
        networks=("ern-paedcan", "ern-epicare"),
    ),
    DemoHospital(
        name="Policlinico Valverde",
        city="Valverde",
        country="IT",
        is_reference_centre=False,
        domain="policlinico-valverde.example",
        networks=("ern-eurobloodnet", "covid19-clinicians"),
    ),
    DemoHospital(
        name="Hospital Universitario Costa Clara",
        city="Costa Clara",
        country="ES",
        is_reference_centre=True,
        domain="hu-costaclara.example",
        networks=("ern-paedcan", "ern-reconnet", "covid19-clinicians"),
    ),
    DemoHospital(
        name="Universitair Medisch Centrum Westerhaven",
        city="Westerhaven",
        country="NL",
        is_reference_centre=True,
        domain="umc-westerhaven.example",
        networks=("ern-euracan", "ern-epicare"),
    ),
    DemoHospital(
        name="Universitair Ziekenhuis Scheldeveld",
        city="Scheldeveld",
        country="BE",
        is_reference_centre=True,
        domain="uz-scheldeveld.example",
        networks=("ern-paedcan", "ern-bond"),
    ),
    DemoHospital(
        name="Clinique universitaire du Val-Clair",
        city="Val-Clair",
        country="BE",
        is_reference_centre=False,
        domain="clinique-valclair.example",
        networks=("covid19-clinicians",),
    ),
    DemoHospital(
        name="Landesklinikum Alpenblick",
        city="Alpenblick",
        country="AT",
        is_reference_centre=True,
        domain="lk-alpenblick.example",
        networks=("ern-paedcan", "ern-eurobloodnet"),
    ),
    DemoHospital(
        name="Uniwersytecki Szpital Dziecięcy Zielony Bór",
        city="Zielony Bór",
        country="PL",
        is_reference_centre=True,
        domain="usd-zielonybor.example",
        networks=("ern-paedcan",),
    ),
    DemoHospital(
        name="Norrviks universitetssjukhus",
        city="Norrvik",
        country="SE",
        is_reference_centre=True,
        domain="norrvik-sjukhus.example",
        networks=("ern-paedcan", "ern-epicare", "covid19-clinicians"),
    ),
    DemoHospital(
        name="Hospital Universitário Atlântico",
        city="Porto Claro",
        country="PT",
        is_reference_centre=False,
        domain="hu-atlantico.example",
        networks=("ern-bond", "covid19-clinicians"),
    ),
    DemoHospital(
        name="Fakultní nemocnice Horní Luka",
        city="Horní Luka",
        country="CZ",
        is_reference_centre=True,
        domain="fn-hornileuka.example",
        networks=("ern-euracan",),
    ),
    DemoHospital(
        name="St Brigid's University Hospital",
        city="Kilmara",
        country="IE",
        is_reference_centre=False,
        domain="stbrigids-kilmara.example",
        networks=("ern-reconnet", "covid19-clinicians"),
    ),
)

# specialty -> the network its clinicians usually belong to
SPECIALTIES: dict[str, str] = {
    "Paediatric oncology": "ern-paedcan",
    "Paediatric haematology": "ern-paedcan",
    "Neuro-oncology": "ern-paedcan",
    "Paediatric neurosurgery": "ern-paedcan",
    "Radiation oncology": "ern-paedcan",
    "Orthopaedic oncology": "ern-bond",
    "Paediatric radiology": "ern-paedcan",
    "Pathology": "ern-euracan",
    "Medical oncology": "ern-euracan",
    "Haematology": "ern-eurobloodnet",
    "Rheumatology": "ern-reconnet",
    "Paediatric neurology": "ern-epicare",
    "Clinical genetics": "ern-bond",
    "Infectious diseases": "covid19-clinicians",
    "Intensive care medicine": "covid19-clinicians",
    "Pulmonology": "covid19-clinicians",
    "Health informatics": "",
    "Clinical epidemiology": "",
}

# country -> (first names, family names, main language); family names may hold spaces: split on "|"
PEOPLE: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "DE": (
        _words("Anja Lukas Jörg Katharina Felix Sabine Moritz Jürgen Hannah Tobias"),
        _names("Bäumler|Krüger|Hartwig|Schönfeld|Wendland|Brückner|Lindemann|Vogelsang|Ostermann|Kühn"),
        "de",
    ),
    "FR": (
        _words("Élodie Mathieu Céline Benoît Amélie Grégoire Hélène Noël Chloé Rémi"),
        _names("Lefèvre|Beaumont|Garnier|Rousselot|Delacroix|Mercier|Fauré|Chevalier|Duroc|Pélissier"),
        "fr",
    ),
    "IT": (
        _words("Giulia Matteo Francesca Lorenzo Chiara Davide Elisa Niccolò Serena Tommaso"),
        _names("Bellandi|Ricciardi|Fontanella|Guidotti|Marchesini|Palumbo|Sartori|Vitale|Zanetti|Cavallaro"),
        "it",
    ),
    "ES": (
        _words("Lucía Javier Begoña Álvaro Inmaculada Sergio Nuria Íñigo Rocío Adrián"),
        _names("Núñez|Ibáñez|Calderón|Saavedra|Montoya|Echeverría|Ortuño|Villalba|Peñalver|Galindo"),
        "es",
    ),
    "NL": (
        _words("Sanne Joost Femke Bram Lieke Maarten Eline Sjoerd Anouk Thijs"),
        _names("de Wilde|van Dalen|Hoekstra|Brouwer|Verhoeven|Kuipers|van der Meer|Dijkstra|Postma|Sluiter"),
        "nl",
    ),
    "BE": (
        _words("Lotte Wouter Margaux Pieter Nathalie Jelle Aurélie Koen Sarah Thibault"),
        _names("Vermeulen|Claes|Dubois|Janssens|Lambrechts|Maes|Peeters|Wauters|Goossens|Lemaire"),
        "nl",
    ),
    "AT": (
        _words("Theresa Florian Magdalena Lukas Verena Stefan Johanna Maximilian Elisabeth Gregor"),
        _names("Gruber|Hofbauer|Leitner|Pichler|Steiner|Moser|Wallner|Eder|Aigner|Fuchs"),
        "de",
    ),
    "PL": (
        _words("Agnieszka Łukasz Małgorzata Piotr Zofia Michał Katarzyna Paweł Joanna Wojciech"),
        _names("Wróbel|Zieliński|Kamińska|Lewandowski|Dąbrowska|Szymański|Woźniak|Kozłowski|Jankowska|Mazur"),
        "pl",
    ),
    "SE": (
        _words("Astrid Lars Ingrid Erik Maja Johan Sofia Nils Karin Oskar"),
        _names("Eklund|Lindgren|Sjöberg|Åberg|Nyström|Bergqvist|Holmström|Sandberg|Wikström|Forsberg"),
        "sv",
    ),
    "PT": (
        _words("Inês João Beatriz Tiago Mariana Rui Catarina Gonçalo Leonor Duarte"),
        _names("Almeida|Figueiredo|Gonçalves|Carvalho|Magalhães|Sequeira|Tavares|Moreira|Brandão|Lopes"),
        "pt",
    ),
    "CZ": (
        _words("Tereza Jiří Lucie Tomáš Kateřina Ondřej Barbora Vojtěch Zuzana Radek"),
        _names("Novák|Dvořák|Procházková|Černý|Veselá|Horák|Marešová|Pokorný|Kučerová|Beneš"),
        "cs",
    ),
    "IE": (
        _words("Aoife Cian Niamh Eoin Siobhán Darragh Clodagh Oisín Róisín Ciarán"),
        _names(
            "Gallagher|Brennan|Ó Súilleabháin|Donnelly|Mac Giolla|Kavanagh|Ní Bhriain|Flanagan|Cullinane|"
            "Dempsey"
        ),
        "en",
    ),
}

CLINICIAN_COUNT = 300

EUROPE_BRUSSELS = "Europe/Brussels"


class DemoGroup(NamedTuple):
    slug: str
    name: str
    description: str
    is_pre_evaluation: bool
    weekday: int | None
    local_time: time | None
    slot_count: int
    coordinator: str  # email
    members: tuple[tuple[str, str, str], ...]  # (full name, hospital name, specialty) of fictional experts


#: The ERN PaedCan expert groups of the pilot phase, with their real schedules and invented members.
EXPERT_GROUPS: tuple[DemoGroup, ...] = (
    DemoGroup(
        "paedcan-brain-tumour",
        "Brain Tumour Expert Group",
        "Discusses CNS tumours in children and adolescents. "
        "Meets every Tuesday at 11:00 CET: two slots of 20 minutes.",
        False,
        1,
        time(11, 0),
        2,
        f"coordinator@{DEMO_DOMAIN}",
        (
            ("Henrike Vossberg", "Universitätsklinikum Nordstadt", "Neuro-oncology"),
            ("Pieter Hagendoorn", "Universitair Medisch Centrum Westerhaven", "Paediatric radiology"),
            ("Elodie Fournel", "Centre Hospitalier Universitaire de Rivebelle", "Radiation oncology"),
            ("Agata Wierzbicka", "Uniwersytecki Szpital Dziecięcy Zielony Bór", "Pathology"),
            ("Matteo Ricciardelli", "Ospedale Pediatrico San Lorenzo del Colle", "Paediatric neurosurgery"),
        ),
    ),
    DemoGroup(
        "paedcan-ewing-sarcoma",
        "Ewing Sarcoma Expert Group",
        "Discusses Ewing sarcoma and related bone tumours. "
        "Meets every Friday at 12:30 CET: two slots of 20 minutes.",
        False,
        4,
        time(12, 30),
        2,
        f"ewing.coordinator@{DEMO_DOMAIN}",
        (
            ("Friederike Lammersdorf", "Universitätsklinikum Nordstadt", "Paediatric oncology"),
            ("Lars-Olof Ekvall", "Norrviks universitetssjukhus", "Orthopaedic oncology"),
            ("Beatriz Sorollo", "Hospital Universitario Costa Clara", "Radiation oncology"),
            ("Teodor Nováček", "Fakultní nemocnice Horní Luka", "Pathology"),
            ("Chiara Bellandini", "Ospedale Pediatrico San Lorenzo del Colle", "Paediatric radiology"),
            ("Mathis Rouvière", "Centre Hospitalier Universitaire de Rivebelle", "Orthopaedic oncology"),
            ("Sanne Wildeboer", "Universitair Medisch Centrum Westerhaven", "Medical oncology"),
        ),
    ),
    DemoGroup(
        "paedcan-pre-evaluation",
        "Pre-evaluation Group",
        "Evaluates consultation requests (soft-tissue and other sarcomas) "
        "before they are addressed to a panel.",
        True,
        None,
        None,
        0,
        f"preevaluation.coordinator@{DEMO_DOMAIN}",
        (
            ("Ottilie Brandauer", "Landesklinikum Alpenblick", "Paediatric oncology"),
            ("Raphaël Delmasure", "Hôpital Saint-Aubin-des-Prés", "Paediatric oncology"),
            ("Giulia Serafinetti", "Policlinico Valverde", "Pathology"),
            ("Hanna Virtamo", "Norrviks universitetssjukhus", "Paediatric radiology"),
            ("Rui Almeidinha", "Hospital Universitário Atlântico", "Orthopaedic oncology"),
        ),
    ),
)

#: Coordinators of the other two groups (fictional experts who sign in with single sign-on in real life).
GROUP_COORDINATORS = (
    (
        f"ewing.coordinator@{DEMO_DOMAIN}",
        "Wiebke Harmsen-Lohe",
        "Universitätsklinikum Nordstadt",
        "Orthopaedic oncology",
    ),
    (
        f"preevaluation.coordinator@{DEMO_DOMAIN}",
        "Clemens Auerbacher",
        "Landesklinikum Alpenblick",
        "Paediatric oncology",
    ),
)

# (full name, email, hospital, specialty, professional role, hours since submission, languages)
PENDING_REGISTRATIONS = (
    (
        "Bartosz Kruczek",
        "b.kruczek@usd-zielonybor.example",
        "Uniwersytecki Szpital Dziecięcy Zielony Bór",
        "Paediatric haematology",
        "Consultant",
        2,
        ("pl", "en"),
    ),
    (
        "Orla Twomey",
        "orla.twomey@stbrigids-kilmara.example",
        "St Brigid's University Hospital",
        "Intensive care medicine",
        "Registrar",
        9,
        ("en", "ga"),
    ),
    (
        "Luca Ferraresi",
        "l.ferraresi@policlinico-valverde.example",
        "Policlinico Valverde",
        "Haematology",
        "Attending physician",
        30,
        ("it", "en", "fr"),
    ),
)
