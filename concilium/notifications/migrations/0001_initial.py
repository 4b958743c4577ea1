# The notification outbox moved from the helpdesk app to its own app; its table keeps its name.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("helpdesk", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('email', 'Email'), ('in_app', 'In-app')], max_length=10)),
                        ('kind', models.CharField(max_length=60)),
                        ('language', models.CharField(max_length=8)),
                        ('subject', models.CharField(max_length=200)),
                        ('body', models.TextField()),
                        ('link', models.CharField(blank=True, max_length=300)),
                        ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sending', 'Being sent'), ('sent', 'Sent'), ('failed', 'Failed')], db_index=True, default='pending', max_length=10)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('next_attempt_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.CharField(blank=True, max_length=300)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'helpdesk_notification',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['recipient', 'channel', 'read_at'], name='notification_inbox')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
