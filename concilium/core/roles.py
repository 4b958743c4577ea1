"""The roles of Concilium's accounts, and the sets of roles the apps' policies share (each written once)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    EXPERT = "expert", _("Expert")
    COORDINATOR = "coordinator", _("Group coordinator")
    HELPDESK = "helpdesk", _("Helpdesk")
    DATA_MANAGER = "data_manager", _("Registry data manager")
    NETWORK_ADMIN = "network_admin", _("Network admin")


#: Roles whose holders are physicians of their hospital: they hold its patients and see its cases.
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.EXPERT, Role.COORDINATOR})
#: Roles that must use a second factor at every local login.
ROLES_REQUIRING_2FA = frozenset({Role.HELPDESK, Role.COORDINATOR, Role.NETWORK_ADMIN})
