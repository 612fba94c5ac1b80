# SCIM DELETE (RFC 7644 §3.6): when a SCIM client deleted the person, who then answers
# 404 to SCIM until re-provisioned. Written by hand: others change people/models.py at
# the same time.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0008_scim")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="scim_deleted_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When a SCIM client deleted this person (deactivated, history kept).",
                null=True,
                verbose_name="deleted by SCIM at",
            ),
        ),
    ]
