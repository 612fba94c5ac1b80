# SCIM provisioning (issue 22): the person's externalId and the SCIM clients (bearer
# tokens, stored hashed). Written by hand: others change people/models.py at the same time.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0007_path_guide")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="external_id",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="The identity provider's or HR system's id for this person (SCIM).",
                max_length=255,
                verbose_name="external id",
            ),
        ),
        migrations.CreateModel(
            name="ScimClient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True)),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "SCIM client", "ordering": ["name"]},
        ),
    ]
