"""Data migration: accounts that never signed in lose the "en" they got by default, so that their first
sign-in takes the browser's language (a language chosen later is never touched by this)."""

from django.db import migrations


def forget_default_language(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(last_login__isnull=True, language="en").update(language="")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_language_unchosen_by_default")]

    operations = [migrations.RunPython(forget_default_language, migrations.RunPython.noop)]
