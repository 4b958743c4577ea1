from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0005_listed_filter_indexes'),
        ('patients', '0004_fill_patient_search_text'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='patient',
            name='patient_hospital_recent',
        ),
        migrations.AddIndex(
            model_name='patient',
            index=models.Index(fields=['hospital', '-enrolled_at', '-id', 'has_care_consent', 'diagnosis_code', 'search_text'], name='patient_hospital_recent'),
        ),
    ]
