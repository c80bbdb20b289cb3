"""Platform capabilities, granted through groups (never checked by group name in templates)."""

ERNST_ADMINS = "ERNST admins"
AUDITORS = "Auditors"

# Model permissions ("app_label.codename") each platform group holds.
PLATFORM_GROUP_PERMISSIONS: dict[str, list[str]] = {
    ERNST_ADMINS: [
        "standards.view_catalogueversion",
        "standards.change_catalogueversion",
        "standards.view_section",
        "standards.view_standard",
        "standards.view_standardguidance",
        "institutions.view_institution",
        "institutions.add_institution",
        "institutions.change_institution",
        "institutions.view_membership",
        "accounts.view_user",
        "audits.view_audit",
        "audits.view_auditevent",
        "reviews.view_auditorassignment",
        "audits.view_priorcertificationconfirmation",
        "evidence.view_evidencefile",
        "evidence.view_evidencerevision",
        "reports.view_report",
        "audits.view_all_audits",
        "audits.assign_auditor",
        "institutions.view_all_institutions",
        "institutions.manage_all_institutions",
    ],
    AUDITORS: ["accounts.act_as_auditor"],
}
