"""Expert groups with their weekly meeting rule (meetings and slots come with the scheduling issue)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concilium.core.translations import translated


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ExpertGroup(models.Model):
    network = models.ForeignKey("directory.Network", on_delete=models.PROTECT, related_name="expert_groups")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_pre_evaluation = models.BooleanField(
        _("pre-evaluation group"), default=False, help_text=_("Evaluates requests before they go to a panel.")
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True)
    local_time = models.TimeField(_("local time"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels")
    slot_count = models.PositiveSmallIntegerField(_("slots per meeting"), default=0)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=20)
    #: The name and description in the other site languages: {"de": {"name": "…", "description": "…"}}.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="GroupMembership",
        related_name="expert_groups",
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["network__name", "name"]
        verbose_name = _("expert group")
        verbose_name_plural = _("expert groups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5), name="expertgroup_slot_minutes_min"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The group's name in the active language (the base name when it has no translation)."""
        return translated(self, "name")

    @property
    def display_description(self) -> str:
        return translated(self, "description")


class GroupMembership(models.Model):
    class GroupRole(models.TextChoices):
        MEMBER = "member", _("Member")
        COORDINATOR = "coordinator", _("Coordinator")

    group = models.ForeignKey(ExpertGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=GroupRole.choices, default=GroupRole.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="membership_unique_group_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.get_role_display()})"
