"""Every URL of the project, for every role, answers as declared here.

The resolver is walked: a URL pattern that is not in ``MATRIX`` (or covered by the admin rule)
fails the suite, so every new page or endpoint must declare who reaches it. Object URLs point at
institution A's objects; whoever is outside A's reach gets 404, never 403 or 200.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.world import ROLES, World

ANON, COORD_A, CONTRIB_A, COORD_B, AUD_IN, AUD_OUT, ADMIN, PEER_A = ROLES
SIGNED_IN = (COORD_A, CONTRIB_A, COORD_B, AUD_IN, AUD_OUT, ADMIN, PEER_A)


def everyone(status: int, anonymous: int) -> dict[str, int]:
    return {ANON: anonymous} | dict.fromkeys(SIGNED_IN, status)


def only(allowed: dict[str, int], *, anonymous: int = 302, others: int = 404) -> dict[str, int]:
    return {ANON: anonymous} | dict.fromkeys(SIGNED_IN, others) | allowed


@dataclass(frozen=True)
class Access:
    expect: dict[str, int]
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    query: dict[str, str] = field(default_factory=dict)
    # A destructive action's URL answers GET with its confirmation page (rescue/confirm.py).
    confirm: dict[str, int] | None = None


A_MEMBERS_AND_ADMIN = {COORD_A: 200, CONTRIB_A: 200, ADMIN: 200}
A_AUDIT_READERS = {COORD_A: 200, CONTRIB_A: 200, AUD_IN: 200, ADMIN: 200}
inst_a = lambda w: {"institution_id": w.institution_a.pk}  # noqa: E731
audit_a = lambda w: {"audit_id": w.audit_a.pk}  # noqa: E731
api_inst_a = lambda w: {"pk": w.institution_a.pk}  # noqa: E731
api_audit_a = lambda w: {"pk": w.audit_a.pk}  # noqa: E731
standard_a = lambda w: {"audit_id": w.audit_a.pk, "code": w.standard.code}  # noqa: E731
evidence_a = lambda w: {"audit_id": w.audit_a.pk, "evidence_id": w.evidence_a.pk}  # noqa: E731
report_a = lambda w: {"audit_id": w.audit_a.pk, "report_id": w.report_a.pk}  # noqa: E731
decided_a = lambda w: {"audit_id": w.decided_a.pk}  # noqa: E731
appeal_a = lambda w: {"appeal_id": w.appeal_a.pk}  # noqa: E731
application_a = lambda w: {"audit_id": w.application_a.pk}  # noqa: E731
# A's peer supporter's application is theirs: they, A's coordinators (its stage and outcome) and
# the admins follow it; nobody else of A, and nobody outside, knows of it (404).
APPLICATION_FOLLOWERS = {PEER_A: 200, COORD_A: 200, ADMIN: 200}
A_REPORT_READERS = {COORD_A: 200, AUD_IN: 200, ADMIN: 200}
# May read the audit's standards and files, may not change them.
READERS_NOT_EDITORS = {AUD_IN: 403, ADMIN: 403}
# Inside the institution (or its audit's readers), a page one may not use is a 403 saying who may.
CONTRIB_REFUSED = {CONTRIB_A: 403}
# The institution's pages: its contributors and peer supporters see it and are told who may.
INSTITUTION_READERS = {COORD_A: 200, CONTRIB_A: 200, PEER_A: 200, ADMIN: 200}
MEMBERS_REFUSED = {CONTRIB_A: 403, PEER_A: 403}
AUDIT_READERS_REFUSED = {COORD_A: 403, CONTRIB_A: 403, AUD_IN: 403}
# The institution sees its audit, never its review: told who reviews it.
REVIEW_REFUSED = {COORD_A: 403, CONTRIB_A: 403}
# Before the draft report is released, its outcome is nobody's to read: told so (403).
OUTCOME_NOT_RELEASED = dict.fromkeys((COORD_A, CONTRIB_A, AUD_IN, ADMIN), 403)


def certificate_a(world: World) -> Any:
    """Institution A's certificate."""
    return world.certificate_a


MATRIX: dict[str, Access] = {
    # --- pages -----------------------------------------------------------------------------------
    "home": Access(everyone(200, anonymous=302)),
    "login": Access({ANON: 200} | dict.fromkeys(SIGNED_IN, 302)),
    "logout": Access(everyone(302, anonymous=302), method="post"),
    "password_reset": Access(everyone(200, anonymous=200)),
    "password_reset_done": Access(everyone(200, anonymous=200)),
    "password_reset_confirm": Access(
        everyone(200, anonymous=200), kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"}
    ),
    "password_reset_complete": Access(everyone(200, anonymous=200)),
    "two_factor": Access(everyone(302, anonymous=302)),
    "two_factor_setup": Access(everyone(200, anonymous=302)),
    "two_factor_verify": Access(everyone(200, anonymous=302)),
    "standards:catalogue": Access(everyone(200, anonymous=302)),
    "institutions:list": Access(only({ADMIN: 200})),
    "institutions:create": Access(only({ADMIN: 200})),
    "institutions:detail": Access(only(INSTITUTION_READERS), kwargs=inst_a),
    "institutions:edit": Access(only({COORD_A: 200, ADMIN: 200} | MEMBERS_REFUSED), kwargs=inst_a),
    "institutions:site_add": Access(
        only({COORD_A: 302, ADMIN: 302} | MEMBERS_REFUSED),
        kwargs=inst_a,
        method="post",
        data=lambda w: {"name": "South campus", "city": "Elche"},
    ),
    "institutions:site_remove": Access(
        only({COORD_A: 302, ADMIN: 302} | MEMBERS_REFUSED),
        kwargs=lambda w: {"institution_id": w.institution_a.pk, "site_id": w.site_a.pk},
        method="post",
        confirm=only({COORD_A: 200, ADMIN: 200} | MEMBERS_REFUSED),
    ),
    "institutions:members": Access(
        only({COORD_A: 200, ADMIN: 200} | MEMBERS_REFUSED), kwargs=inst_a
    ),
    "institutions:audit_start": Access(
        only({COORD_A: 200, CONTRIB_A: 403, PEER_A: 403, ADMIN: 403}), kwargs=inst_a
    ),
    "institutions:prior_certification": Access(
        only({ADMIN: 302}),
        kwargs=inst_a,
        method="post",
        data=lambda w: {"reason": "Execution certificate RESCUE-I-2025-014 of 3 March 2025"},
    ),
    "institutions:invite": Access(
        only({COORD_A: 302, ADMIN: 302} | MEMBERS_REFUSED),
        kwargs=inst_a,
        method="post",
        data=lambda w: {"email": "new-coordinator@example.org", "role": "coordinator"},
    ),
    "institutions:member_remove": Access(
        only({COORD_A: 302, ADMIN: 302} | MEMBERS_REFUSED),
        kwargs=lambda w: {
            "institution_id": w.institution_a.pk,
            "membership_id": w.contributor_membership_a.pk,
        },
        method="post",
        confirm=only({COORD_A: 200, ADMIN: 200} | MEMBERS_REFUSED),
    ),
    "institutions:invitation_revoke": Access(
        only({COORD_A: 302, ADMIN: 302} | MEMBERS_REFUSED),
        kwargs=lambda w: {
            "institution_id": w.institution_a.pk,
            "invitation_id": w.invitation_a.pk,
        },
        method="post",
        confirm=only({COORD_A: 200, ADMIN: 200} | MEMBERS_REFUSED),
    ),
    "invitation_accept": Access(
        everyone(200, anonymous=200), kwargs=lambda w: {"token": w.invitation_token_a}
    ),
    "audits:list": Access(everyone(200, anonymous=302)),
    "audits:detail": Access(only(A_AUDIT_READERS), kwargs=audit_a),
    "audits:history": Access(only(A_AUDIT_READERS), kwargs=audit_a),
    # Readers who may not act get 403 with the reason; the dossier is incomplete, so the
    # coordinator's submission is refused with the list of gaps (400).
    "audits:submit": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 400, CONTRIB_A: 403}), kwargs=audit_a, method="post"
    ),
    "audits:standard": Access(only(A_AUDIT_READERS), kwargs=standard_a),
    "audits:standard_rate": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 302, CONTRIB_A: 302}),
        kwargs=standard_a,
        method="post",
        data=lambda w: {"self_rating": "met", "narrative": "Policy approved in 2025."},
    ),
    "audits:standard_assignees": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 302, CONTRIB_A: 403}),
        kwargs=standard_a,
        method="post",
        data=lambda w: {"assignees": [w.users[CONTRIB_A].pk]},
    ),
    # The contributor is not assigned to the second standard: it does not exist for them.
    "audits:standard_link": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 302}),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "code": w.assessment_a2.standard.code},
        method="post",
        data=lambda w: {"evidence": w.evidence_a.pk},
    ),
    # The picker of files to use for one more standard: as linking one, a page (200).
    "audits:standard_reuse": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 200}),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "code": w.assessment_a2.standard.code},
    ),
    "audits:evidence_upload": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 302, CONTRIB_A: 302}),
        kwargs=audit_a,
        method="post",
        data=lambda w: {
            "standards": w.standard.code,
            "files": SimpleUploadedFile("minutes.txt", b"Steering group minutes.", "text/plain"),
            "confirmed_no_personal_data": "on",
        },
    ),
    "audits:evidence_download": Access(only(A_AUDIT_READERS), kwargs=evidence_a),
    # The world's file is plain text: no preview for anyone (a PDF's is in tests/reviews).
    "audits:evidence_preview": Access(only({}), kwargs=evidence_a),
    "audits:evidence_replace": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 302, CONTRIB_A: 302}),
        kwargs=evidence_a,
        method="post",
        data=lambda w: {
            "file": SimpleUploadedFile("rota.txt", b"Peer supporter rota, v2.", "text/plain"),
            "confirmed_no_personal_data": "on",
        },
    ),
    "audits:evidence_links": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 302, CONTRIB_A: 302}),
        kwargs=evidence_a,
        method="post",
        data=lambda w: {"assessments": [w.assessment_a.pk]},
    ),
    "audits:evidence_date": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 302, CONTRIB_A: 302}),
        kwargs=evidence_a,
        method="post",
        data=lambda w: {"effective_date": "2025-03-01"},
    ),
    "audits:evidence_delete": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 302, CONTRIB_A: 302}),
        kwargs=evidence_a,
        method="post",
        confirm=only(READERS_NOT_EDITORS | {COORD_A: 200, CONTRIB_A: 200}),
    ),
    # A file's own page of changes: for those who may change it, as removing it.
    "audits:evidence_file": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 200, CONTRIB_A: 200}), kwargs=evidence_a
    ),
    "audits:evidence_review": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 302, CONTRIB_A: 403}),
        kwargs=evidence_a,
        method="post",
    ),
    # A renewal's carried-forward files, read by the audit's readers (audit A is no renewal:
    # nothing is listed; tests/certification/test_renewal.py confirms files).
    "audits:evidence_carried": Access(only(A_AUDIT_READERS), kwargs=audit_a),
    # The review team: the institution reads who reviews it; ERNST admins form it. Audit A is
    # in preparation, so forming its team is refused (400): tests/reviews covers a submitted one.
    "reviews:team": Access(only(A_AUDIT_READERS), kwargs=audit_a),
    "reviews:team_assign": Access(
        only({ADMIN: 400} | AUDIT_READERS_REFUSED),
        kwargs=audit_a,
        method="post",
        data=lambda w: {"auditor": w.users[AUD_OUT].pk, "role": "second"},
        confirm=only({ADMIN: 200} | AUDIT_READERS_REFUSED),
    ),
    "reviews:team_withdraw": Access(
        only({ADMIN: 302} | AUDIT_READERS_REFUSED),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "assignment_id": w.assignment_a.pk},
        method="post",
        confirm=only({ADMIN: 200} | AUDIT_READERS_REFUSED),
    ),
    "reviews:audit_close": Access(
        only({ADMIN: 302} | AUDIT_READERS_REFUSED),
        kwargs=audit_a,
        method="post",
        confirm=only({ADMIN: 200} | AUDIT_READERS_REFUSED),
    ),
    # The auditor's own pages; the world's auditor has accepted already (answering again: 400).
    "reviews:mine": Access(only({AUD_IN: 200, AUD_OUT: 200})),
    "reviews:invitation_accept": Access(
        only({AUD_IN: 400}),
        kwargs=lambda w: {"assignment_id": w.assignment_a.pk},
        method="post",
    ),
    "reviews:invitation_decline": Access(
        only({AUD_IN: 400}),
        kwargs=lambda w: {"assignment_id": w.assignment_a.pk},
        method="post",
        data=lambda w: {"reason": "Not available before the due date"},
        confirm=only({AUD_IN: 200}),
    ),
    # The review itself: the team and ERNST read it, the institution is told who reviews (403),
    # no rating is given while the dossier is in preparation (403 with the reason).
    "reviews:overview": Access(only({AUD_IN: 200, ADMIN: 200} | REVIEW_REFUSED), kwargs=audit_a),
    "reviews:standard": Access(only({AUD_IN: 200, ADMIN: 200} | REVIEW_REFUSED), kwargs=standard_a),
    "reviews:complete": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED),
        kwargs=audit_a,
        method="post",
        confirm=only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED),
    ),
    "reviews:divergences": Access(only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED), kwargs=audit_a),
    "reviews:divergence_decide": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED),
        kwargs=standard_a,
        method="post",
        data=lambda w: {"rating": "met", "reason": "Both files show it", "version": 1},
    ),
    # Evidence requests: the team's page (no request while audit A is in preparation: asking is
    # refused, 400; an admin is not on the team, 403); the request pages of a request that does
    # not exist (tests/reviews/test_request_pages.py walks real ones).
    "reviews:requests": Access(only({AUD_IN: 200, ADMIN: 200} | REVIEW_REFUSED), kwargs=audit_a),
    "reviews:request_create": Access(
        only({AUD_IN: 400, ADMIN: 403} | REVIEW_REFUSED),
        kwargs=audit_a,
        method="post",
        data=lambda w: {
            "codes": [w.standard.code],
            "message": "Night rota",
            "due_on": "2099-01-01",
        },
    ),
    "reviews:request_decide": Access(
        only(REVIEW_REFUSED),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "request_id": 999999},
        method="post",
        data=lambda w: {"decision": "accept"},
    ),
    "reviews:request": Access(
        only({}),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "request_id": 999999},
    ),
    # Findings follow the consolidation: nothing before it (audit A is in preparation).
    "reviews:findings": Access(only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED), kwargs=audit_a),
    "reviews:finding_grade": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "finding_id": 1},
        method="post",
        data=lambda w: {"grade": "minor", "statement": "Rota gaps", "version": 1},
    ),
    "reviews:observation_add": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED),
        kwargs=audit_a,
        method="post",
        data=lambda w: {"code": w.standard.code, "statement": "Could publish the rota"},
    ),
    # The audit report's course on the pages follows the consolidation (audit A is in
    # preparation: nothing yet, 403 with the reason); the outcome and the institution's steps
    # wait for the release (403, told so).
    "reviews:report": Access(only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED), kwargs=audit_a),
    **{
        name: Access(
            only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED),
            kwargs=audit_a,
            method="post",
            data=lambda w: {"recommendation": "certify", "reason": "All met", "version": 1},
        )
        for name in ("reviews:recommendation", "reviews:release", "reviews:finalise")
    },
    "reviews:comment_answer": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "comment_id": 999999},
        method="post",
        data=lambda w: {"outcome": "maintained", "answer": "No rota was shown"},
    ),
    "reviews:plan_decide": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "plan_id": 999999},
        method="post",
        data=lambda w: {"decision": "accept"},
    ),
    "reviews:action_verify": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "action_id": 999999},
        method="post",
        data=lambda w: {"decision": "close"},
    ),
    "reviews:outcome": Access(only(OUTCOME_NOT_RELEASED), kwargs=audit_a),
    "reviews:comment_add": Access(
        only(OUTCOME_NOT_RELEASED), kwargs=audit_a, method="post", data=lambda w: {"text": "E3"}
    ),
    "reviews:replies_done": Access(only(OUTCOME_NOT_RELEASED), kwargs=audit_a, method="post"),
    "reviews:plan": Access(
        only(OUTCOME_NOT_RELEASED),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "finding_id": 999999},
    ),
    "reviews:action_done": Access(
        only(OUTCOME_NOT_RELEASED),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "action_id": 999999},
    ),
    # The decision is the ERNST admins' (audit A is in preparation: the page says it waits for
    # the final report; taking it is refused, 400); the audit's readers are told who decides.
    "certification:decision": Access(
        only({ADMIN: 200, COORD_A: 403, CONTRIB_A: 403, AUD_IN: 403}), kwargs=audit_a
    ),
    "certification:decision_take": Access(
        only({ADMIN: 400, COORD_A: 403, CONTRIB_A: 403, AUD_IN: 403}),
        kwargs=audit_a,
        method="post",
        data=lambda w: {"outcome": "do_not_certify", "reason": "Not yet"},
    ),
    # Certificates: every one for admins, an institution's for its coordinators.
    "certification:certificates": Access(
        only({ADMIN: 200, COORD_A: 200, COORD_B: 200}, others=403)
    ),
    "certification:certificate": Access(
        only({ADMIN: 200, COORD_A: 200}), kwargs=lambda w: {"certificate_id": certificate_a(w).pk}
    ),
    # The world's certificate is withdrawn: no change is left (400; tests/certification walks
    # the lifecycle).
    "certification:certificate_change": Access(
        only({ADMIN: 400, COORD_A: 403}),
        kwargs=lambda w: {"certificate_id": certificate_a(w).pk},
        method="post",
        data=lambda w: {"change": "suspend", "reason": "Complaint under review"},
    ),
    # Renewal: the world's certificate is withdrawn, so its coordinator is told it cannot be
    # renewed (400); an admin is told a coordinator renews (403); tests/certification walks it.
    # The world's certificate is an institution's: its listing is nobody's to decide (403 for
    # whoever reads it). tests/competences/test_personal_certificate.py lists a person's.
    "certification:certificate_listing": Access(
        only({COORD_A: 403, ADMIN: 403}),
        kwargs=lambda w: {"certificate_id": certificate_a(w).pk},
        method="post",
        data=lambda w: {"listed": "1"},
    ),
    "certification:certificate_renew": Access(
        only({COORD_A: 400, ADMIN: 403}),
        kwargs=lambda w: {"certificate_id": certificate_a(w).pk},
        method="post",
    ),
    # Appeals: A's decided audit is appealed by its coordinator, waiting for an admin. The
    # coordinators lodge and follow it on the audit's page (a second appeal is refused, 400; an
    # admin reads the page and may not lodge, 403); contributors and the audit's other readers
    # are told who appeals (403). The world's admin took no part in the audit nor in the
    # decision: they take it up (deciding before that is refused, 400). The statement's files go
    # to the institution's coordinators and the admins only.
    "certification:appeal": Access(
        only({COORD_A: 200, ADMIN: 200, CONTRIB_A: 403}), kwargs=decided_a
    ),
    "certification:appeal_lodge": Access(
        only({COORD_A: 400, ADMIN: 403, CONTRIB_A: 403}),
        kwargs=decided_a,
        method="post",
        data=lambda w: {"statement": "The rota was in the dossier"},
    ),
    "certification:appeals": Access(only({ADMIN: 200}, others=403)),
    "certification:appeal_detail": Access(only({ADMIN: 200, COORD_A: 403}), kwargs=appeal_a),
    "certification:appeal_take": Access(
        only({ADMIN: 302, COORD_A: 403}), kwargs=appeal_a, method="post"
    ),
    "certification:appeal_decide": Access(
        only({ADMIN: 400, COORD_A: 403}),
        kwargs=appeal_a,
        method="post",
        data=lambda w: {"outcome": "upheld", "reason": "The rota was read"},
    ),
    "certification:appeal_file": Access(
        only({ADMIN: 200, COORD_A: 200}),
        kwargs=lambda w: {"appeal_id": w.appeal_a.pk, "file_id": w.appeal_file_a.pk},
    ),
    # Reports show the whole dossier: coordinators, assigned auditors and admins, no contributor.
    "reports:create": Access(
        only({COORD_A: 302, CONTRIB_A: 403, AUD_IN: 302, ADMIN: 302}),
        kwargs=audit_a,
        method="post",
        data=lambda w: {"kind": "dossier"},
    ),
    "reports:status": Access(only(A_REPORT_READERS), kwargs=report_a),
    "reports:download": Access(only(A_REPORT_READERS), kwargs=report_a),
    "auditors:pool": Access(only({ADMIN: 200})),
    "auditors:profile": Access(only({AUD_IN: 200, AUD_OUT: 200})),
    "auditors:conflict_declare": Access(
        only({AUD_IN: 302, AUD_OUT: 302}),
        method="post",
        data=lambda w: {"institution": w.institution_b.pk, "reason": "Former employer"},
    ),
    # The public register and a certificate's verification page, by the QR code's code or by
    # the number the register links to: anyone, signed in or not, and an unknown certificate is
    # a plain 404 for everyone (never the login page). The world holds no certificate, and one
    # issued here would not reach the accessibility gate's live server (tests/e2e): the pages of
    # real certificates in every status, for every role, are in tests/certification/test_public.py
    # (with the gate's checks); the API's verification below reads a real one.
    "public:register": Access(everyone(200, anonymous=200)),
    "public:certificate": Access(
        everyone(404, anonymous=404), kwargs=lambda w: {"number": "RESCUE-INT-1999-999999"}
    ),
    "public:verify": Access(
        everyone(404, anonymous=404), kwargs=lambda w: {"code": "no-such-code"}
    ),
    # The competences track: a peer supporter applies through their institution; its
    # coordinators (and the admins) list the applications and see each one's status; a
    # coordinator endorses. Who sees the institution and may not is told who may (403).
    "competences:list": Access(only({COORD_A: 200, ADMIN: 200} | MEMBERS_REFUSED), kwargs=inst_a),
    "competences:start": Access(
        only({PEER_A: 200, COORD_A: 403, CONTRIB_A: 403, ADMIN: 403}), kwargs=inst_a
    ),
    "competences:status": Access(only(APPLICATION_FOLLOWERS), kwargs=application_a),
    "competences:endorse": Access(
        only({COORD_A: 302, PEER_A: 403, ADMIN: 403}), kwargs=application_a, method="post"
    ),
    # The assessment interviews of the world's application (a draft with no team yet): the
    # admins read them; the applicant is told who reviews (403); nobody else knows of them.
    "reviews:interviews": Access(only({ADMIN: 200, PEER_A: 403}), kwargs=application_a),
    "reviews:interview_add": Access(
        only({ADMIN: 400, PEER_A: 403}),
        kwargs=application_a,
        method="post",
        data=lambda w: {"held_on": "2026-11-30", "mode": "video", "participants": "The applicant"},
    ),
    # --- API -------------------------------------------------------------------------------------
    "standard-list": Access(everyone(200, anonymous=403)),
    "standard-detail": Access(everyone(200, anonymous=403), kwargs=lambda w: {"pk": w.standard.pk}),
    "catalogue-version-list": Access(everyone(200, anonymous=403)),
    "catalogue-version-detail": Access(
        everyone(200, anonymous=403), kwargs=lambda w: {"pk": w.audit_a.catalogue_version.pk}
    ),
    "institution-list": Access(everyone(200, anonymous=403)),
    "institution-detail": Access(only(INSTITUTION_READERS, anonymous=403), kwargs=api_inst_a),
    "institution-members": Access(
        only({COORD_A: 200, ADMIN: 200} | MEMBERS_REFUSED, anonymous=403), kwargs=inst_a
    ),
    "audit-list": Access(everyone(200, anonymous=403)),
    "audit-detail": Access(only(A_AUDIT_READERS, anonymous=403), kwargs=api_audit_a),
    # No catalogue is active in the test world: a coordinator reaches the endpoint and is told so.
    "institution-audit-create": Access(
        only({COORD_A: 400, CONTRIB_A: 403, PEER_A: 403, ADMIN: 403}, anonymous=403),
        kwargs=inst_a,
        method="post",
        data=lambda w: {
            "component": "intervention",
            "setting": "hospital",
            "target_level": "design",
        },
    ),
    "audit-standards": Access(only(A_AUDIT_READERS, anonymous=403), kwargs=audit_a),
    "audit-standard-rate": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 200, CONTRIB_A: 200}, anonymous=403),
        kwargs=standard_a,
        method="patch",
        data=lambda w: {"self_rating": "met", "narrative": "Policy approved in 2025."},
    ),
    "audit-evidence": Access(only(A_AUDIT_READERS, anonymous=403), kwargs=audit_a),
    "audit-evidence-carried": Access(only(A_AUDIT_READERS, anonymous=403), kwargs=audit_a),
    "audit-reports": Access(
        only(A_REPORT_READERS | {CONTRIB_A: 403}, anonymous=403), kwargs=audit_a
    ),
    "audit-report-detail": Access(only(A_REPORT_READERS, anonymous=403), kwargs=report_a),
    "audit-submit": Access(
        only(READERS_NOT_EDITORS | {COORD_A: 400, CONTRIB_A: 403}, anonymous=403),
        kwargs=audit_a,
        method="post",
    ),
    # The review: the world's auditor accepted audit A's review; its dossier is in preparation,
    # so nothing can be rated yet (403 with the reason). The institution is told who reviews.
    "review-list": Access(everyone(200, anonymous=403)),
    "review-accept": Access(
        only({AUD_IN: 400}, anonymous=403),
        kwargs=lambda w: {"review_id": w.assignment_a.pk},
        method="post",
    ),
    "review-decline": Access(
        only({AUD_IN: 400}, anonymous=403),
        kwargs=lambda w: {"review_id": w.assignment_a.pk},
        method="post",
        data=lambda w: {"reason": "On leave"},
    ),
    "review-ratings": Access(
        only({AUD_IN: 200, ADMIN: 200} | REVIEW_REFUSED, anonymous=403), kwargs=audit_a
    ),
    "review-rating": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED, anonymous=403),
        kwargs=standard_a,
        method="put",
        data=lambda w: {"rating": "met", "version": 0},
    ),
    "review-complete": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED, anonymous=403),
        kwargs=audit_a,
        method="post",
    ),
    "review-divergences": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED, anonymous=403), kwargs=audit_a
    ),
    "review-evaluation": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED, anonymous=403), kwargs=audit_a
    ),
    # Evidence requests: the list follows who sees the audit; asking is the team's (refused, 400,
    # while audit A is in preparation); no request exists to answer or decide.
    "evidence-requests": Access(only(A_AUDIT_READERS, anonymous=403), kwargs=audit_a),
    "evidence-request-answer": Access(
        only({}, anonymous=403),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "request_id": 999999},
        method="post",
        data=lambda w: {"comment": "Here", "confirmed_no_personal_data": True},
    ),
    "evidence-request-decision": Access(
        only({}, anonymous=403),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "request_id": 999999},
        method="post",
        data=lambda w: {"decision": "accept"},
    ),
    "review-findings": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED, anonymous=403), kwargs=audit_a
    ),
    "review-finding": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED, anonymous=403),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "finding_id": 1},
        method="put",
        data=lambda w: {"grade": "minor", "statement": "Rota gaps", "version": 1},
    ),
    "review-divergence": Access(
        only({AUD_IN: 403, ADMIN: 403} | REVIEW_REFUSED, anonymous=403),
        kwargs=standard_a,
        method="put",
        data=lambda w: {"rating": "met", "reason": "Both files", "version": 1},
    ),
    # The report's course: the team and ERNST read it at any time, the institution is told it
    # reads it once the draft is released (403); audit A is in preparation, so the lead's steps
    # are refused with the reason (400), ERNST may not take them (403), and no comment, plan or
    # action exists (404). The outcome and the institution's steps wait for the release (403).
    "review-report": Access(
        only({AUD_IN: 200, ADMIN: 200} | REVIEW_REFUSED, anonymous=403), kwargs=audit_a
    ),
    "review-report-recommendation": Access(
        only({AUD_IN: 400, ADMIN: 403} | REVIEW_REFUSED, anonymous=403),
        kwargs=audit_a,
        method="put",
        data=lambda w: {"recommendation": "conditions", "reason": "Two gaps", "version": 1},
    ),
    "review-report-release": Access(
        only({AUD_IN: 400, ADMIN: 403} | REVIEW_REFUSED, anonymous=403),
        kwargs=audit_a,
        method="post",
    ),
    "review-report-final": Access(
        only({AUD_IN: 400, ADMIN: 403} | REVIEW_REFUSED, anonymous=403),
        kwargs=audit_a,
        method="post",
    ),
    "review-report-comments": Access(
        only(OUTCOME_NOT_RELEASED, anonymous=403),
        kwargs=audit_a,
        method="post",
        data=lambda w: {"text": "See E3"},
    ),
    "review-report-comment-answer": Access(
        only(REVIEW_REFUSED, anonymous=403),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "comment_id": 999999},
        method="post",
        data=lambda w: {"outcome": "maintained", "answer": "No rota was shown"},
    ),
    "review-report-replies-done": Access(
        only(OUTCOME_NOT_RELEASED, anonymous=403), kwargs=audit_a, method="post"
    ),
    "review-outcome": Access(only(OUTCOME_NOT_RELEASED, anonymous=403), kwargs=audit_a),
    "corrective-plan": Access(
        only(OUTCOME_NOT_RELEASED, anonymous=403),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "finding_id": 999999},
        method="put",
        data=lambda w: {
            "cause": "No night rota",
            "actions": [
                {"description": "A rota", "owner": "Head of nursing", "due_on": "2099-01-01"}
            ],
        },
    ),
    "corrective-plan-decision": Access(
        only(REVIEW_REFUSED, anonymous=403),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "plan_id": 999999},
        method="post",
        data=lambda w: {"accept": True},
    ),
    "corrective-action-done": Access(
        only(OUTCOME_NOT_RELEASED, anonymous=403),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "action_id": 999999},
        method="post",
        data=lambda w: {"note": "Rota in place", "confirmed_no_personal_data": True},
    ),
    "corrective-action-verification": Access(
        only(REVIEW_REFUSED, anonymous=403),
        kwargs=lambda w: {"audit_id": w.audit_a.pk, "action_id": 999999},
        method="post",
        data=lambda w: {"close": True},
    ),
    # The public register and the verification over the API: no sign-in needed (institution A's
    # certificate, issued for the test).
    "certificate-register": Access(everyone(200, anonymous=200)),
    "certificate-verify": Access(
        everyone(200, anonymous=200), kwargs=lambda w: {"code": certificate_a(w).code}
    ),
    # Decisions and certificates over the API (audit A is in preparation: no decision yet, 404
    # for whoever may read one; taking it is refused, 400).
    "audit-decision": Access(
        only({ADMIN: 404, COORD_A: 404, CONTRIB_A: 403, AUD_IN: 404}, anonymous=403),
        kwargs=audit_a,
    ),
    "certificate-list": Access(everyone(200, anonymous=403)),
    "certificate-detail": Access(
        only({ADMIN: 200, COORD_A: 200}, anonymous=403),
        kwargs=lambda w: {"certificate_id": certificate_a(w).pk},
    ),
    "certificate-status": Access(
        only({ADMIN: 400, COORD_A: 403}, anonymous=403),
        kwargs=lambda w: {"certificate_id": certificate_a(w).pk},
        method="post",
        data=lambda w: {"change": "suspend", "reason": "Complaint under review"},
    ),
    "certificate-listing": Access(
        only({COORD_A: 403, ADMIN: 403}, anonymous=403),
        kwargs=lambda w: {"certificate_id": certificate_a(w).pk},
        method="post",
        data=lambda w: {"listed": True},
    ),
    "certificate-renewal": Access(
        only({COORD_A: 404, ADMIN: 404}, anonymous=403),
        kwargs=lambda w: {"certificate_id": certificate_a(w).pk},
    ),
    # Appeals over the API: as on the pages; the lists and the appeals are the admins' and the
    # institution's coordinators'.
    "audit-appeal": Access(
        only({COORD_A: 200, ADMIN: 200, CONTRIB_A: 403}, anonymous=403), kwargs=decided_a
    ),
    "appeal-list": Access(everyone(200, anonymous=403)),
    "appeal-detail": Access(only({ADMIN: 200, COORD_A: 200}, anonymous=403), kwargs=appeal_a),
    "appeal-take": Access(
        only({ADMIN: 200, COORD_A: 403}, anonymous=403), kwargs=appeal_a, method="post"
    ),
    "appeal-decision": Access(
        only({ADMIN: 400, COORD_A: 403}, anonymous=403),
        kwargs=appeal_a,
        method="post",
        data=lambda w: {"outcome": "upheld", "reason": "The rota was read"},
    ),
    "institution-applications": Access(
        only({COORD_A: 200, ADMIN: 200} | MEMBERS_REFUSED, anonymous=403), kwargs=inst_a
    ),
    "application-detail": Access(only(APPLICATION_FOLLOWERS, anonymous=403), kwargs=application_a),
    "application-endorsement": Access(
        only({COORD_A: 200, PEER_A: 403, ADMIN: 403}, anonymous=403),
        kwargs=application_a,
        method="post",
    ),
    "review-interviews": Access(
        only({ADMIN: 200, PEER_A: 403}, anonymous=403), kwargs=application_a
    ),
    "schema": Access(everyone(200, anonymous=403)),
    "api-docs": Access(everyone(200, anonymous=403)),
}

# The Django admin: staff with two factors only. Every admin URL is covered by this rule; these
# representative URLs are requested for every role.
ADMIN_SAMPLES: dict[str, Callable[[World], dict[str, Any]]] = {
    "admin:index": lambda w: {},
    "admin:audits_audit_changelist": lambda w: {},
    "admin:audits_audit_change": lambda w: {"object_id": w.audit_a.pk},
    "admin:institutions_institution_change": lambda w: {"object_id": w.institution_a.pk},
    "admin:standards_standard_changelist": lambda w: {},
}
ADMIN_EXPECT = only({ADMIN: 200}, others=302)


def walk(patterns: list[Any], namespace: str = "") -> list[str]:
    names: list[str] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            names.append(f"{namespace}{entry.name or f'<unnamed {entry.pattern}>'}")
    return names


def test_every_url_is_in_the_access_matrix() -> None:
    names = set(walk(get_resolver().url_patterns))
    undeclared = {n for n in names if n not in MATRIX and not n.startswith("admin:")}
    assert not undeclared, f"URLs without a declared access rule: {sorted(undeclared)}"
    stale = set(MATRIX) - names
    assert not stale, f"Matrix entries for URLs that no longer exist: {sorted(stale)}"


def _request(world: World, role: str, access: Access, name: str) -> int:
    url = reverse(name, kwargs=access.kwargs(world))
    client = world.client(role)
    if access.method == "post":
        response = client.post(url, access.data(world))
    elif access.method in ("patch", "put"):
        send = getattr(client, access.method)
        response = send(url, access.data(world), content_type="application/json")
    else:
        response = client.get(url, access.query)
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(world: World, name: str, role: str) -> None:
    access = MATRIX[name]
    assert _request(world, role, access, name) == access.expect[role], f"{role} on {name}"


CONFIRMED = sorted(name for name, access in MATRIX.items() if access.confirm)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", CONFIRMED)
def test_confirmation_page_access(world: World, name: str, role: str) -> None:
    """The GET of a destructive action: its confirmation page, for exactly those who may act
    (and the same refusals as the action itself)."""
    access = MATRIX[name]
    assert access.confirm is not None
    url = reverse(name, kwargs=access.kwargs(world))
    status = world.client(role).get(url).status_code
    assert status == access.confirm[role], f"{role} on the confirmation of {name}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ADMIN_SAMPLES))
def test_admin_site_access(world: World, name: str, role: str) -> None:
    url = reverse(name, kwargs=ADMIN_SAMPLES[name](world))
    assert world.client(role).get(url).status_code == ADMIN_EXPECT[role], f"{role} on {name}"
