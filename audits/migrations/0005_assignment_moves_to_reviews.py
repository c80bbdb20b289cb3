from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0004_event_dated"),
        ("reviews", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditorAssignment")],
            database_operations=[],
        ),
    ]
