"""A platform-sized dataset on a throw-away PostgreSQL database, built by bulk inserts.

At ``--scale 1`` (the default) it is the platform of every European institution that runs
second-victim support, over a certification cycle:

- 1,000 institutions in ten countries and three settings, each with a coordinator and a
  contributor; 100 auditors; one ERNST admin;
- 5,000 audits, five per institution: an Intervention and a Training audit closed (the last
  cycle), one of each decided (the certificates in force), and one open audit at every stage
  from draft to final report; about 120,000 self-assessments (the shipped catalogue's standards
  that apply to each audit's setting and level);
- about 1,000,000 evidence files (200 a dossier; the first institution's open dossier has 1,943,
  81 of them on one standard) with 1,085,000 revisions and 1,130,000 links to standards;
- 50,000 history events, 60 % of them about a standard;
- the review of every audit past submission: a lead and a second auditor with their grants,
  ratings of every standard (half of them while in review), consolidated ratings, a minor
  nonconformity in one audit in five, the report (released, final) and the decision;
- 3,000 certificates: the decided audits' (most active; some suspended, withdrawn or on
  conditions), older ones expired or superseded, and 200 supporters' competences certificates;
- 500 peer supporters (one in each of the first 500 institutions), each with an application
  for the certification of their competences: draft, submitted, in review, or decided and
  certified (three in four of those listed in the public register).

The big tables are written with PostgreSQL's COPY, the rest with ``bulk_create``; nothing goes
through the services (no events, no files on disk: a revision names a storage key that is never
read by a page). ``--scale 0.1`` builds a tenth of it. It prints what it made and how long each
part took. The database must be named ``bench…``: it is dropped and created.

    .venv/bin/python bench/seed_scale.py                       # bench_scale, scale 1
    .venv/bin/python bench/seed_scale.py --scale 0.1
    .venv/bin/python bench/seed_scale.py --database-url postgres://postgres@127.0.0.1:5432/bench_x

Accounts (no password; the benchmarks sign in with ``force_login``): ``admin@bench.example``,
``coord00000@bench.example`` and ``contrib00000@bench.example`` (the large dossier's
institution), ``auditor000@bench.example``, ``peer00000@bench.example``.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lists import ROOT, reset_database, setup_django

COUNTRIES = ["ES", "PT", "NL", "DE", "AT", "BE", "FR", "IT", "PL", "SE"]
NAMES = {
    "ES": "Hospital",
    "PT": "Centro Hospitalar",
    "NL": "Ziekenhuis",
    "DE": "Klinikum",
    "AT": "Landeskrankenhaus",
    "BE": "Zorgcentrum",
    "FR": "Centre hospitalier",
    "IT": "Ospedale",
    "PL": "Szpital",
    "SE": "Sjukhus",
}
SETTINGS = ("hospital", "primary_care", "nursing_home")
LEVELS = ("design", "execution", "comprehensive")
OPEN_STAGES = (
    "draft",
    "draft",
    "submitted",
    "in_review",
    "in_review",
    "review_complete",
    "draft_released",
    "final_report",
)
AFTER_SUBMISSION = {
    "submitted",
    "in_review",
    "review_complete",
    "draft_released",
    "final_report",
    "decided",
    "closed",
}
RATED = {"review_complete", "draft_released", "final_report", "decided", "closed"}
LARGE_DOSSIER_FILES = 1943
LARGE_STANDARD_FILES = 81
FILES_PER_AUDIT = 200
NOW = datetime.now(tz=UTC).replace(microsecond=0)
TODAY = NOW.date()


class Clock:
    """What was made, and how long each part took."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.lines: list[str] = []

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        line = f"{what:70} {now - self.last:6.1f} s"
        self.lines.append(line)
        print(line, flush=True)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.start


def copy_rows(model: Any, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Write rows into the model's table with COPY; the number written."""
    from django.db import connection  # noqa: PLC0415

    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def sequences_reset(*models: Any) -> None:
    """Set each table's id sequence past the ids written explicitly."""
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            last = f"COALESCE((SELECT MAX(id) FROM {table}), 1)"  # noqa: S608 - a model's table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})")


def sealed_at(audit: Any) -> datetime:
    """When an audit past submission was submitted."""
    assert audit.submitted_at is not None  # noqa: S101 - only asked of submitted audits
    return audit.submitted_at


def creator(audit: Any) -> Any:
    """Who started the audit (every audit here has its creator)."""
    assert audit.created_by is not None  # noqa: S101 - set on every audit built here
    return audit.created_by


def restore(model: Any, rows: list[Any], field: str, values: list[Any]) -> None:
    """Put back the times an ``auto_now_add`` field overwrote on ``bulk_create``."""
    for row, value in zip(rows, values, strict=True):
        setattr(row, field, value)
    model.unscoped.bulk_update(rows, [field], batch_size=2000)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class Platform:
    """The builder: every part adds its rows and remembers what the next parts need."""

    def __init__(self, scale: float, seed: int = 2026) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.clock = Clock()
        self.institutions = max(int(1000 * scale), 2)
        self.auditors = max(int(100 * scale), 4)
        self.supporters = max(int(500 * scale), 5)
        self.counts: dict[str, int] = {}

    # --- people and institutions ---------------------------------------------------------

    def people(self) -> None:
        from django.contrib.auth.hashers import make_password  # noqa: PLC0415

        from accounts.models import User  # noqa: PLC0415
        from accounts.roles import AUDITORS, ERNST_ADMINS  # noqa: PLC0415
        from accounts.services import platform_groups_ensure  # noqa: PLC0415
        from auditors.models import AuditorProfile  # noqa: PLC0415
        from institutions.models import Institution, Membership  # noqa: PLC0415

        unusable = make_password(None)
        self.institution_rows = Institution.objects.bulk_create(
            Institution(
                name=f"{NAMES[COUNTRIES[n % 10]]} {n:05d}",
                country=COUNTRIES[n % 10],
                setting=SETTINGS[n % 3],
                contact_email=f"contact{n:05d}@bench.example",
                preferred_language="en",
            )
            for n in range(self.institutions)
        )

        def user(email: str, first: str, last: str) -> User:
            return User(email=email, first_name=first, last_name=last, password=unusable)

        rows = [user("admin@bench.example", "Erna", "Admin")]
        rows += [user(f"coord{n:05d}@bench.example", "Coordinator", f"{n:05d}") for n in self._i()]
        rows += [
            user(f"contrib{n:05d}@bench.example", "Contributor", f"{n:05d}") for n in self._i()
        ]
        rows += [user(f"auditor{n:03d}@bench.example", "Auditor", f"{n:03d}") for n in self._a()]
        rows += [
            user(f"peer{n:05d}@bench.example", "Supporter", f"{n:05d}")
            for n in range(self.supporters)
        ]
        created = User.objects.bulk_create(rows, batch_size=2000)
        self.admin = created[0]
        n_i, n_a = self.institutions, self.auditors
        self.coordinators = created[1 : 1 + n_i]
        self.contributors = created[1 + n_i : 1 + 2 * n_i]
        self.auditor_rows = created[1 + 2 * n_i : 1 + 2 * n_i + n_a]
        self.peers = created[1 + 2 * n_i + n_a :]
        groups = platform_groups_ensure()
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=self.admin.pk, group_id=groups[ERNST_ADMINS].pk)]
            + [through(user_id=a.pk, group_id=groups[AUDITORS].pk) for a in self.auditor_rows]
        )
        AuditorProfile.objects.bulk_create(
            AuditorProfile(
                user=a,
                countries=",".join(COUNTRIES[n % 8 : n % 8 + 3]),
                languages=["en", "es"] if n % 2 else ["en", "de"],
                components=["intervention", "training", "competences"],
            )
            for n, a in enumerate(self.auditor_rows)
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, institution=i, role=Membership.Role.COORDINATOR)
                for u, i in zip(self.coordinators, self.institution_rows, strict=True)
            ]
            + [
                Membership(user=u, institution=i, role=Membership.Role.CONTRIBUTOR)
                for u, i in zip(self.contributors, self.institution_rows, strict=True)
            ]
            + [
                Membership(user=u, institution=i, role=Membership.Role.PEER_SUPPORTER)
                for u, i in zip(self.peers, self.institution_rows, strict=False)
            ],
            batch_size=5000,
        )
        self.counts["institutions"] = len(self.institution_rows)
        self.counts["users"] = len(created)
        self.clock.lap(
            f"{len(self.institution_rows):,} institutions, {len(created):,} users "
            f"({n_a} auditors, {len(self.peers)} peer supporters), memberships"
        )

    def _i(self) -> range:
        return range(self.institutions)

    def _a(self) -> range:
        return range(self.auditors)

    # --- audits and self-assessments ---------------------------------------------------------

    def audits(self) -> None:
        from audits.models import Audit, StandardAssessment  # noqa: PLC0415
        from audits.services.applications import applicable_standards  # noqa: PLC0415
        from standards.models import CatalogueVersion  # noqa: PLC0415

        self.versions = {v.component: v for v in CatalogueVersion.objects.filter(status="active")}
        cache: dict[tuple[str, str, str], list[Any]] = {}

        def standards_for(component: str, setting: str, level: str) -> list[Any]:
            key = (component, setting, level)
            if key not in cache:
                cache[key] = applicable_standards(
                    version=self.versions[component], setting=setting, target_level=level
                )
            return cache[key]

        rows: list[Audit] = []
        for n, institution in enumerate(self.institution_rows):
            coordinator = self.coordinators[n]
            open_component = "intervention" if n % 2 == 0 else "training"
            slots = [
                ("intervention", "closed", 6 * 365),
                ("training", "closed", 6 * 365 - 40),
                ("intervention", "decided", 400 + n % 300),
                ("training", "decided", 380 + n % 300),
                (open_component, OPEN_STAGES[n % len(OPEN_STAGES)], 60 + n % 90),
            ]
            if n == 0:  # the large dossier: the first institution's open Intervention audit
                slots[4] = ("intervention", "draft", 200)
            for component, status, age in slots:
                level = (
                    ("comprehensive" if n == 0 else LEVELS[(n + age) % 3])
                    if component == "intervention"
                    else ""
                )
                created = NOW - timedelta(days=age)
                submitted = created + timedelta(days=30) if status in AFTER_SUBMISSION else None
                rows.append(
                    Audit(
                        institution=institution,
                        catalogue_version=self.versions[component],
                        component=component,
                        setting=institution.setting,
                        target_level=level,
                        status=status,
                        created_by=coordinator,
                        created_at=created,
                        submitted_at=submitted,
                        submitted_by=coordinator if submitted else None,
                        manifest_digest=f"{n:064x}" if submitted else "",
                    )
                )
        # The supporters' applications: decided and certified, in review, submitted, draft.
        stages = ("decided", "decided", "in_review", "submitted", "draft")
        for n, peer in enumerate(self.peers):
            institution = self.institution_rows[n % len(self.institution_rows)]
            status = stages[n % 5]
            created = NOW - timedelta(days=300 if status == "decided" else 40)
            submitted = created + timedelta(days=20) if status != "draft" else None
            rows.append(
                Audit(
                    institution=institution,
                    catalogue_version=self.versions["competences"],
                    component="competences",
                    setting=institution.setting,
                    target_level="",
                    status=status,
                    applicant=peer,
                    created_by=peer,
                    created_at=created,
                    endorsed_by=self.coordinators[n % len(self.coordinators)],
                    endorsed_by_email=self.coordinators[n % len(self.coordinators)].email,
                    endorsed_at=created + timedelta(days=5),
                    submitted_at=submitted,
                    submitted_by=peer if submitted else None,
                    manifest_digest=f"{n:064x}" if submitted else "",
                )
            )
        ages = [row.created_at for row in rows]
        self.audit_rows = Audit.unscoped.bulk_create(rows, batch_size=2000)
        restore(Audit, self.audit_rows, "created_at", ages)
        self.assessments: dict[int, list[tuple[int, Any]]] = {}
        rating_cycle = itertools.cycle(["met"] * 8 + ["partially_met", "not_met"])
        assessment_rows = []
        for audit in self.audit_rows:
            for standard in standards_for(audit.component, audit.setting, audit.target_level):
                rated = audit.status != "draft" or self.rng.random() < 0.6
                assessment_rows.append(
                    StandardAssessment(
                        institution_id=audit.institution_id,
                        audit_id=audit.pk,
                        standard=standard,
                        self_rating=next(rating_cycle) if rated else "",
                        narrative=f"How {standard.code} is done here." if rated else "",
                        updated_by=audit.created_by,
                    )
                )
        created_assessments = StandardAssessment.unscoped.bulk_create(
            assessment_rows, batch_size=5000
        )
        for row in created_assessments:
            self.assessments.setdefault(row.audit_id, []).append((row.pk, row.standard))
        institution_audits = sum(1 for a in self.audit_rows if a.applicant_id is None)
        self.counts["audits"] = institution_audits
        self.counts["applications"] = len(self.audit_rows) - institution_audits
        self.counts["assessments"] = len(created_assessments)
        self.clock.lap(
            f"{institution_audits:,} audits and {self.counts['applications']:,} applications, "
            f"{len(created_assessments):,} self-assessments"
        )

    # --- evidence ---------------------------------------------------------------------------

    def evidence(self) -> None:
        from evidence.models import EvidenceFile, EvidenceLink, EvidenceRevision  # noqa: PLC0415

        large = self.audit_rows[4]  # the first institution's open Intervention audit
        files: list[tuple[Any, ...]] = []
        revisions: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        file_id = revision_id = link_id = 0
        for audit in self.audit_rows:
            assessments = self.assessments[audit.pk]
            if audit.applicant_id is not None:
                count = 3
            elif audit.pk == large.pk:
                count = LARGE_DOSSIER_FILES
            else:
                count = max(int(self.rng.gauss(FILES_PER_AUDIT, 40)), 20)
            uploader = creator(audit)
            sealed = audit.submitted_at is not None
            for k in range(count):
                file_id += 1
                created = audit.created_at + timedelta(minutes=k)
                if audit.pk != large.pk:
                    first = assessments[k % len(assessments)][0]
                elif k < LARGE_STANDARD_FILES:
                    first = assessments[0][0]  # the standard of 81 files
                else:  # the others share the rest
                    first = assessments[1 + k % (len(assessments) - 1)][0]
                versions = 2 if self.rng.random() < 0.085 else 1
                for number in range(1, versions + 1):
                    revision_id += 1
                    revisions.append(
                        (
                            revision_id,
                            audit.institution_id,
                            file_id,
                            number,
                            f"evidence/{audit.institution_id}/{audit.pk}/{revision_id}.pdf",
                            f"evidence-{k + 1:04d}-v{number}.pdf",
                            20_000 + (revision_id * 7919) % 2_000_000,
                            f"{revision_id:064x}",
                            "application/pdf",
                            "pdf",
                            uploader.pk,
                            uploader.email,
                            created + timedelta(hours=number - 1),
                            True,
                            "[]",
                        )
                    )
                files.append(
                    (
                        file_id,
                        audit.institution_id,
                        audit.pk,
                        revision_id,
                        (created - timedelta(days=30)).date(),
                        uploader.pk,
                        created,
                        k + 1 if sealed else None,
                    )
                )
                linked = [first]
                if self.rng.random() < 0.13 and len(assessments) > 1:
                    other = assessments[(k + 1) % len(assessments)][0]
                    if other != first:
                        linked.append(other)
                for assessment_id in linked:
                    link_id += 1
                    links.append(
                        (
                            link_id,
                            audit.institution_id,
                            file_id,
                            assessment_id,
                            uploader.pk,
                            created,
                        )
                    )
        # The files first, without their current revision (the revisions point at them).
        copy_rows(
            EvidenceFile,
            [
                "id",
                "institution_id",
                "audit_id",
                "effective_date",
                "created_by_id",
                "created_at",
                "number",
            ],
            ((f[0], f[1], f[2], f[4], f[5], f[6], f[7]) for f in files),
        )
        copy_rows(
            EvidenceRevision,
            [
                "id",
                "institution_id",
                "evidence_id",
                "number",
                "file",
                "original_name",
                "size",
                "sha256",
                "mime_type",
                "kind",
                "uploaded_by_id",
                "uploaded_by_email",
                "uploaded_at",
                "confirmed_no_personal_data",
                "personal_data_findings",
            ],
            revisions,
        )
        self._current_revisions(EvidenceFile, ((f[0], f[3]) for f in files))
        copy_rows(
            EvidenceLink,
            ["id", "institution_id", "evidence_id", "assessment_id", "linked_by_id", "linked_at"],
            links,
        )
        sequences_reset(EvidenceFile, EvidenceRevision, EvidenceLink)
        self.counts |= {"files": len(files), "revisions": len(revisions), "links": len(links)}
        self.large = large
        self.clock.lap(
            f"{len(files):,} evidence files, {len(revisions):,} revisions, {len(links):,} links "
            f"(the large dossier: {LARGE_DOSSIER_FILES:,} files)"
        )

    @staticmethod
    def _current_revisions(model: Any, pairs: Iterator[tuple[int, int]]) -> None:
        """Point each file at its latest revision: a temporary table, one UPDATE."""
        from django.db import connection  # noqa: PLC0415

        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE current_revision (id int, revision int)")
            with cursor.cursor.copy("COPY current_revision (id, revision) FROM STDIN") as copy:
                for pair in pairs:
                    copy.write_row(pair)
            table = model._meta.db_table
            cursor.execute(
                f"UPDATE {table} f SET current_revision_id = c.revision "  # noqa: S608 - a model's
                "FROM current_revision c WHERE f.id = c.id"
            )
            cursor.execute("DROP TABLE current_revision")

    # --- history ----------------------------------------------------------------------------

    def history(self) -> None:
        from audits.models import AuditEvent  # noqa: PLC0415

        target = int(50_000 * self.scale)
        audits = [a for a in self.audit_rows if a.applicant_id is None]
        events, links = [], []
        actions = ("self_rated", "uploaded", "linked", "replaced", "assignees_changed")
        for n in range(target):
            audit = audits[n % len(audits)]
            event_id = n + 1
            about = n % 5 < 3  # 60 % are about a standard
            assessments = self.assessments[audit.pk]
            assessment_id, standard = assessments[n % len(assessments)]
            events.append(
                (
                    event_id,
                    audit.institution_id,
                    audit.pk,
                    f"Audit {audit.pk}",
                    creator(audit).pk,
                    creator(audit).email,
                    actions[n % 5] if about else "created",
                    standard.code if about else "",
                    "{}",
                    False,
                    audit.created_at + timedelta(hours=n % 500),
                )
            )
            if about:
                links.append((event_id, assessment_id))
        copy_rows(
            AuditEvent,
            [
                "id",
                "institution_id",
                "audit_id",
                "audit_label",
                "actor_id",
                "actor_email",
                "action",
                "object_label",
                "details",
                "review_only",
                "created_at",
            ],
            events,
        )
        through = AuditEvent.assessments.through
        copy_rows(through, ["auditevent_id", "standardassessment_id"], links)
        sequences_reset(AuditEvent)
        self.counts |= {"events": len(events), "event links": len(links)}
        self.clock.lap(f"{len(events):,} history events, {len(links):,} about a standard")

    # --- review, decision, certificates -----------------------------------------------------

    def reviews(self) -> None:
        from django.contrib.auth.models import Permission  # noqa: PLC0415

        from audits.models import AuditUserObjectPermission  # noqa: PLC0415
        from reviews.models import (  # noqa: PLC0415
            AuditorAssignment,
            AuditorRating,
            ConsolidatedRating,
            Finding,
            ReviewReport,
        )

        permission = Permission.objects.get(
            codename="review_audit", content_type__app_label="audits"
        )
        reviewed = [a for a in self.audit_rows if a.status in AFTER_SUBMISSION - {"submitted"}]
        places, grants = [], []
        for n, audit in enumerate(reviewed):
            lead = self.auditor_rows[(n * 7) % self.auditors]
            second = self.auditor_rows[(n * 7 + 13) % self.auditors]
            if second == lead:
                second = self.auditor_rows[(n * 7 + 1) % self.auditors]
            done = audit.status in RATED
            for auditor, role in ((lead, "lead"), (second, "second")):
                places.append(
                    AuditorAssignment(
                        institution_id=audit.institution_id,
                        audit=audit,
                        auditor=auditor,
                        auditor_email=auditor.email,
                        role=role,
                        state="accepted",
                        due_on=(sealed_at(audit) + timedelta(days=45)).date(),
                        assigned_by=self.admin,
                        answered_at=sealed_at(audit) + timedelta(days=2),
                        completed_at=sealed_at(audit) + timedelta(days=30) if done else None,
                    )
                )
                grants.append(
                    AuditUserObjectPermission(
                        permission=permission, user=auditor, content_object=audit
                    )
                )
        places = AuditorAssignment.unscoped.bulk_create(places, batch_size=5000)
        AuditUserObjectPermission.objects.bulk_create(grants, batch_size=5000)
        ratings, consolidated, findings, reports = [], [], [], []
        rating_id = consolidated_id = 0
        for n, audit in enumerate(reviewed):
            lead_place, second_place = places[2 * n], places[2 * n + 1]
            done = audit.status in RATED
            assessments = self.assessments[audit.pk]
            short = n % 5 == 0 and audit.applicant_id is None
            for k, (assessment_id, _standard) in enumerate(assessments):
                partial = short and k == 2
                rating = "partially_met" if partial else "met"
                rationale = "The rota covers days only." if partial else ""
                for place in (lead_place, second_place):
                    if not done and (place is second_place or k % 2):
                        continue
                    rating_id += 1
                    ratings.append(
                        (
                            rating_id,
                            audit.institution_id,
                            audit.pk,
                            place.pk,
                            assessment_id,
                            rating,
                            rationale,
                            "",
                            1,
                            sealed_at(audit) + timedelta(days=10 + k),
                        )
                    )
                if done:
                    consolidated_id += 1
                    consolidated.append(
                        (
                            consolidated_id,
                            audit.institution_id,
                            audit.pk,
                            assessment_id,
                            rating,
                            rationale,
                            "agreed",
                            "",
                            lead_place.auditor_email,
                            lead_place.auditor_id,
                            1,
                            sealed_at(audit) + timedelta(days=31),
                        )
                    )
                if done and partial:
                    findings.append(
                        Finding(
                            institution_id=audit.institution_id,
                            audit=audit,
                            assessment_id=assessment_id,
                            kind="nonconformity",
                            grade="minor",
                            statement="The support rota covers days only.",
                            graded_by_id=lead_place.auditor_id,
                            graded_by_email=lead_place.auditor_email,
                            graded_at=sealed_at(audit) + timedelta(days=32),
                        )
                    )
            if audit.status in {"draft_released", "final_report", "decided", "closed"}:
                final = audit.status != "draft_released"
                released = sealed_at(audit) + timedelta(days=35)
                reports.append(
                    ReviewReport(
                        institution_id=audit.institution_id,
                        audit=audit,
                        stage="final" if final else "released",
                        recommendation="conditions" if short else "certify",
                        recommended_level=audit.target_level,
                        recommendation_reason="Every standard met but one.",
                        recommended_by_email=lead_place.auditor_email,
                        recommended_at=released,
                        released_at=released,
                        released_by_email=lead_place.auditor_email,
                        reply_until=released + timedelta(days=30),
                        replies_done_at=released + timedelta(days=20) if final else None,
                        finalised_at=released + timedelta(days=25) if final else None,
                        finalised_by_email=lead_place.auditor_email if final else "",
                    )
                )
        copy_rows(
            AuditorRating,
            [
                "id",
                "institution_id",
                "audit_id",
                "assignment_id",
                "assessment_id",
                "rating",
                "rationale",
                "notes",
                "version",
                "updated_at",
            ],
            ratings,
        )
        copy_rows(
            ConsolidatedRating,
            [
                "id",
                "institution_id",
                "audit_id",
                "assessment_id",
                "rating",
                "rationale",
                "source",
                "reason",
                "decided_by_email",
                "decided_by_id",
                "version",
                "updated_at",
            ],
            consolidated,
        )
        sequences_reset(AuditorRating, ConsolidatedRating)
        Finding.unscoped.bulk_create(findings, batch_size=5000)
        ReviewReport.unscoped.bulk_create(reports, batch_size=5000)
        self.counts |= {
            "review places": len(places),
            "ratings": len(ratings),
            "consolidated ratings": len(consolidated),
            "findings": len(findings),
            "reports": len(reports),
        }
        self.clock.lap(
            f"{len(places):,} review places and grants, {len(ratings):,} ratings, "
            f"{len(consolidated):,} consolidated, {len(findings):,} findings, "
            f"{len(reports):,} reports"
        )

    def certificates(self) -> None:
        from certification.models import (  # noqa: PLC0415
            SCHEME_CODES,
            Certificate,
            CertificateSequence,
            Decision,
            Scheme,
        )

        decided = [a for a in self.audit_rows if a.status in ("decided", "closed")]
        days = [sealed_at(audit) + timedelta(days=70) for audit in decided]
        decisions = Decision.unscoped.bulk_create(
            [
                Decision(
                    institution_id=audit.institution_id,
                    audit=audit,
                    outcome="certify",
                    level=audit.target_level,
                    reason="Every standard met, with evidence for each.",
                    proposed_outcome="certify",
                    proposed_level=audit.target_level,
                    proposal="Certify.",
                    decided_by=self.admin,
                    decided_by_email=self.admin.email,
                )
                for audit in decided
            ],
            batch_size=5000,
        )
        restore(Decision, decisions, "decided_at", days)
        sequences: dict[str, int] = {}
        rows: list[Certificate] = []
        kinds: list[str] = []
        closed_with_certificate = int(800 * self.scale)
        closed_seen = 0
        for audit, decision in zip(decided, decisions, strict=True):
            if audit.status == "closed":
                closed_seen += 1
                if closed_seen > closed_with_certificate:
                    continue
                kind = "expired" if closed_seen % 2 else "superseded"
            elif audit.applicant_id is not None:
                kind = "competences"
            else:
                roll = self.rng.random()
                kind = (
                    "active"
                    if roll < 0.85
                    else "suspended"
                    if roll < 0.93
                    else "withdrawn"
                    if roll < 0.97
                    else "conditions"
                )
            issued = decision.decided_at.date()
            expires = issued + timedelta(days=5 * 365)
            status = {"conditions": "active", "competences": "active"}.get(kind, kind)
            scheme = Scheme(audit.component)
            prefix = f"{SCHEME_CODES[scheme]}-{issued.year}"
            sequences[prefix] = sequences.get(prefix, 0) + 1
            holder = audit.applicant
            rows.append(
                Certificate(
                    institution_id=audit.institution_id,
                    number=f"RESCUE-{prefix}-{sequences[prefix]:06d}",
                    scheme=scheme,
                    holder=holder,
                    holder_name=str(holder) if holder else "",
                    register_consent_at=decision.decided_at
                    if holder is not None and len(rows) % 4
                    else None,
                    audit=audit,
                    decision=decision,
                    level=audit.target_level,
                    setting=audit.setting,
                    catalogue_version_id=audit.catalogue_version_id,
                    issued_on=issued,
                    expires_on=expires,
                    status=status,
                    status_since=at(issued if status in ("active", "expired") else TODAY),
                    conditions_due_on=TODAY + timedelta(days=60) if kind == "conditions" else None,
                )
            )
            kinds.append(kind)
        rows = Certificate.unscoped.bulk_create(rows, batch_size=2000)
        in_force = [r for r in rows if r.status == "active" and r.holder_id is None]
        superseded = [r for r in rows if r.status == "superseded"]
        for row in superseded:
            row.superseded_by_id = self.rng.choice(in_force).pk
        Certificate.unscoped.bulk_update(superseded, ["superseded_by"], batch_size=2000)
        CertificateSequence.objects.bulk_create(
            CertificateSequence(prefix=prefix, last=last) for prefix, last in sequences.items()
        )
        self.counts |= {"decisions": len(decisions), "certificates": len(rows)}
        summary = ", ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds)))
        self.clock.lap(f"{len(decisions):,} decisions, {len(rows):,} certificates ({summary})")

    def analyse(self) -> None:
        from django.db import connection  # noqa: PLC0415

        # VACUUM as well as ANALYZE: what autovacuum does to a platform's tables in time. Until it
        # has, the GIN indexes keep the bulk-loaded rows in their pending lists, which PostgreSQL
        # counts against them (the register's search read every certificate instead), and the
        # visibility map is empty; a run right after the build would depend on whether
        # autovacuum had reached the table yet.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            (size,) = cursor.fetchone()
        self.clock.lap(f"VACUUM (ANALYZE) (the database: {size})")


def build(scale: float, steps: list[Callable[[Platform], None]] | None = None) -> Platform:
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import transaction  # noqa: PLC0415

    platform = Platform(scale)
    call_command("migrate", verbosity=0)
    call_command("load_catalogue", str(ROOT / "fixtures" / "catalogue"), verbosity=0)
    platform.clock.lap("migrate, the standards catalogue")
    with transaction.atomic():
        for step in steps or [
            Platform.people,
            Platform.audits,
            Platform.evidence,
            Platform.history,
            Platform.reviews,
            Platform.certificates,
        ]:
            step(platform)
    platform.analyse()
    return platform


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_scale")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    setup_django(args.database_url)
    reset_database(args.database_url)
    platform = build(args.scale)
    made = ", ".join(f"{value:,} {key}" for key, value in platform.counts.items())
    print(f"\nscale {args.scale:g}: {made}")
    print(f"built in {platform.clock.total():.0f} s on {args.database_url.rsplit('/', 1)[1]}")


if __name__ == "__main__":
    main()
