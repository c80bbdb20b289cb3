"""The review's pages. The audit-scoped ones live under /audits/<id>/ beside the dossier."""

from django.urls import path

from reviews.views import (
    auditor,
    consolidation,
    findings,
    interviews,
    outcome,
    report,
    requests,
    team,
)

app_name = "reviews"

urlpatterns = [
    path("reviews/", auditor.my_reviews, name="mine"),
    path(
        "reviews/invitations/<int:assignment_id>/accept/",
        auditor.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "reviews/invitations/<int:assignment_id>/decline/",
        auditor.invitation_decline,
        name="invitation_decline",
    ),
    path("audits/<int:audit_id>/auditors/", team.team, name="team"),
    path("audits/<int:audit_id>/auditors/assign/", team.team_assign, name="team_assign"),
    path(
        "audits/<int:audit_id>/auditors/<int:assignment_id>/withdraw/",
        team.team_withdraw,
        name="team_withdraw",
    ),
    path("audits/<int:audit_id>/close/", team.audit_close, name="audit_close"),
    path("audits/<int:audit_id>/review/", auditor.review_overview, name="overview"),
    path("audits/<int:audit_id>/review/complete/", auditor.review_complete_view, name="complete"),
    path("audits/<int:audit_id>/review/requests/", requests.team_requests, name="requests"),
    path(
        "audits/<int:audit_id>/review/requests/new/",
        requests.request_create_view,
        name="request_create",
    ),
    path(
        "audits/<int:audit_id>/review/requests/<int:request_id>/decide/",
        requests.request_decide_view,
        name="request_decide",
    ),
    path(
        "audits/<int:audit_id>/requests/<int:request_id>/",
        requests.request_detail,
        name="request",
    ),
    path("audits/<int:audit_id>/review/findings/", findings.findings, name="findings"),
    path("audits/<int:audit_id>/review/interviews/", interviews.interviews, name="interviews"),
    path(
        "audits/<int:audit_id>/review/interviews/add/",
        interviews.interview_add,
        name="interview_add",
    ),
    path(
        "audits/<int:audit_id>/review/findings/observations/",
        findings.observation_add_view,
        name="observation_add",
    ),
    path(
        "audits/<int:audit_id>/review/findings/<int:finding_id>/",
        findings.finding_grade_view,
        name="finding_grade",
    ),
    path("audits/<int:audit_id>/review/report/", report.report_view, name="report"),
    path(
        "audits/<int:audit_id>/review/report/recommendation/",
        report.recommendation_view,
        name="recommendation",
    ),
    path("audits/<int:audit_id>/review/report/release/", report.release_view, name="release"),
    path("audits/<int:audit_id>/review/report/final/", report.finalise_view, name="finalise"),
    path(
        "audits/<int:audit_id>/review/report/comments/<int:comment_id>/",
        report.comment_answer_view,
        name="comment_answer",
    ),
    path(
        "audits/<int:audit_id>/review/plans/<int:plan_id>/",
        report.plan_decision_view,
        name="plan_decide",
    ),
    path(
        "audits/<int:audit_id>/review/actions/<int:action_id>/",
        report.action_verify_view,
        name="action_verify",
    ),
    path("audits/<int:audit_id>/outcome/", outcome.outcome_view, name="outcome"),
    path("audits/<int:audit_id>/outcome/comments/", outcome.comment_add_view, name="comment_add"),
    path("audits/<int:audit_id>/outcome/done/", outcome.replies_done_view, name="replies_done"),
    path(
        "audits/<int:audit_id>/outcome/findings/<int:finding_id>/plan/",
        outcome.plan_edit_view,
        name="plan",
    ),
    path(
        "audits/<int:audit_id>/outcome/actions/<int:action_id>/",
        outcome.action_done_view,
        name="action_done",
    ),
    path(
        "audits/<int:audit_id>/review/divergences/",
        consolidation.divergences,
        name="divergences",
    ),
    path(
        "audits/<int:audit_id>/review/divergences/<str:code>/",
        consolidation.divergence_decide_view,
        name="divergence_decide",
    ),
    path("audits/<int:audit_id>/review/<str:code>/", auditor.standard_review, name="standard"),
]
