"""Appeals against a certification decision: lodging (who, within the time, once, with files
through the evidence upload checks), who may handle one (the impartiality table), upholding, and
every changed outcome with the certificates following (issued, changed, withdrawn; RESCUE
Mastery with them), the history, the pages, the file download and the API."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import ERNST_ADMINS
from accounts.services import platform_groups_ensure
from audits.models import Audit, AuditEvent
from certification.appeals import (
    appeal_decide,
    appeal_handling_refusal,
    appeal_lodge,
    appeal_take,
)
from certification.models import Appeal, AppealFile, Certificate, CertificateEvent, Decision
from certification.services import certificate_issue, decision_take
from institutions.models import Membership
from rescue.errors import ActionForbiddenError, ActionRefusedError
from tests.audits.support import form_errors, page_text, plain_text
from tests.certification.conftest import finalised
from tests.factories import AuditFactory, MembershipFactory, UserFactory
from tests.rescue.test_lists import shown
from tests.reviews.conftest import Review
from tests.world import World, client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def admin_user(email: str) -> User:
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(platform_groups_ensure()[ERNST_ADMINS])
    return User.objects.get(pk=user.pk)  # permissions read afresh


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def decided(review: Review, outcome: str = "do_not_certify", **overrides: Any) -> Decision:
    """The world's admin decides on the final report (not certifying is what the rules give)."""
    finalised(review)
    values: dict[str, Any] = {
        "audit": review.reload(),
        "user": review.admin,
        "outcome": outcome,
        "level": "",
        "reason": "TRA03 partially met",
        "departure_reason": "" if outcome == "do_not_certify" else "The plan closes TRA03",
        "conditions_due_on": timezone.localdate() + timedelta(days=60)
        if outcome == "conditions"
        else None,
    }
    values.update(overrides)
    return decision_take(**values)


def lodge(decision: Decision, user: User, **overrides: Any) -> Appeal:
    values: dict[str, Any] = {
        "decision": decision,
        "user": user,
        "statement": "The role-play schedule for every cohort was in the dossier.",
        "uploads": [],
        "confirmed_no_personal_data": True,
    }
    values.update(overrides)
    return appeal_lodge(**values)


def coordinator(review: Review) -> User:
    return review.world.users["coordinator_a"]


def taken(review: Review, decision: Decision, handler: User) -> Appeal:
    return appeal_take(appeal=lodge(decision, coordinator(review)), user=handler)


def events(audit: Audit) -> list[str]:
    return list(
        AuditEvent.objects.for_institution(audit.institution_id)
        .filter(audit=audit, action__startswith="appeal_")
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )


def certificates_of(decision: Decision) -> list[tuple[str, str, date | None]]:
    return list(
        Certificate.objects.for_institution(decision.institution_id)
        .filter(decision=decision)
        .order_by("pk")
        .values_list("level", "status", "conditions_due_on")
    )


@pytest.fixture
def handler(review: Review) -> User:
    """An ERNST admin off the audit and the decision: free to handle the appeal."""
    return admin_user("appeals@example.org")


# --- Lodging ----------------------------------------------------------------------------------


def test_a_coordinator_lodges_with_files_that_pass_the_upload_checks(review: Review) -> None:
    decision = decided(review)
    appeal = lodge(
        decision,
        coordinator(review),
        uploads=[
            SimpleUploadedFile("schedule.pdf", PDF, "application/pdf"),
            SimpleUploadedFile("note.txt", b"Questions: jane.doe@hospital-a.example", "text/plain"),
        ],
    )
    assert appeal.state == Appeal.State.LODGED
    assert appeal.lodged_by_email == "coord-a@example.org"
    pdf, note = AppealFile.objects.for_institution(appeal.institution_id).filter(appeal=appeal)
    assert (pdf.original_name, pdf.mime_type, pdf.kind, pdf.size) == (
        "schedule.pdf",
        "application/pdf",
        "pdf",
        len(PDF),
    )
    assert len(pdf.sha256) == 64
    assert pdf.file.name.startswith(f"appeals/{appeal.institution_id}/{appeal.pk}/")
    assert "schedule" not in pdf.file.name  # a random name, never the uploader's
    assert not pdf.is_flagged
    assert note.finding_labels == ["E-mail addresses"]  # flagged, as evidence is, not refused
    [event] = AuditEvent.objects.for_institution(appeal.institution_id).filter(
        audit=decision.audit, action=AuditEvent.Action.APPEAL_LODGED
    )
    assert event.actor_email == "coord-a@example.org"
    assert event.details["flagged"] == ["note.txt"]


@pytest.mark.parametrize(("days_ago", "allowed"), [(29, True), (31, False)])
def test_the_time_to_appeal_runs_from_the_decision(
    review: Review, days_ago: int, allowed: bool
) -> None:
    decision = decided(review)
    Decision.objects.for_institution(decision.institution_id).filter(pk=decision.pk).update(
        decided_at=timezone.now() - timedelta(days=days_ago)
    )
    decision.refresh_from_db()
    if allowed:
        assert lodge(decision, coordinator(review)).state == Appeal.State.LODGED
    else:
        with pytest.raises(
            ActionRefusedError, match=r"The time to appeal ended on .* \(30 days after"
        ):
            lodge(decision, coordinator(review))


@override_settings(APPEAL_WINDOW_DAYS=5)
def test_the_time_to_appeal_is_a_setting(review: Review) -> None:
    decision = decided(review)
    Decision.objects.for_institution(decision.institution_id).filter(pk=decision.pk).update(
        decided_at=timezone.now() - timedelta(days=6)
    )
    decision.refresh_from_db()
    with pytest.raises(ActionRefusedError, match="5 days after the decision"):
        lodge(decision, coordinator(review))


def test_one_appeal_per_decision(review: Review) -> None:
    decision = decided(review)
    lodge(decision, coordinator(review))
    with pytest.raises(ActionRefusedError, match="appealed already"):
        lodge(decision, coordinator(review), statement="Again")
    assert Appeal.objects.for_institution(decision.institution_id).count() == 2  # and the world's


@pytest.mark.parametrize("role", ["contributor_a", "coordinator_b", "admin", "auditor_assigned"])
def test_only_the_institutions_coordinators_appeal(review: Review, role: str) -> None:
    decision = decided(review)
    with pytest.raises(ActionForbiddenError, match="coordinators appeal"):
        lodge(decision, review.world.users[role])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"statement": "  "}, "Say why you appeal"),
        ({"statement": "x" * 5001}, "too long"),
        (
            {"uploads": [SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream")]},
            "run.exe: programs and scripts are not accepted",
        ),
        (
            {"uploads": [SimpleUploadedFile("page.pdf", b"<html><body>x</body></html>")]},
            "page.pdf: its content is an HTML page",
        ),
        ({"uploads": [SimpleUploadedFile("empty.txt", b"")]}, "empty.txt: it is empty"),
        (
            {
                "uploads": [SimpleUploadedFile("a.txt", b"Rota")],
                "confirmed_no_personal_data": False,
            },
            "Confirm that the files",
        ),
        (
            {"uploads": [SimpleUploadedFile(f"{n}.txt", b"Rota") for n in range(11)]},
            "At most 10 files",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_kept(
    review: Review, overrides: dict[str, Any], message: str
) -> None:
    decision = decided(review)
    with pytest.raises(ActionRefusedError, match=message):
        lodge(decision, coordinator(review), **overrides)
    assert not Appeal.objects.for_institution(decision.institution_id).filter(decision=decision)


def test_a_refused_file_refuses_the_appeal_and_no_file_is_stored(review: Review) -> None:
    decision = decided(review)
    before = AppealFile.unscoped.count()
    with pytest.raises(ActionRefusedError, match=r"bad\.svg"):
        lodge(
            decision,
            coordinator(review),
            uploads=[
                SimpleUploadedFile("good.pdf", PDF),
                SimpleUploadedFile("bad.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            ],
        )
    assert AppealFile.unscoped.count() == before


# --- Who handles it ---------------------------------------------------------------------------


def _lead_as_admin(review: Review) -> User:
    review.lead.groups.add(platform_groups_ensure()[ERNST_ADMINS])
    return fresh(review.lead)


def _member_admin(review: Review) -> User:
    user = admin_user("admin-member@example.org")
    MembershipFactory(
        institution=review.world.institution_a, user=user, role=Membership.Role.CONTRIBUTOR
    )
    return user


# Who asks -> why they may not handle the appeal (None: they may).
IMPARTIALITY = [
    ("eligible", lambda review: admin_user("appeals@example.org"), None),
    ("team member", _lead_as_admin, "review team"),
    ("decider", lambda review: review.admin, "You took the decision appealed"),
    ("member of the institution", _member_admin, "member of this institution"),
    ("coordinator", coordinator, "Only ERNST administrators"),
    ("auditor", lambda review: review.world.users["auditor_unassigned"], "Only ERNST"),
]


@pytest.mark.parametrize(
    ("who", "make", "refusal"), IMPARTIALITY, ids=[row[0] for row in IMPARTIALITY]
)
def test_impartiality(review: Review, who: str, make: Any, refusal: str | None) -> None:
    appeal = lodge(decided(review), coordinator(review))
    user = make(review)
    reason = appeal_handling_refusal(user, appeal)
    if refusal is None:
        assert reason is None
        assert appeal_take(appeal=appeal, user=user).handler_email == user.email
        return
    assert reason is not None
    assert refusal in reason
    with pytest.raises(ActionForbiddenError, match=refusal):
        appeal_take(appeal=appeal, user=user)
    assert Appeal.objects.for_institution(appeal.institution_id).get(pk=appeal.pk).state == (
        Appeal.State.LODGED
    )


def test_a_decider_whose_account_is_gone_is_known_by_the_email(world: World) -> None:
    """The world's decision was taken by an admin since gone: someone who now has that e-mail
    may not handle its appeal; the world's admin may."""
    appeal = world.appeal_a
    assert appeal_handling_refusal(world.users["admin"], appeal) is None
    comeback = admin_user("former-admin@example.org")
    assert "You took the decision" in (appeal_handling_refusal(comeback, appeal) or "")


def test_the_one_who_took_it_up_decides_it(review: Review, handler: User) -> None:
    decision = decided(review)
    appeal = lodge(decision, coordinator(review))
    with pytest.raises(ActionRefusedError, match="Take the appeal up first"):
        appeal_decide(appeal=appeal, user=handler, outcome="upheld", reason="Read")
    appeal = appeal_take(appeal=appeal, user=handler)
    assert appeal.state == Appeal.State.IN_HANDLING
    assert appeal.taken_at is not None
    other = admin_user("second-handler@example.org")
    with pytest.raises(ActionForbiddenError, match=r"appeals@example\.org has taken this appeal"):
        appeal_take(appeal=appeal, user=other)
    with pytest.raises(ActionForbiddenError, match=r"appeals@example\.org has taken this appeal"):
        appeal_decide(appeal=appeal, user=other, outcome="upheld", reason="Read")
    with pytest.raises(ActionRefusedError, match="The appeal is in handling"):
        appeal_take(appeal=appeal, user=handler)


# --- Upheld -----------------------------------------------------------------------------------


def test_upheld_with_reasons_leaves_the_certificates(review: Review, handler: User) -> None:
    decision = decided(review, "conditions")
    before = certificates_of(decision)
    appeal = taken(review, decision, handler)
    with pytest.raises(ActionRefusedError, match="Give the reasons"):
        appeal_decide(appeal=appeal, user=handler, outcome="upheld", reason=" ")
    with pytest.raises(ActionRefusedError, match="Choose: uphold"):
        appeal_decide(appeal=appeal, user=handler, outcome="maybe", reason="Read")
    appeal = appeal_decide(
        appeal=appeal,
        user=handler,
        outcome="upheld",
        reason="The schedule covers the first cohort only.",
        new_outcome="certify",  # ignored: upheld
    )
    assert (appeal.state, appeal.outcome, appeal.new_outcome) == ("decided", "upheld", "")
    assert certificates_of(decision) == before
    assert events(decision.audit) == ["appeal_lodged", "appeal_taken", "appeal_upheld"]
    with pytest.raises(ActionRefusedError, match="decided already"):
        appeal_decide(appeal=appeal, user=handler, outcome="upheld", reason="Again")


# --- Changed: the certificates follow ------------------------------------------------------


def test_changed_to_certify_on_conditions_issues_the_certificate(
    review: Review, handler: User
) -> None:
    decision = decided(review)  # do not certify: no certificate
    assert certificates_of(decision) == []
    appeal = taken(review, decision, handler)
    due = timezone.localdate() + timedelta(days=45)
    with pytest.raises(ActionRefusedError, match="Give the date"):  # the decision's own check
        appeal_decide(
            appeal=appeal,
            user=handler,
            outcome="changed",
            reason="Planned",
            new_outcome="conditions",
        )
    appeal = appeal_decide(
        appeal=appeal,
        user=handler,
        outcome="changed",
        reason="The plan closes TRA03 within weeks.",
        new_outcome="conditions",
        new_conditions_due_on=due,
    )
    assert (appeal.new_outcome, appeal.new_conditions_due_on) == ("conditions", due)
    assert appeal.new_label == "Certify on conditions"
    assert certificates_of(decision) == [("", "active", due)]
    certificate = Certificate.objects.for_institution(decision.institution_id).get(
        decision=decision
    )
    assert certificate.audit_id == decision.audit_id
    [issued] = certificate.events.all()
    assert (issued.action, issued.actor_email) == ("issued", "appeals@example.org")
    assert f"Appeal no. {appeal.pk}" in issued.reason
    [event] = AuditEvent.objects.for_institution(decision.institution_id).filter(
        audit=decision.audit, action=AuditEvent.Action.APPEAL_CHANGED
    )
    assert event.object_label == "Do not certify → Certify on conditions"
    assert event.details["certificates"] == {
        "issued": [certificate.number],
        "withdrawn": [],
        "changed": [],
    }
    assert events(decision.audit) == ["appeal_lodged", "appeal_taken", "appeal_changed"]
    # The decision stays as it was taken; the audit stays decided.
    decision.refresh_from_db()
    assert decision.outcome == "do_not_certify"
    assert review.reload().status == Audit.Status.DECIDED


def test_changed_to_do_not_certify_withdraws_the_certificate(review: Review, handler: User) -> None:
    decision = decided(review, "conditions")
    [(_, status, _)] = certificates_of(decision)
    assert status == "active"
    appeal = appeal_decide(
        appeal=taken(review, decision, handler),
        user=handler,
        outcome="changed",
        reason="The plan does not cover TRA03's role play.",
        new_outcome="do_not_certify",
    )
    assert [status for _, status, _ in certificates_of(decision)] == ["withdrawn"]
    certificate = Certificate.objects.for_institution(decision.institution_id).get(
        decision=decision
    )
    withdrawn = certificate.events.get(action=CertificateEvent.Action.APPEAL_WITHDRAWN)
    assert (withdrawn.from_status, withdrawn.to_status) == ("active", "withdrawn")
    assert f"Appeal no. {appeal.pk}" in withdrawn.reason
    assert "does not cover TRA03" in certificate.status_reason
    assert events(decision.audit)[-1] == "appeal_changed"


def test_changed_to_certify_drops_the_conditions_in_place(review: Review, handler: User) -> None:
    decision = decided(review, "conditions")
    number = Certificate.objects.for_institution(decision.institution_id).get(decision=decision)
    appeal_decide(
        appeal=taken(review, decision, handler),
        user=handler,
        outcome="changed",
        reason="TRA03 was met at the audit date.",
        new_outcome="certify",
    )
    [certificate] = Certificate.objects.for_institution(decision.institution_id).filter(
        decision=decision
    )
    assert certificate.number == number.number  # the same certificate
    assert (certificate.status, certificate.conditions_due_on) == ("active", None)
    changed = certificate.events.get(action=CertificateEvent.Action.APPEAL_CHANGED)
    assert changed.reason.startswith("No conditions any more.")


def test_changing_to_the_decision_appealed_or_to_what_the_audit_allows_not(
    review: Review, handler: User
) -> None:
    decision = decided(review)
    appeal = taken(review, decision, handler)
    for values, message in (
        ({"new_outcome": "do_not_certify"}, "That is the decision appealed"),
        ({"new_outcome": "certify", "new_level": "design"}, "A level goes only"),
        ({"new_outcome": "perhaps"}, "Choose the decision"),
    ):
        with pytest.raises(ActionRefusedError, match=message):
            appeal_decide(appeal=appeal, user=handler, outcome="changed", reason="R", **values)
    assert certificates_of(decision) == []
    assert Appeal.objects.for_institution(appeal.institution_id).get(pk=appeal.pk).is_open


def intervention_decision(world: World, level: str) -> Decision:
    """A decided RESCUE-Intervention audit of A (applied for Comprehensive), certified at
    ``level`` by the world's admin, with its certificate."""
    audit = AuditFactory(
        institution=world.institution_a,
        catalogue_version=world.audit_a.catalogue_version,
        target_level="comprehensive",
        status=Audit.Status.DECIDED,
    )
    decision = Decision.objects.create(
        institution=world.institution_a,
        audit=audit,
        outcome="certify",
        level=level,
        reason="As the rules give",
        proposed_outcome="certify",
        proposed_level=level,
        proposal=f"Certify: {level}",
        decided_by=world.users["admin"],
        decided_by_email=world.users["admin"].email,
    )
    certificate_issue(
        institution_id=world.institution_a.pk,
        scheme="intervention",
        setting=audit.setting,
        level=level,
        audit=audit,
        decision=decision,
        catalogue_version_id=audit.catalogue_version_id,
        user=world.users["admin"],
    )
    return decision


def mastery(world: World) -> list[str]:
    return list(
        Certificate.objects.for_institution(world.institution_a)
        .filter(scheme="mastery")
        .order_by("pk")
        .values_list("status", flat=True)
    )


def test_another_level_withdraws_the_certificate_and_issues_the_new_one_and_mastery_follows(
    world: World,
) -> None:
    certificate_issue(  # an active Training certificate: Comprehensive makes RESCUE Mastery
        institution_id=world.institution_a.pk,
        scheme="training",
        setting="hospital",
        user=world.users["admin"],
    )
    decision = intervention_decision(world, "execution")
    assert mastery(world) == []
    handler = admin_user("appeals@example.org")
    appeal = appeal_take(appeal=lodge(decision, world.users["coordinator_a"]), user=handler)
    with pytest.raises(ActionRefusedError, match="Choose the level certified"):
        appeal_decide(
            appeal=appeal, user=handler, outcome="changed", reason="R", new_outcome="certify"
        )
    appeal = appeal_decide(
        appeal=appeal,
        user=handler,
        outcome="changed",
        reason="Every Comprehensive standard was met.",
        new_outcome="certify",
        new_level="comprehensive",
    )
    assert appeal.new_label == "Certify: Comprehensive"
    assert certificates_of(decision) == [
        ("execution", "withdrawn", None),
        ("comprehensive", "active", None),
    ]
    assert mastery(world) == ["active"]
    old, new = (
        Certificate.objects.for_institution(world.institution_a)
        .filter(decision=decision)
        .order_by("pk")
    )
    assert old.events.last().action == CertificateEvent.Action.APPEAL_WITHDRAWN  # type: ignore[union-attr]
    event = AuditEvent.objects.for_institution(world.institution_a).get(
        audit=decision.audit, action=AuditEvent.Action.APPEAL_CHANGED
    )
    assert event.details["certificates"] == {
        "issued": [new.number],
        "withdrawn": [old.number],
        "changed": [],
    }


def test_not_certifying_on_appeal_withdraws_and_mastery_lapses(world: World) -> None:
    certificate_issue(
        institution_id=world.institution_a.pk,
        scheme="training",
        setting="hospital",
        user=world.users["admin"],
    )
    decision = intervention_decision(world, "comprehensive")
    assert mastery(world) == ["active"]
    handler = admin_user("appeals@example.org")
    appeal = appeal_take(appeal=lodge(decision, world.users["coordinator_a"]), user=handler)
    appeal_decide(
        appeal=appeal,
        user=handler,
        outcome="changed",
        reason="The crisis line was not staffed at night.",
        new_outcome="do_not_certify",
    )
    assert certificates_of(decision) == [("comprehensive", "withdrawn", None)]
    assert mastery(world) == ["expired"]  # lapsed with the certificate it rested on


def test_a_level_above_the_one_applied_for_is_refused(world: World) -> None:
    decision = intervention_decision(world, "execution")
    Audit.unscoped.filter(pk=decision.audit_id).update(target_level="execution")
    handler = admin_user("appeals@example.org")
    appeal = appeal_take(appeal=lodge(decision, world.users["coordinator_a"]), user=handler)
    with pytest.raises(ActionRefusedError, match="above the level applied for"):
        appeal_decide(
            appeal=appeal,
            user=handler,
            outcome="changed",
            reason="R",
            new_outcome="certify",
            new_level="comprehensive",
        )


# --- The pages --------------------------------------------------------------------------------


def test_the_coordinator_lodges_on_the_page_reached_from_the_outcome(review: Review) -> None:
    decision = decided(review)
    client = review.client(coordinator(review))
    outcome = page_text(client.get(review.url("reviews:outcome")))
    page_url = review.url("certification:appeal")
    assert f'href="{page_url}"' in outcome
    assert "The decision, and how to appeal it" in outcome
    page = client.get(page_url)
    assert page.status_code == 200
    text = plain_text(page)
    assert "Do not certify" in text
    assert "TRA03 partially met" in text
    deadline = timezone.localtime(decision.decided_at + timedelta(days=30))
    assert f"until {deadline:%-d %B %Y}" in text
    assert 'enctype="multipart/form-data"' in page.content.decode()
    lodge_url = review.url("certification:appeal_lodge")
    missing = client.post(lodge_url, {"statement": ""})
    assert missing.status_code == 400
    assert "This field is required" in form_errors(missing)
    refused = client.post(
        lodge_url,
        {
            "statement": "Read E4",
            "files": [SimpleUploadedFile("evil.html", b"<html><script>x</script></html>")],
            "confirmed_no_personal_data": "on",
        },
    )
    assert refused.status_code == 400
    assert "evil.html: HTML pages are not accepted" in form_errors(refused)
    done = client.post(
        lodge_url,
        {
            "statement": "The role-play schedule was in E4.",
            "files": [SimpleUploadedFile("schedule.pdf", PDF)],
            "confirmed_no_personal_data": "on",
        },
    )
    assert done.status_code == 302
    assert done["Location"] == page_url
    after = plain_text(client.get(page_url))
    assert "The role-play schedule was in E4." in after
    assert "Lodged, waiting for an ERNST administrator" in after
    assert "schedule.pdf" in after
    again = client.post(lodge_url, {"statement": "Again"})
    assert again.status_code == 400
    assert "appealed already" in page_text(again)


@override_settings(EVIDENCE_MAX_FILE_SIZE=10)
def test_a_file_over_the_size_limit_is_named_and_refused(review: Review) -> None:
    decided(review)
    response = review.client(coordinator(review)).post(
        review.url("certification:appeal_lodge"),
        {
            "statement": "See the file",
            "files": [SimpleUploadedFile("big.pdf", PDF)],
            "confirmed_no_personal_data": "on",
        },
    )
    assert response.status_code == 400
    assert "big.pdf: it is larger than 10" in form_errors(response)
    assert not Appeal.objects.for_institution(review.audit.institution_id).filter(
        decision__audit=review.audit
    )


def test_the_page_says_why_not_to_who_may_not_appeal(review: Review) -> None:
    decided(review)
    url = review.url("certification:appeal")
    contributor = review.client(review.world.users["contributor_a"]).get(url)
    assert contributor.status_code == 403
    assert "lodged by the institution's coordinators" in page_text(contributor)
    assert review.client(review.world.users["coordinator_b"]).get(url).status_code == 404
    admin = review.client(review.admin).get(url)
    assert admin.status_code == 200
    assert "The institution's coordinators appeal its decisions." in page_text(admin)
    assert 'action="' + review.url("certification:appeal_lodge") not in admin.content.decode()
    refused = review.client(review.admin).post(
        review.url("certification:appeal_lodge"), {"statement": "Mine"}
    )
    assert refused.status_code == 403
    Decision.objects.for_institution(review.audit.institution_id).filter(audit=review.audit).update(
        decided_at=timezone.now() - timedelta(days=40)
    )
    late = review.client(coordinator(review)).get(url)
    assert late.status_code == 200
    assert "The time to appeal ended" in page_text(late)
    assert "Lodge the appeal" not in page_text(late)


def test_no_decision_no_appeal_page(world: World) -> None:
    url = reverse("certification:appeal", args=[world.audit_a.pk])
    assert world.client("coordinator_a").get(url).status_code == 404


def test_an_admin_takes_up_and_decides_on_the_pages(review: Review, handler: User) -> None:
    decision = decided(review, "conditions")
    appeal = lodge(decision, coordinator(review))
    url = reverse("certification:appeal_detail", args=[appeal.pk])
    # The decider reads why not, and is refused (403) with the reason.
    decider = client_for(review.admin)
    text = plain_text(decider.get(url))
    assert "You took the decision appealed" in text
    assert "Take the appeal up" not in text
    refused = decider.post(reverse("certification:appeal_take", args=[appeal.pk]))
    assert refused.status_code == 403
    assert "You took the decision appealed" in page_text(refused)
    # The eligible admin takes it up, then decides.
    client = client_for(handler)
    assert "Take the appeal up" in plain_text(client.get(url))
    took = client.post(reverse("certification:appeal_take", args=[appeal.pk]))
    assert took.status_code == 302
    decide_url = reverse("certification:appeal_decide", args=[appeal.pk])
    bad = client.post(decide_url, {"outcome": "changed", "reason": "R"})
    assert bad.status_code == 400
    assert "Choose the new decision." in form_errors(bad)
    done = client.post(
        decide_url,
        {
            "outcome": "changed",
            "new_outcome": "do_not_certify",
            "reason": "The plan does not cover role play.",
        },
    )
    assert done.status_code == 302
    text = plain_text(client.get(url))
    assert "Decision changed : Do not certify" in text
    assert "The plan does not cover role play." in text
    assert "Withdrawn" in text  # the decision's certificate
    # The institution reads the outcome on its page; the decision and certificate link to it.
    institution = plain_text(
        review.client(coordinator(review)).get(review.url("certification:appeal"))
    )
    assert "Decision changed : Do not certify" in institution
    assert "The plan does not cover role play." in institution
    decision_page = page_text(client.get(review.url("certification:decision")))
    assert f'href="{url}"' in decision_page
    certificate = Certificate.objects.for_institution(decision.institution_id).get(
        decision=decision
    )
    certificate_url = reverse("certification:certificate", args=[certificate.pk])
    assert f'href="{url}"' in page_text(client.get(certificate_url))
    mine = page_text(review.client(coordinator(review)).get(certificate_url))
    assert f'href="{review.url("certification:appeal")}"' in mine


def test_the_list_puts_the_open_appeals_first(world: World) -> None:
    admin = world.users["admin"]
    appeal_decide(
        appeal=appeal_take(appeal=world.appeal_a, user=admin),
        user=admin,
        outcome="upheld",
        reason="The rota was read and is incomplete.",
    )
    later = lodge(intervention_decision(world, "execution"), world.users["coordinator_a"])
    handler = client_for(admin_user("appeals@example.org"))
    text = plain_text(handler.get(reverse("certification:appeals")))
    assert text.index("Lodged, waiting for an ERNST administrator") < text.index("Decided")
    assert shown(1, 2, 2) in text
    decided_only = plain_text(handler.get(reverse("certification:appeals"), {"state": "decided"}))
    assert shown(1, 1, 1) in decided_only
    assert "Decision upheld" in decided_only
    listed = handler.get("/api/v1/appeals/").json()["results"]
    assert [a["id"] for a in listed] == [later.pk, world.appeal_a.pk]


def test_the_appeal_pages_are_the_admins(world: World) -> None:
    url = reverse("certification:appeal_detail", args=[world.appeal_a.pk])
    told = world.client("coordinator_a").get(url)
    assert told.status_code == 403
    assert "the institution follows its appeal" in page_text(told)
    assert world.client("contributor_a").get(url).status_code == 404
    assert world.client("coordinator_a").get(reverse("certification:appeals")).status_code == 403


def test_the_statements_files_are_downloaded_after_the_check(world: World) -> None:
    found = world.appeal_file_a
    url = reverse("certification:appeal_file", args=[world.appeal_a.pk, found.pk])
    for role in ("coordinator_a", "admin"):
        response = world.client(role).get(url)
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content) == b"Night rota, signed in March."  # type: ignore[attr-defined]
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
    for role in ("contributor_a", "coordinator_b", "auditor_assigned", "auditor_unassigned"):
        assert world.client(role).get(url).status_code == 404, role
    missing = reverse("certification:appeal_file", args=[world.appeal_a.pk, 987654321])
    assert world.client("admin").get(missing).status_code == 404


# --- The API ----------------------------------------------------------------------------------


def api(review: Review) -> str:
    return f"/api/v1/audits/{review.audit.pk}/appeal/"


def test_the_appeal_over_the_api(review: Review, handler: User) -> None:
    decision = decided(review)
    client = review.client(coordinator(review))
    assert client.get(api(review)).status_code == 404  # none yet
    bad = client.post(api(review), {"statement": ""})
    assert bad.status_code == 400
    assert "statement" in bad.json()
    refused = client.post(
        api(review),
        {"statement": "Read E4", "files": [SimpleUploadedFile("x.exe", b"MZ")]},
    )
    assert refused.status_code == 400
    lodged = client.post(
        api(review),
        {
            "statement": "The schedule was in E4.",
            "files": [SimpleUploadedFile("schedule.pdf", PDF)],
            "confirmed_no_personal_data": "true",
        },
    )
    assert lodged.status_code == 201, lodged.json()
    body = lodged.json()
    assert (body["state"], body["decision_outcome"], body["audit"]) == (
        "lodged",
        "do_not_certify",
        review.audit.pk,
    )
    [file] = body["files"]
    assert file["original_name"] == "schedule.pdf"
    assert file["url"].endswith(reverse("certification:appeal_file", args=[body["id"], file["id"]]))
    again = client.post(api(review), {"statement": "Again"})
    assert again.status_code == 400
    assert "appealed already" in again.json()["detail"]
    contributor = review.client(review.world.users["contributor_a"])
    assert contributor.get(api(review)).status_code == 403
    assert review.client(review.world.users["coordinator_b"]).get(api(review)).status_code == 404
    # The admins' list: open ones first.
    admin = client_for(handler)
    listed = admin.get("/api/v1/appeals/").json()["results"]
    assert {a["id"] for a in listed} == {body["id"], review.world.appeal_a.pk}
    assert all(a["state"] == "lodged" for a in listed)
    assert (
        review.client(review.world.users["coordinator_b"]).get("/api/v1/appeals/").json()["results"]
        == []
    )
    # The decider may not take it up; the eligible admin takes it up and changes the decision.
    decider = review.client(review.admin)
    taking = decider.post(f"/api/v1/appeals/{body['id']}/take/")
    assert taking.status_code == 403
    assert "You took the decision appealed" in taking.json()["detail"]
    assert client.post(f"/api/v1/appeals/{body['id']}/take/").status_code == 403
    took = admin.post(f"/api/v1/appeals/{body['id']}/take/")
    assert took.status_code == 200
    assert took.json()["handler_email"] == "appeals@example.org"
    url = f"/api/v1/appeals/{body['id']}/decision/"
    missing = admin.post(
        url, {"outcome": "changed", "reason": "R"}, content_type="application/json"
    )
    assert missing.status_code == 400
    assert "new_outcome" in missing.json()
    changed = admin.post(
        url,
        {
            "outcome": "changed",
            "reason": "The plan closes TRA03.",
            "new_outcome": "conditions",
            "new_conditions_due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    data = changed.json()
    assert (data["state"], data["outcome"], data["new_outcome"]) == (
        "decided",
        "changed",
        "conditions",
    )
    [number] = data["certificates"]
    issued = Certificate.objects.for_institution(decision.institution_id).get(number=number)
    assert issued.status == "active"
    assert client.get(api(review)).json()["certificates"] == [number]
    assert client.get(f"/api/v1/appeals/{body['id']}/").status_code == 200
