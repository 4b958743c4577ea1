"""What the codes of scheduling mean to a person."""

from django.utils.translation import gettext_lazy as _

from concilium.core.labels import AUDIT_ACTION, AUDIT_FAMILY, register_labels

register_labels(AUDIT_FAMILY, {"expert_group": _("Expert groups")})
register_labels(
    AUDIT_ACTION,
    {
        "expert_group.create": _("Expert group created"),
        "expert_group.update": _("Expert group changed"),
        "expert_group.member_add": _("Member added to an expert group"),
        "expert_group.member_role": _("Group member's role changed"),
        "expert_group.member_remove": _("Member removed from an expert group"),
        "expert_group.rule_change": _("Weekly meeting of an expert group changed"),
    },
)
