"""What the directory does when its rows change: the dashboard's cached figures are dropped."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from concilium.directory.models import Clinician, Hospital, Network
from concilium.directory.services import directory_overview_changed


@receiver(post_save, sender=Clinician, dispatch_uid="directory_overview_clinician_saved")
@receiver(post_delete, sender=Clinician, dispatch_uid="directory_overview_clinician_deleted")
@receiver(post_save, sender=Hospital, dispatch_uid="directory_overview_hospital_saved")
@receiver(post_delete, sender=Hospital, dispatch_uid="directory_overview_hospital_deleted")
@receiver(post_save, sender=Network, dispatch_uid="directory_overview_network_saved")
@receiver(post_delete, sender=Network, dispatch_uid="directory_overview_network_deleted")
def forget_directory_overview(**kwargs: Any) -> None:
    directory_overview_changed()
