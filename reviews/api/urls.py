from django.urls import path

from reviews.api import requests, views

urlpatterns = [
    path(
        "audits/<int:audit_id>/requests/",
        requests.EvidenceRequestListView.as_view(),
        name="evidence-requests",
    ),
    path(
        "audits/<int:audit_id>/requests/<int:request_id>/answer/",
        requests.EvidenceRequestAnswerView.as_view(),
        name="evidence-request-answer",
    ),
    path(
        "audits/<int:audit_id>/requests/<int:request_id>/decision/",
        requests.EvidenceRequestDecisionView.as_view(),
        name="evidence-request-decision",
    ),
    path("reviews/", views.MyReviewListView.as_view(), name="review-list"),
    path("reviews/<int:review_id>/accept/", views.ReviewAcceptView.as_view(), name="review-accept"),
    path(
        "reviews/<int:review_id>/decline/", views.ReviewDeclineView.as_view(), name="review-decline"
    ),
    path(
        "audits/<int:audit_id>/review/ratings/",
        views.RatingListView.as_view(),
        name="review-ratings",
    ),
    path(
        "audits/<int:audit_id>/review/ratings/<str:code>/",
        views.RatingView.as_view(),
        name="review-rating",
    ),
    path(
        "audits/<int:audit_id>/review/complete/",
        views.ReviewCompleteView.as_view(),
        name="review-complete",
    ),
    path(
        "audits/<int:audit_id>/review/evaluation/",
        views.EvaluationView.as_view(),
        name="review-evaluation",
    ),
    path(
        "audits/<int:audit_id>/review/findings/",
        views.FindingListView.as_view(),
        name="review-findings",
    ),
    path(
        "audits/<int:audit_id>/review/findings/<int:finding_id>/",
        views.FindingView.as_view(),
        name="review-finding",
    ),
    path(
        "audits/<int:audit_id>/review/divergences/",
        views.DivergenceListView.as_view(),
        name="review-divergences",
    ),
    path(
        "audits/<int:audit_id>/review/divergences/<str:code>/",
        views.DivergenceView.as_view(),
        name="review-divergence",
    ),
]
