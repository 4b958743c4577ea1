"""Reference data for the directory: ISO 3166-1 country codes and the official languages of the EU."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_ASSIGNED_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
    BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
    FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
    IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
    PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE
    YT ZA ZM ZW
"""
#: Every officially assigned ISO 3166-1 alpha-2 code.
ISO_3166_ALPHA2 = frozenset(_ASSIGNED_CODES.split())

#: Names of the countries the networks work in (EU, EEA and neighbours); other codes are shown as they are.
COUNTRY_NAMES: dict[str, Promise] = {
    "AL": _("Albania"),
    "AT": _("Austria"),
    "BA": _("Bosnia and Herzegovina"),
    "BE": _("Belgium"),
    "BG": _("Bulgaria"),
    "CH": _("Switzerland"),
    "CY": _("Cyprus"),
    "CZ": _("Czechia"),
    "DE": _("Germany"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "ES": _("Spain"),
    "FI": _("Finland"),
    "FR": _("France"),
    "GB": _("United Kingdom"),
    "GR": _("Greece"),
    "HR": _("Croatia"),
    "HU": _("Hungary"),
    "IE": _("Ireland"),
    "IS": _("Iceland"),
    "IT": _("Italy"),
    "LI": _("Liechtenstein"),
    "LT": _("Lithuania"),
    "LU": _("Luxembourg"),
    "LV": _("Latvia"),
    "MD": _("Moldova"),
    "ME": _("Montenegro"),
    "MK": _("North Macedonia"),
    "MT": _("Malta"),
    "NL": _("Netherlands"),
    "NO": _("Norway"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "RS": _("Serbia"),
    "SE": _("Sweden"),
    "SI": _("Slovenia"),
    "SK": _("Slovakia"),
    "TR": _("Türkiye"),
    "UA": _("Ukraine"),
}

#: The 24 official languages of the European Union, by ISO 639-1 code, named in their own language.
EU_LANGUAGES: dict[str, str] = {
    "bg": "български",
    "cs": "čeština",
    "da": "dansk",
    "de": "Deutsch",
    "el": "ελληνικά",
    "en": "English",
    "es": "español",
    "et": "eesti",
    "fi": "suomi",
    "fr": "français",
    "ga": "Gaeilge",
    "hr": "hrvatski",
    "hu": "magyar",
    "it": "italiano",
    "lt": "lietuvių",
    "lv": "latviešu",
    "mt": "Malti",
    "nl": "Nederlands",
    "pl": "polski",
    "pt": "português",
    "ro": "română",
    "sk": "slovenčina",
    "sl": "slovenščina",
    "sv": "svenska",
}


def is_country_code(code: str) -> bool:
    """True for an assigned ISO 3166-1 alpha-2 code in upper case."""
    return code in ISO_3166_ALPHA2


def country_name(code: str) -> str:
    """The country's (translated) name, or the code itself for countries outside Europe."""
    name = COUNTRY_NAMES.get(code)
    return str(name) if name is not None else code
