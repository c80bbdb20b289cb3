"""The public register's search (``RegisterFilter.search``) read from trigram indexes on
PostgreSQL: the certificate's holder name and number, and the institution's name."""

from django.db import migrations

from rescue.migration_operations import TrigramExtension, TrigramIndex


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0004_certificate_holder_and_consent"),
        ("institutions", "0003_membership_peer_supporter"),
    ]

    operations = [
        TrigramExtension(),  # nothing on a database other than PostgreSQL
        TrigramIndex(
            name="certificate_holder_name_trgm",
            table="certification_certificate",
            column="holder_name",
        ),
        TrigramIndex(
            name="certificate_number_trgm", table="certification_certificate", column="number"
        ),
        TrigramIndex(
            name="institution_name_trgm", table="institutions_institution", column="name"
        ),
    ]
