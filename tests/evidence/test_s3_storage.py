"""Evidence on S3-compatible storage, as in production (django-storages against moto's S3).

The upload streams to a private object under a random name, the download goes through the
permission check and streams the object back, and an object lost by the storage is a 404 with
the reason, as on local disk.
"""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.conf import settings
from django.test import override_settings
from moto import mock_aws

from evidence.models import EvidenceFile
from tests.evidence import samples
from tests.evidence.support import file_url, upload, upload_url
from tests.world import World

pytestmark = pytest.mark.django_db

BUCKET = "rescue-evidence-test"


@pytest.fixture
def s3() -> Iterator[Any]:
    """The production storage options (rescue/settings/production.py) on a mocked bucket."""
    options = {
        "bucket_name": BUCKET,
        "access_key": "test",
        "secret_key": "test",
        "region_name": "eu-west-1",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    storages = settings.STORAGES | {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    }
    with mock_aws(), override_settings(STORAGES=storages):
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        yield client


def store_through_the_page(world: World) -> tuple[EvidenceFile, bytes]:
    content = samples.csv_bytes()
    response = world.client("coordinator_a").post(
        upload_url(world),
        {
            "standards": [world.standard.code],
            "files": [upload("Indicators 2025.csv", content)],
            "confirmed_no_personal_data": "on",
        },
    )
    assert response.status_code == 302
    evidence = EvidenceFile.unscoped.select_related("current_revision").latest("pk")
    return evidence, content


def test_an_upload_is_a_private_object_under_a_random_name(world: World, s3: Any) -> None:
    evidence, content = store_through_the_page(world)
    key = evidence.current_revision.file.name

    [stored] = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert stored["Key"] == key
    assert key.startswith(f"evidence/{world.institution_a.pk}/{world.audit_a.pk}/")
    assert "Indicators" not in key
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == content
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only
    assert all("AllUsers" not in str(g["Grantee"]) for g in grants)


def test_the_download_streams_the_object_after_the_permission_check(world: World, s3: Any) -> None:
    evidence, content = store_through_the_page(world)
    url = file_url("evidence_download", world, evidence)

    response = world.client("coordinator_a").get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == 'attachment; filename="Indicators 2025.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert world.client("coordinator_b").get(url).status_code == 404


def test_an_object_lost_by_the_storage_is_a_404_with_the_reason(world: World, s3: Any) -> None:
    evidence, _ = store_through_the_page(world)
    s3.delete_object(Bucket=BUCKET, Key=evidence.current_revision.file.name)

    response = world.client("coordinator_a").get(file_url("evidence_download", world, evidence))

    assert response.status_code == 404
    assert "The stored file is missing" in response.content.decode()
