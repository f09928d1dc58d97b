"""Domain signals of intake. Higher apps (approvals) connect to them in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent once an application is accepted (by a clerk or deemed), after the transaction commits;
# kwargs: application (applications.models.Application).
application_accepted = Signal()

# Sent inside the transaction that closes an application before its decision (withdrawn by the applicant,
# terminated for 容缺 materials not supplied): receivers close what they opened for it, in the same
# transaction. kwargs: application.
application_closed = Signal()

# Sent inside the transaction in which the applicant supplies what a reviewing department asked for (审查补正):
# receivers resume what waited for it. kwargs: application, actor.
application_supplied = Signal()
