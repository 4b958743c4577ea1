"""Fill the search text of the patients enrolled before it existed (the model derives it on every save)."""

from django.db import migrations

BATCH = 2000


def fill(apps, schema_editor):
    from concilium.patients.models import patient_search_text

    Patient = apps.get_model("patients", "Patient")
    rows = Patient.objects.order_by("pk").only("pk", "pseudonym", "diagnosis")
    batch = []
    for patient in rows.iterator(chunk_size=BATCH):
        patient.search_text = patient_search_text(pseudonym=patient.pseudonym, diagnosis=patient.diagnosis)
        batch.append(patient)
        if len(batch) == BATCH:
            Patient.objects.bulk_update(batch, ["search_text"])
            batch = []
    Patient.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0003_patient_search_text'),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
