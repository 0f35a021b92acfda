"""The permissions the catalogue checks, each codename named once."""

# Sở Công Thương staff who review applications: start the review, return an application for documents.
REVIEW = "catalog.change_application"
# Members of the OCOP council: score, finish the scoring, propose, recognise or reject; record and revoke certificates.
CERTIFY = "catalog.certify"
# Staff who read the certification dashboard.
VIEW_APPLICATIONS = "catalog.view_application"
# Staff who read the documents of any application's dossier (they are stored privately).
REVIEW_DOCUMENTS = "catalog.view_applicationdocument"
# Staff who download any certificate, not only their own organisation's.
VIEW_CERTIFICATES = "catalog.view_certificate"
# Staff who import the province's published OCOP list.
IMPORT_OCOP_LIST = "catalog.import_ocop_list"
