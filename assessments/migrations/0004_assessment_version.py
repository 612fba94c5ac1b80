from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_growth_plan"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="version",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="assessment",
            name="editor",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
